"""Creating, finding and updating tickets.

Every function takes the caller's session and flushes but does not commit: the
caller decides where the transaction ends. The exception is a savepoint inside
:func:`create_ticket`, which lets a lost race end without spoiling that transaction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy import String, desc, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from meldkamer.rows import one_row
from meldkamer.tickets.models import Ticket, TicketStatus, TicketStatusChange, check_transition
from meldkamer.tickets.numbering import next_ticket_number
from meldkamer.triage.officehours import AMSTERDAM

# Ticket numbers follow the Dutch calendar year: a melding at 00:30 on 1 January
# in Amsterdam belongs to the new year although it is still 31 December in UTC.
NUMBERING_TZ = AMSTERDAM
CREATED_BY = "assistent"

_POSTCODE_RE = re.compile(r"^[1-9]\d{3} [A-Z]{2}$")
_TELEFOON_RE = re.compile(r"^\+\d{8,15}$")


class StatusConflictError(Exception):
    """The ticket's status was changed by someone else since it was read."""


@dataclass(frozen=True)
class NewTicket:
    """What a caller knows of a melding when it asks for a ticket.

    Contact and address fields must already be normalised (postcode ``1234 AB``,
    telefoon ``+31612345678``); the store checks the form but does not guess.

    Attributes:
        melding_id: The caller's idempotency key: the same melding gives the same ticket.
        outcome: The triage outcome: ``urgency`` (str), ``inform_client`` and
            ``needs_assessment`` (bool), ``reasons`` (list of str) and optionally
            ``next_office_day`` as an ISO date string.
    """

    melding_id: str
    conversation_id: str
    channel: str
    topic: str
    outcome: dict[str, Any]
    postcode: str
    huisnummer: int
    naam: str
    telefoon: str
    beschrijving: str
    facts: dict[str, Any] = field(default_factory=dict)
    client_id: str | None = None
    complex_id: str | None = None
    attention: str | None = None
    huisnummer_toevoeging: str | None = None
    email: str | None = None
    #: Who made the ticket, for its status history: the agent's username on the phone.
    created_by: str = CREATED_BY

    def __post_init__(self) -> None:
        if not self.melding_id:
            raise ValueError("melding_id is leeg")
        if not _POSTCODE_RE.match(self.postcode):
            raise ValueError(f"postcode {self.postcode!r} is niet van de vorm '1234 AB'")
        if not _TELEFOON_RE.match(self.telefoon):
            raise ValueError(f"telefoon {self.telefoon!r} is niet genormaliseerd (+31612345678)")
        if isinstance(self.huisnummer, bool) or self.huisnummer <= 0:
            raise ValueError(f"huisnummer {self.huisnummer!r} is geen positief getal")
        _check_lengths(self)


def column_length(name: str) -> int | None:
    """The most characters the ticket column ``name`` holds (``None``: no limit)."""
    column_type = Ticket.__table__.columns[name].type
    length: int | None = getattr(column_type, "length", None)
    return length if isinstance(column_type, String) else None


def bounded(name: str, value: str) -> str:
    """``value`` cut to what the ticket column ``name`` holds.

    For fields we fill in ourselves (the channel's name): an over-long one must not
    stop a melding from being registered.
    """
    length = column_length(name)
    return value[:length] if length is not None else value


def _check_lengths(new: NewTicket) -> None:
    # PostgreSQL refuses values longer than the column, SQLite stores them anyway;
    # checking here gives the same ValueError on both.
    columns = Ticket.__table__.columns
    for name, value in vars(new).items():
        if name not in columns or not isinstance(value, str):
            continue
        length = column_length(name)
        if length is not None and len(value) > length:
            raise ValueError(f"{name} is langer dan {length} tekens")


#: What a ticket stores of a :class:`NewTicket` as it was given, column by column.
_AS_GIVEN = (
    "melding_id",
    "conversation_id",
    "channel",
    "client_id",
    "complex_id",
    "attention",
    "topic",
    "postcode",
    "huisnummer",
    "huisnummer_toevoeging",
    "naam",
    "telefoon",
    "email",
    "beschrijving",
)


