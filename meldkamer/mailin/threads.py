"""Which conversation a mail belongs to, and the Message-IDs of our replies.

A new mail starts a conversation named after its Message-ID. Our replies carry
Message-IDs that name the conversation (``<mk.<token>.<n>@domain>``), so a tenant's
answer finds its melding through ``In-Reply-To``/``References`` without anything
stored; a mail that lost those headers still has the ticket number (MK-...) in its
subject.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

#: Conversation ids of mail conversations start with this.
CONVERSATION_PREFIX = "mail-"
_TOKEN_LENGTH = 20
_OWN_ID = re.compile(rf"<mk\.([0-9a-f]{{{_TOKEN_LENGTH}}})\.[0-9a-z]+@[^>]+>")
_TICKET = re.compile(r"\bMK-\d{4}-\d{6}\b", re.IGNORECASE)
_ANY_ID = re.compile(r"<[^<>\s]+>")


def conversation_for_new(message_id: str) -> str:
    """The conversation id of a mail that starts a thread (stable: the same mail, the same id)."""
    digest = hashlib.sha256(message_id.strip().encode("utf-8")).hexdigest()
    return f"{CONVERSATION_PREFIX}{digest[:_TOKEN_LENGTH]}"


def reply_message_id(conversation_id: str, key: str, domain: str) -> str:
    """The Message-ID of our reply in ``conversation_id``; ``key`` makes it unique and stable."""
    token = conversation_id.removeprefix(CONVERSATION_PREFIX)
    suffix = hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]
    return f"<mk.{token}.{suffix}@{domain}>"


def message_ids(header_values: Iterable[str]) -> list[str]:
    """Every ``<id>`` in ``In-Reply-To``/``References`` values, in order."""
    return [found for value in header_values for found in _ANY_ID.findall(value or "")]


def conversation_from_ids(ids: Iterable[str]) -> str | None:
    """The conversation one of our Message-IDs among ``ids`` names (the newest wins)."""
    for message_id in reversed(list(ids)):
        match = _OWN_ID.fullmatch(message_id.strip())
        if match:
            return f"{CONVERSATION_PREFIX}{match.group(1)}"
    return None


def ticket_number(subject: str) -> str | None:
    """The ticket number (``MK-2026-000123``) in a subject, upper case."""
    match = _TICKET.search(subject or "")
    return match.group(0).upper() if match else None


def reply_subject(subject: str, ticket: str | None) -> str:
    """``Re: <subject>`` once, with the ticket number when known and not there yet."""
    base = re.sub(r"\s+", " ", subject or "").strip() or "Uw melding"
    if not re.match(r"^(re|antw|aw)\s*:", base, re.IGNORECASE):
        base = f"Re: {base}"
    if ticket and ticket.upper() not in base.upper():
        base = f"{base} [{ticket}]"
    return base[:250]
