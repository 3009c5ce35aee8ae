"""E-mail intake without a framework: reading, cleaning and threading tenants' mails.

:mod:`~meldkamer.mailin.parse` turns raw RFC 5322 bytes into an :class:`InboundMail`
(plain text, quoted reply and signature stripped, HTML made text, attachments),
:mod:`~meldkamer.mailin.hygiene` says which mails must never be answered (auto-replies,
bounces, mailing lists, our own), :mod:`~meldkamer.mailin.threads` finds the conversation
a mail continues, :mod:`~meldkamer.mailin.extract` takes address, name and phone from the
text and signature, :mod:`~meldkamer.mailin.choices` spells out the bot's options and
reads a tenant's "2", and :mod:`~meldkamer.mailin.reply` writes the answer mail. The use
cases on the database are in :mod:`meldkamer.service.mail_intake`.
The channel that feeds all this to the assistant is ``channels/email``.
"""

#: The key under which the e-mail and SMS channels keep their facts in each tenant
#: message's metadata in the tracker (``message_id``; for mail also ``thread``,
#: ``contact`` and ``original``, the mail's text for agents).
METADATA_KEY = "mailin"