@dataclass(frozen=True)
class _Outcome:
    urgency: str
    inform_client: bool
    needs_assessment: bool
    reasons: list[str]
    next_office_day: date | None


def _read_outcome(outcome: dict[str, Any]) -> _Outcome:
    urgency = outcome.get("urgency")
    if not isinstance(urgency, str) or not urgency:
        raise ValueError(f"outcome['urgency'] ontbreekt of is geen tekst: {urgency!r}")
    flags: dict[str, bool] = {}
    for key in ("inform_client", "needs_assessment"):
        value = outcome.get(key)
        if not isinstance(value, bool):
            raise ValueError(f"outcome[{key!r}] ontbreekt of is geen bool: {value!r}")
        flags[key] = value
    reasons = outcome.get("reasons", [])
    if not isinstance(reasons, list) or not all(isinstance(r, str) for r in reasons):
        raise ValueError(f"outcome['reasons'] is geen lijst van teksten: {reasons!r}")
    raw_day = outcome.get("next_office_day")
    if raw_day is not None and not isinstance(raw_day, str):
        raise ValueError(f"outcome['next_office_day'] is geen ISO-datum: {raw_day!r}")
    next_day = date.fromisoformat(raw_day) if raw_day else None
    return _Outcome(
        urgency=urgency,
        inform_client=flags["inform_client"],
        needs_assessment=flags["needs_assessment"],
        reasons=list(reasons),
        next_office_day=next_day,
    )


def _as_utc(now: datetime) -> datetime:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError(f"tijdstip {now.isoformat()} heeft geen tijdzone")
    return now.astimezone(timezone.utc)


def find_by_melding_id(session: Session, melding_id: str) -> Ticket | None:
    """Return the ticket made for melding ``melding_id``, if any."""
    return one_row(session, Ticket, Ticket.melding_id == melding_id)


def create_ticket(session: Session, new: NewTicket, now: datetime) -> Ticket:
    """Make the ticket for a melding, or return the one it already has (see :func:`open_ticket`)."""
    return open_ticket(session, new, now)[0]


def open_ticket(session: Session, new: NewTicket, now: datetime) -> tuple[Ticket, bool]:
    """Make the ticket for a melding, or find the one it already has; and whether it is new.

    Idempotent on ``new.melding_id``: an existing ticket is returned unchanged,
    also when another process inserts the same melding at the same moment (then
    the number reserved here is not used and the year's sequence gets a gap).

    Args:
        session: The caller's session; the caller commits.
        new: The melding.
        now: An aware datetime; stored as the creation time, in UTC.

    Returns:
        The ticket, and ``True`` when this call made it.

    Raises:
        ValueError: ``now`` is naive or ``new.outcome`` misses a required key.
    """
    created_at = _as_utc(now)
    existing = find_by_melding_id(session, new.melding_id)
    if existing is not None:
        return existing, False
    outcome = _read_outcome(new.outcome)
    number = next_ticket_number(session, created_at.astimezone(NUMBERING_TZ).year)
    ticket = Ticket(
        number=number,
        **{name: getattr(new, name) for name in _AS_GIVEN},
        attention_at=created_at if new.attention else None,
        facts=dict(new.facts),
        outcome=dict(new.outcome),
        # urgency, inform_client, needs_assessment, reasons and next_office_day, as read.
        **vars(outcome),
        status=TicketStatus.NIEUW.value,
        created_at=created_at,
        updated_at=created_at,
    )
    ticket.status_changes.append(
        TicketStatusChange(
            status_from=None,
            status_to=TicketStatus.NIEUW.value,
            changed_at=created_at,
            changed_by=new.created_by,
            reason=None,
        )
    )
    try:
        # The counter UPDATE above has opened the transaction, so on SQLite too this
        # savepoint nests inside it instead of starting (and later committing) one.
        with session.begin_nested():
            session.add(ticket)
            session.flush()
    except IntegrityError:
        # Rolling back the savepoint has already taken the new ticket out of the session.
        winner = find_by_melding_id(session, new.melding_id)
        if winner is None:
            raise
        return winner, False
    return ticket, True


