"""The SMS gateway's inbound webhook: signature and body.

The gateway posts one JSON object per received SMS::

    {"id": "in-123", "from": "+31612345678", "to": "+31610000901",
     "text": "Lekkage in de badkamer", "received_at": "2026-12-01T23:04:00Z"}

signed with ``X-Signature: sha256=<hex HMAC-SHA256 of the raw body with the shared
secret>``, compared in constant time. A missing signature is 401, a wrong one 403; a
body that is not such an object is a :class:`MalformedSms` with a short reason.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass

from meldkamer.intake.validation import Invalid, normalise_phone

SIGNATURE_HEADER = "X-Signature"
#: The longest text read from one SMS (concatenated SMS included).
MAX_TEXT = 1600


class MalformedSms(ValueError):
    """The body is not an inbound SMS; the message says why (in Dutch, for the gateway's log)."""


@dataclass(frozen=True)
class InboundSms:
    """One SMS as the channel uses it; ``sender`` in E.164."""

    message_id: str
    sender: str
    recipient: str | None
    text: str


def sign(secret: str, body: bytes) -> str:
    """The signature header's value for ``body``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_status(secret: str, body: bytes, header: str | None) -> int | None:
    """``None`` when the signature is right, else the HTTP status to refuse with."""
    if not header:
        return 401
    return None if hmac.compare_digest(sign(secret, body), header.strip()) else 403


def parse_sms(body: bytes) -> InboundSms:
    """Read the gateway's JSON; raises :class:`MalformedSms`."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise MalformedSms("geen geldige JSON") from None
    if not isinstance(data, dict):
        raise MalformedSms("geen JSON-object")
    message_id, sender, text = data.get("id"), data.get("from"), data.get("text")
    if not isinstance(message_id, str) or not message_id.strip():
        raise MalformedSms("id ontbreekt")
    if not isinstance(sender, str) or isinstance(number := normalise_phone(sender), Invalid):
        raise MalformedSms("from is geen telefoonnummer")
    if not isinstance(text, str):
        raise MalformedSms("text ontbreekt")
    recipient = data.get("to")
    return InboundSms(
        message_id=message_id.strip()[:200],
        sender=number,
        recipient=recipient if isinstance(recipient, str) else None,
        text=text.strip()[:MAX_TEXT],
    )
