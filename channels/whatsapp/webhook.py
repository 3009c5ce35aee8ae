"""What Meta posts to the webhook: its signature, and its messages and status callbacks.

Pure functions, no I/O: the channel checks the signature over the raw body first, then
parses the body into :class:`Inbound` messages and :class:`StatusUpdate` callbacks.
Anything that is not the shape Meta documents is a :class:`MalformedWebhook`; message
types the assistant does not understand are not malformed, they become ``unsupported``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, field, replace
from typing import Any

SIGNATURE_HEADER = "X-Hub-Signature-256"
_PREFIX = "sha256="

#: Inbound kinds after parsing.
TEXT = "text"
REPLY = "reply"
IMAGE = "image"
UNSUPPORTED = "unsupported"
#: Types that need no answer: a reaction to a message, a system notice (number changed).
IGNORED_TYPES = frozenset({"reaction", "system", "ephemeral", "request_welcome"})


class MalformedWebhook(ValueError):
    """The body is not a WhatsApp webhook; the message is the short reason for the 400."""


def sign(secret: str, body: bytes) -> str:
    """The ``X-Hub-Signature-256`` value Meta sends for ``body``."""
    return _PREFIX + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_status(secret: str, body: bytes, header: str | None) -> int | None:
    """``None`` when the signature is right; else the HTTP status: 401 missing, 403 wrong."""
    if not header or not header.strip():
        return 401
    given = header.strip().encode("utf-8", "replace")
    # compare_digest: the time taken says nothing about how much of the signature matched.
    return None if hmac.compare_digest(sign(secret, body).encode(), given) else 403


@dataclass(frozen=True)
class Inbound:
    """One message from a tenant, reduced to what the channel acts on."""

    message_id: str
    wa_id: str
    kind: str
    #: When the tenant sent it (Meta's timestamp); ``None`` when absent.
    timestamp: float | None = None
    #: The text, or for a reply the id of the chosen button or row (our payload).
    text: str | None = None
    #: For a reply: the title the tenant saw; for a photo: its caption.
    title: str | None = None
    media_id: str | None = None
    mime_type: str | None = None
    #: The WhatsApp type as sent (``audio``, ``location``...), for logs.
    original_type: str = ""
    phone_number_id: str | None = None
    #: The sender's WhatsApp profile name (``value.contacts``), unchecked; ``None`` when absent.
    sender_name: str | None = None


@dataclass(frozen=True)
class StatusUpdate:
    """A delivery callback for a message we sent."""

    message_id: str
    status: str
    errors: tuple[str, ...] = ()


@dataclass
class Webhook:
    """A parsed webhook: the messages to act on and the status callbacks."""

    messages: list[Inbound] = field(default_factory=list)
    statuses: list[StatusUpdate] = field(default_factory=list)
    ignored: int = 0


def parse_webhook(body: bytes) -> Webhook:
    """Parse a webhook body; raises :class:`MalformedWebhook` with a short reason."""
    try:
        data = json.loads(body or b"")
    except (ValueError, UnicodeDecodeError):
        raise MalformedWebhook("body is geen JSON") from None
    root = _object(data, "body")
    if root.get("object") != "whatsapp_business_account":
        raise MalformedWebhook("object is niet whatsapp_business_account")
    hook = Webhook()
    for entry in _list(root, "entry", "body"):
        for change in _list(_object(entry, "entry"), "changes", "entry"):
            change = _object(change, "change")
            if change.get("field") != "messages":
                # Template reviews, account updates and the like: nothing for the assistant.
                hook.ignored += 1
                continue
            _parse_value(_object(change.get("value"), "value"), hook)
    return hook


def _parse_value(value: dict[str, Any], hook: Webhook) -> None:
    metadata = value.get("metadata")
    phone_number_id = metadata.get("phone_number_id") if isinstance(metadata, dict) else None
    phone_number_id = phone_number_id if isinstance(phone_number_id, str) else None
    names = profile_names(value.get("contacts"))
    for message in _list(value, "messages", "value", required=False):
        parsed = parse_message(_object(message, "message"), phone_number_id)
        if parsed is None:
            hook.ignored += 1
        else:
            hook.messages.append(replace(parsed, sender_name=names.get(parsed.wa_id)))
    for status in _list(value, "statuses", "value", required=False):
        hook.statuses.append(parse_status(_object(status, "status")))


def profile_names(contacts: Any) -> dict[str, str]:
    """``value.contacts`` as wa_id -> profile name; what is not that shape is left out.

    A name is a courtesy of Meta's, not part of the message: a missing or malformed
    contacts block means no name, never a refused webhook.
    """
    names: dict[str, str] = {}
    for contact in contacts if isinstance(contacts, list) else []:
        if not isinstance(contact, dict) or not isinstance(contact.get("profile"), dict):
            continue
        wa_id, name = contact.get("wa_id"), _optional(contact["profile"], "name")
        if isinstance(wa_id, str) and wa_id and name is not None:
            names[wa_id] = name
    return names


def parse_message(message: dict[str, Any], phone_number_id: str | None = None) -> Inbound | None:
    """One entry of ``value.messages``; ``None`` for types that need no answer."""
    message_id = _string(message, "id", "message")
    wa_id = _string(message, "from", "message")
    kind = _string(message, "type", "message")
    if kind in IGNORED_TYPES:
        return None
    base: dict[str, Any] = {
        "message_id": message_id,
        "wa_id": wa_id,
        "timestamp": _timestamp(message.get("timestamp")),
        "original_type": kind,
        "phone_number_id": phone_number_id,
    }
    if kind == "text":
        text = _string(_object(message.get("text"), "text"), "body", "text")
        return Inbound(kind=TEXT, text=text, **base)
    if kind == "interactive":
        return _interactive(_object(message.get("interactive"), "interactive"), base)
    if kind == "button":
        # The quick-reply button of a template message.
        button = _object(message.get("button"), "button")
        payload = button.get("payload") or button.get("text")
        if not isinstance(payload, str):
            raise MalformedWebhook("button zonder payload")
        return Inbound(kind=REPLY, text=payload, title=_optional(button, "text"), **base)
    if kind in ("image", "document"):
        media = _object(message.get(kind), kind)
        mime_type = _optional(media, "mime_type")
        # A photo sent "as document" keeps its quality; it is still a photo.
        if kind == "image" or (mime_type or "").startswith("image/"):
            return Inbound(
                kind=IMAGE,
                media_id=_string(media, "id", kind),
                mime_type=mime_type,
                title=_optional(media, "caption"),
                **base,
            )
    return Inbound(kind=UNSUPPORTED, **base)


def _interactive(interactive: dict[str, Any], base: dict[str, Any]) -> Inbound:
    reply_type = interactive.get("type")
    if reply_type not in ("button_reply", "list_reply"):
        return Inbound(kind=UNSUPPORTED, **base)
    reply = _object(interactive.get(reply_type), str(reply_type))
    return Inbound(
        kind=REPLY,
        text=_string(reply, "id", str(reply_type)),
        title=_optional(reply, "title"),
        **base,
    )


def parse_status(status: dict[str, Any]) -> StatusUpdate:
    """One entry of ``value.statuses``; the errors as ``code: title`` without personal data."""
    errors = status.get("errors")
    described = tuple(
        f"{error.get('code')}: {error.get('title') or error.get('message') or ''}".strip()
        for error in (errors if isinstance(errors, list) else [])
        if isinstance(error, dict)
    )
    return StatusUpdate(
        message_id=_string(status, "id", "status"),
        status=_string(status, "status", "status"),
        errors=described,
    )


def _object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise MalformedWebhook(f"{where} is geen object")
    return value


def _list(parent: dict[str, Any], key: str, where: str, required: bool = True) -> list[Any]:
    value = parent.get(key)
    if value is None and not required:
        return []
    if not isinstance(value, list):
        raise MalformedWebhook(f"{where}.{key} is geen lijst")
    return value


def _string(parent: dict[str, Any], key: str, where: str) -> str:
    value = parent.get(key)
    if not isinstance(value, str) or not value:
        raise MalformedWebhook(f"{where}.{key} ontbreekt")
    return value


def _optional(parent: dict[str, Any], key: str) -> str | None:
    value = parent.get(key)
    return value if isinstance(value, str) and value else None


def _timestamp(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None
