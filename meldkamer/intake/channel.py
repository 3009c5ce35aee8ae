"""What the channel already tells about the tenant, so the bot does not ask it.

On WhatsApp and SMS the conversation is the tenant's phone number (``wa-31612345678``,
``sms-31612345678``, as the channels name it): the bot takes it instead of asking, and
the summary shows it for the tenant to check. The input channel must agree with the
prefix, so a REST client naming itself ``wa-...`` proves nothing.
"""

from __future__ import annotations

from meldkamer.intake.validation import normalise_phone

#: Input channel -> the prefix of its conversation ids, followed by the number's digits.
PHONE_SENDERS = {"whatsapp": "wa-", "sms": "sms-"}


def phone_from_sender(sender_id: str, channel: str | None) -> str | None:
    """The tenant's number (E.164) when the channel's conversation id is their phone."""
    prefix = PHONE_SENDERS.get(channel or "")
    if prefix is None or not sender_id.startswith(prefix):
        return None
    digits = sender_id.removeprefix(prefix)
    if not digits.isdigit():
        return None
    phone = normalise_phone("+" + digits)
    return phone if isinstance(phone, str) else None
