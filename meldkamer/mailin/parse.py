"""Raw mail bytes to an :class:`InboundMail`: headers, new text, contact, attachments.

Python's parser is lenient; what it cannot make sense of (no sender, no Message-ID we
can use, no text and no photo at all) raises :class:`Unreadable`, and the channel
keeps the raw mail and queues it for a person: a mail that reached us is never dropped.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage, Message
from email.utils import getaddresses, parseaddr

from meldkamer.mailin.clean import html_to_text, split_signature, strip_quoted
from meldkamer.mailin.extract import Contact, extract_contact
from meldkamer.mailin.threads import message_ids

#: The most of a mail's new text the assistant reads (the rest is kept for agents).
MAX_TEXT = 2000
#: Mails larger than this are not read (they are kept for agents).
MAX_MAIL_BYTES = 30 * 1024 * 1024


class Unreadable(ValueError):
    """The mail cannot be read as a tenant's message; the reason is for the log and agents."""


@dataclass(frozen=True)
class Attachment:
    """A file that came with the mail."""

    filename: str
    content_type: str
    data: bytes = field(repr=False)


@dataclass(frozen=True)
class InboundMail:
    """One tenant mail as the channel uses it.

    Attributes:
        message_id: the mail's ``Message-ID`` (or one derived from its bytes when it has none).
        recipients: the addresses it was sent to (lower case), to find the client.
        text: the new text, without quotes and signature: what the assistant reads.
        full_text: the whole text as received (quotes included), for agents.
        contact: address, name and phone found in the text and signature.
        thread_ids: ``In-Reply-To`` and ``References`` ids, oldest first.
    """

    message_id: str
    sender: str
    sender_name: str | None
    recipients: tuple[str, ...]
    subject: str
    text: str
    full_text: str
    contact: Contact
    thread_ids: tuple[str, ...] = ()
    attachments: tuple[Attachment, ...] = ()


def read_message(raw: bytes) -> EmailMessage:
    """The parsed message (headers as ``str``, the modern policy)."""
    if len(raw) > MAX_MAIL_BYTES:
        raise Unreadable(f"mail van {len(raw)} bytes is te groot")
    message = message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


def _body_text(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        content = part.get_content()
    except (LookupError, ValueError, AssertionError) as error:
        raise Unreadable(f"tekst niet te decoderen: {error}") from None
    if not isinstance(content, str):
        return ""
    return html_to_text(content) if part.get_content_type() == "text/html" else content


def _attachments(message: EmailMessage) -> tuple[Attachment, ...]:
    found = []
    for part in message.iter_attachments():
        if part.is_multipart():
            continue
        data = part.get_payload(decode=True)
        if isinstance(data, bytes) and data:
            found.append(
                Attachment(part.get_filename() or "bijlage", part.get_content_type(), data)
            )
    return tuple(found)


def _header(message: Message, name: str) -> str:
    try:
        return str(message.get(name, "") or "").strip()
    except (ValueError, IndexError):
        # A header the modern parser cannot make sense of: read as missing.
        return ""


def parse_mail(raw: bytes) -> InboundMail:
    """Read a mail; raises :class:`Unreadable` when it cannot be a tenant's message."""
    message = read_message(raw)
    name, sender = parseaddr(_header(message, "From"))
    if "@" not in sender:
        raise Unreadable("geen afzender")
    message_id = _header(message, "Message-ID")
    if not message_id.startswith("<"):
        # No usable id: the bytes stand in, so a second delivery is still recognised.
        message_id = f"<sha256.{hashlib.sha256(raw).hexdigest()[:32]}@zonder-message-id>"
    full_text = _body_text(message).replace("\r\n", "\n")
    body, signature = split_signature(strip_quoted(full_text))
    attachments = _attachments(message)
    if not body.strip() and not attachments:
        raise Unreadable("geen tekst en geen bijlage")
    recipients = tuple(
        address.lower()
        for header in ("To", "Cc", "Delivered-To", "X-Original-To")
        for _, address in getaddresses([_header(message, header)])
        if "@" in address
    )
    subject = _header(message, "Subject")
    return InboundMail(
        message_id=message_id,
        sender=sender.lower(),
        sender_name=name.strip() or None,
        recipients=recipients,
        subject=subject,
        text=(body or subject)[:MAX_TEXT],
        full_text=full_text,
        contact=extract_contact(body, signature, name.strip() or None),
        thread_ids=tuple(
            message_ids([_header(message, "References"), _header(message, "In-Reply-To")])
        ),
        attachments=attachments,
    )
