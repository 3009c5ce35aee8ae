"""Finding tickets: by number, postcode and house number, phone or name, with filters.

The console's ``/tickets`` page and its CSV export call :func:`search_tickets`; an
agent limited to some clients finds only their tickets (the scope is part of the query,
not a filter afterwards, so counts and limits tell nothing about other clients).
:func:`search_drafts` finds the drafts of meldingen handed over incomplete (not tickets
yet) with the same query, for the page's "Concepten".
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from meldkamer.agents.scope import AgentScope
from meldkamer.handover.drafts import Draft, open_drafts
from meldkamer.intake.validation import Invalid, normalise_phone, parse_address
from meldkamer.tickets.models import Ticket
from meldkamer.triage.officehours import AMSTERDAM

TICKETS = Ticket.__table__.c
#: A (part of a) ticket number: ``MK-2026-000123``, ``2026-000123`` or ``000123``.
_NUMBER = re.compile(r"^(?:MK-?)?(?:\d{4}-?)?\d{1,6}$", re.IGNORECASE)
_MAX_TEXT = 100


@dataclass(frozen=True)
class TicketQuery:
    """What the agent asks; every field optional. ``until`` is inclusive (a whole day)."""

    text: str = ""
    client_id: str | None = None
    status: str | None = None
    urgency: str | None = None
    channel: str | None = None
    since: date | None = None
    until: date | None = None


def _text_condition(text: str) -> ColumnElement[bool] | None:
    """Whatever the text can be: a number, an address, a phone number, a name."""
    text = text.strip()[:_MAX_TEXT]
    if not text:
        return None
    options: list[ColumnElement[bool]] = [TICKETS.naam.ilike(f"%{_escape(text)}%", escape="\\")]
    if _NUMBER.match(text.replace(" ", "")):
        options.append(TICKETS.number.ilike(f"%{text.replace(' ', '').upper()[-14:]}", escape="\\"))
    address = parse_address(text)
    if not isinstance(address, Invalid):
        options.append(
            (TICKETS.postcode == address.postcode) & (TICKETS.huisnummer == address.huisnummer)
        )
    elif re.fullmatch(r"\d{4}\s?[A-Za-z]{2}", text):
        options.append(TICKETS.postcode == f"{text[:4]} {text[-2:].upper()}")
    if sum(ch.isdigit() for ch in text) >= 9:
        phone = normalise_phone(text)
        if not isinstance(phone, Invalid):
            options.append(TICKETS.telefoon == phone)
    return or_(*options)


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=AMSTERDAM)


def conditions(query: TicketQuery, scope: AgentScope) -> list[ColumnElement[bool]]:
    """The WHERE clause of a query, the scope always in it."""
    found: list[ColumnElement[bool]] = [scope.where(TICKETS.client_id)]
    text = _text_condition(query.text)
    if text is not None:
        found.append(text)
    equal: list[tuple[Any, str | None]] = [
        (TICKETS.client_id, query.client_id),
        (TICKETS.status, query.status),
        (TICKETS.urgency, query.urgency),
        (TICKETS.channel, query.channel),
    ]
    found += [column == value for column, value in equal if value]
    if query.since is not None:
        found.append(TICKETS.created_at >= _start_of(query.since))
    if query.until is not None:
        found.append(TICKETS.created_at < _start_of(query.until + timedelta(days=1)))
    return found


def search_tickets(
    sessions: Callable[[], Session], query: TicketQuery, scope: AgentScope, *, limit: int
) -> tuple[list[Ticket], bool]:
    """The tickets that match, newest first, at most ``limit``; and whether there are more."""
    with sessions() as session:
        rows = list(
            session.execute(
                select(Ticket)
                .where(*conditions(query, scope))
                .order_by(TICKETS.created_at.desc(), TICKETS.id.desc())
                .limit(limit + 1)
            ).scalars()
        )
        for ticket in rows:
            session.expunge(ticket)
    return rows[:limit], len(rows) > limit


#: How many open drafts are looked through for a query (a night has a handful).
DRAFT_SCAN = 500


def _draft_matches(draft: Draft, query: TicketQuery) -> bool:
    """The query's text and filters on a draft (a draft has no status: never with one)."""
    collected = draft.collected
    if query.status or (query.client_id and draft.client_id != query.client_id):
        return False
    if (query.urgency and draft.urgency != query.urgency) or (
        query.channel and draft.channel != query.channel
    ):
        return False
    if query.since is not None and draft.created_at < _start_of(query.since):
        return False
    if query.until is not None and draft.created_at >= _start_of(query.until + timedelta(days=1)):
        return False
    text = query.text.strip()[:_MAX_TEXT].lower()
    if not text:
        return True
    address = parse_address(text)
    phone = normalise_phone(text) if sum(ch.isdigit() for ch in text) >= 9 else None
    return (
        text in (collected.name or "").lower()
        or (isinstance(phone, str) and phone == collected.phone)
        or (not isinstance(address, Invalid) and str(address) == collected.address)
    )


def search_drafts(
    sessions: Callable[[], Session], query: TicketQuery, scope: AgentScope, *, limit: int
) -> list[Draft]:
    """Drafts not yet a ticket that match, newest first, at most ``limit``."""
    with sessions() as session:
        found = open_drafts(session, scope, DRAFT_SCAN)
        for draft in found:
            session.expunge(draft)
    return [draft for draft in found if _draft_matches(draft, query)][:limit]