def flag_attention(session: Session, ticket: Ticket, reason: str, now: datetime) -> None:
    """Ask a person of the meldkamer to look at a ticket; reasons add up."""
    when = _as_utc(now)
    ticket.attention = f"{ticket.attention}; {reason}" if ticket.attention else reason
    ticket.attention_at = ticket.attention_at or when
    ticket.updated_at = when
    session.flush()


def get_ticket(session: Session, number: str) -> Ticket | None:
    """Return the ticket with number ``number`` (``MK-YYYY-NNNNNN``), if any."""
    ticket: Ticket | None = session.execute(
        select(Ticket).where(Ticket.number == number).options(selectinload(Ticket.status_changes))
    ).scalar_one_or_none()
    return ticket


def list_tickets(
    session: Session, *, status: TicketStatus | str | None = None, limit: int = 50
) -> list[Ticket]:
    """Return up to ``limit`` tickets, newest first, optionally with one status.

    Raises:
        ValueError: ``status`` is no ticket status or ``limit`` is not positive.
    """
    if limit <= 0:
        raise ValueError(f"limit moet positief zijn, niet {limit}")
    statement = (
        select(Ticket)
        .options(selectinload(Ticket.status_changes))
        .order_by(desc(Ticket.created_at), desc(Ticket.id))
        .limit(limit)
    )
    if status is not None:
        statement = statement.where(Ticket.status == TicketStatus(status).value)
    return list(session.execute(statement).scalars())


def change_status(
    session: Session,
    ticket: Ticket,
    new_status: TicketStatus | str,
    *,
    by: str,
    reason: str | None,
    now: datetime,
) -> TicketStatusChange:
    """Move ``ticket`` to ``new_status`` and record the step in its history.

    Raises:
        ValueError: The status is unknown or the change is not allowed.
        StatusConflictError: Another session changed the status in the meantime.
    """
    changed_at = _as_utc(now)
    current = TicketStatus(ticket.status)
    target = check_transition(current, new_status)
    # Guarded by the status read: of two concurrent changes only one matches, so the
    # history never records a step from a status the ticket no longer had.
    result = session.execute(
        update(Ticket)
        .where(Ticket.id == ticket.id, Ticket.status == current.value)
        .values(status=target.value, updated_at=changed_at)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        session.refresh(ticket)
        raise StatusConflictError(
            f"ticket {ticket.number} heeft intussen status {ticket.status!r}, "
            f"niet meer {current.value!r}"
        )
    set_committed_value(ticket, "status", target.value)
    set_committed_value(ticket, "updated_at", changed_at)
    change = TicketStatusChange(
        status_from=current.value,
        status_to=target.value,
        changed_at=changed_at,
        changed_by=by,
        reason=reason,
    )
    ticket.status_changes.append(change)
    session.flush()
    return change


def _iso(value: date | datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def ticket_to_dict(ticket: Ticket) -> dict[str, object]:
    """Return the ticket as JSON-ready data, status history included."""
    return {
        "number": ticket.number,
        "melding_id": ticket.melding_id,
        "conversation_id": ticket.conversation_id,
        "channel": ticket.channel,
        "client_id": ticket.client_id,
        "complex_id": ticket.complex_id,
        "attention": ticket.attention,
        "attention_at": _iso(ticket.attention_at),
        "topic": ticket.topic,
        "facts": ticket.facts,
        "urgency": ticket.urgency,
        "inform_client": ticket.inform_client,
        "needs_assessment": ticket.needs_assessment,
        "reasons": list(ticket.reasons),
        "next_office_day": _iso(ticket.next_office_day),
        "outcome": ticket.outcome,
        "postcode": ticket.postcode,
        "huisnummer": ticket.huisnummer,
        "huisnummer_toevoeging": ticket.huisnummer_toevoeging,
        "naam": ticket.naam,
        "telefoon": ticket.telefoon,
        "email": ticket.email,
        "beschrijving": ticket.beschrijving,
        "status": ticket.status,
        "created_at": _iso(ticket.created_at),
        "updated_at": _iso(ticket.updated_at),
        "status_history": [
            {
                "status_from": change.status_from,
                "status_to": change.status_to,
                "changed_at": _iso(change.changed_at),
                "changed_by": change.changed_by,
                "reason": change.reason,
            }
            for change in ticket.status_changes
        ],
    }
