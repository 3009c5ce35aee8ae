"""Database tables of the ticket store: tickets, their status history and numbering.

Attributes carry plain Python annotations (``number: str = Column(...)``) because
SQLAlchemy 1.4 ships no type hints; SQLAlchemy ignores them, mypy uses them.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Column, Date, Integer, String, Text
from sqlalchemy.orm import relationship

# The base and the UTC timestamp live in meldkamer.db; imported here for the models
# that still import them from the ticket store.
from meldkamer.db import Base, UTCDateTime, metadata, ticket_id_column
from meldkamer.labels import LabelTable

__all__ = [
    "ALLOWED_TRANSITIONS",
    "STATUS_LABELS",
    "Base",
    "Ticket",
    "TicketCounter",
    "TicketEdit",
    "TicketStatus",
    "TicketStatusChange",
    "UTCDateTime",
    "can_transition",
    "check_transition",
    "metadata",
]


class TicketStatus(str, enum.Enum):
    """Where a ticket is in its handling."""

    NIEUW = "nieuw"
    DOORGEZET = "doorgezet"
    IN_BEHANDELING = "in_behandeling"
    WACHT_OP_TERUGBELLEN = "wacht_op_terugbellen"
    AFGEROND = "afgerond"
    GEANNULEERD = "geannuleerd"


#: What agents read for each status: one label per value, never the raw value.
STATUS_LABELS: LabelTable[TicketStatus] = LabelTable(
    TicketStatus,
    {
        TicketStatus.NIEUW: "Nieuw",
        TicketStatus.DOORGEZET: "Doorgezet",
        TicketStatus.IN_BEHANDELING: "In behandeling",
        TicketStatus.WACHT_OP_TERUGBELLEN: "Wacht op terugbellen",
        TicketStatus.AFGEROND: "Afgerond",
        TicketStatus.GEANNULEERD: "Geannuleerd",
    },
)


_OPEN = frozenset(
    {
        TicketStatus.DOORGEZET,
        TicketStatus.IN_BEHANDELING,
        TicketStatus.WACHT_OP_TERUGBELLEN,
    }
)
_CLOSED = frozenset({TicketStatus.AFGEROND, TicketStatus.GEANNULEERD})

# A ticket never goes back to "nieuw", and a closed ticket stays closed: a problem
# that returns is a new melding with its own ticket.
ALLOWED_TRANSITIONS: dict[TicketStatus, frozenset[TicketStatus]] = {
    TicketStatus.NIEUW: _OPEN | _CLOSED,
    **{status: (_OPEN - {status}) | _CLOSED for status in _OPEN},
    TicketStatus.AFGEROND: frozenset(),
    TicketStatus.GEANNULEERD: frozenset(),
}


def can_transition(current: TicketStatus | str, new: TicketStatus | str) -> bool:
    """Tell whether a ticket may go from status ``current`` to status ``new``."""
    return TicketStatus(new) in ALLOWED_TRANSITIONS[TicketStatus(current)]


def check_transition(current: TicketStatus | str, new: TicketStatus | str) -> TicketStatus:
    """Return ``new`` as a :class:`TicketStatus` if the change is allowed.

    Raises:
        ValueError: ``new`` is no status, or the change from ``current`` is not allowed.
    """
    source, target = TicketStatus(current), TicketStatus(new)
    if target not in ALLOWED_TRANSITIONS[source]:
        allowed = ", ".join(sorted(s.value for s in ALLOWED_TRANSITIONS[source])) or "geen"
        raise ValueError(
            f"statuswijziging van {source.value!r} naar {target.value!r} is niet toegestaan "
            f"(toegestaan vanuit {source.value!r}: {allowed})"
        )
    return target


class TicketStatusChange(Base):
    """One step in a ticket's status history."""

    __tablename__ = "ticket_status_changes"

    id: int = Column(Integer, primary_key=True)
    ticket_id: int = ticket_id_column(ondelete="CASCADE", nullable=False)
    status_from: str | None = Column(String(20), nullable=True)
    status_to: str = Column(String(20), nullable=False)
    changed_at: datetime = Column(UTCDateTime(), nullable=False)
    changed_by: str = Column(String(100), nullable=False)
    reason: str | None = Column(Text, nullable=True)

    ticket: Ticket = relationship("Ticket", back_populates="status_changes")

    def __repr__(self) -> str:
        return (
            f"<TicketStatusChange ticket_id={self.ticket_id} "
            f"{self.status_from}->{self.status_to} at {self.changed_at}>"
        )


class Ticket(Base):
    """A melding that the assistant has taken in, with the triage outcome."""

    __tablename__ = "tickets"

    id: int = Column(Integer, primary_key=True)
    number: str = Column(String(20), nullable=False, unique=True)
    melding_id: str = Column(String(64), nullable=False, unique=True)
    conversation_id: str = Column(String(255), nullable=False, index=True)
    channel: str = Column(String(32), nullable=False)
    client_id: str | None = Column(String(64), nullable=True)
    complex_id: str | None = Column(String(64), nullable=True)

    topic: str = Column(String(40), nullable=False)
    facts: dict[str, Any] = Column(JSON, nullable=False)
    urgency: str = Column(String(16), nullable=False)
    inform_client: bool = Column(Boolean, nullable=False)
    needs_assessment: bool = Column(Boolean, nullable=False)
    reasons: list[str] = Column(JSON, nullable=False)
    next_office_day: date | None = Column(Date, nullable=True)
    outcome: dict[str, Any] = Column(JSON, nullable=False)

    postcode: str = Column(String(7), nullable=False)
    huisnummer: int = Column(Integer, nullable=False)
    huisnummer_toevoeging: str | None = Column(String(10), nullable=True)
    naam: str = Column(String(200), nullable=False)
    telefoon: str = Column(String(20), nullable=False)
    email: str | None = Column(String(254), nullable=True)
    beschrijving: str = Column(Text, nullable=False)

    status: str = Column(
        String(20),
        nullable=False,
        index=True,
        default=TicketStatus.NIEUW.value,
        server_default=TicketStatus.NIEUW.value,
    )
    # Indexed for the newest-first listing and the status filter of the console/CLI.
    created_at: datetime = Column(UTCDateTime(), nullable=False, index=True)
    updated_at: datetime = Column(UTCDateTime(), nullable=False)
    #: Why a person of the meldkamer must look at this ticket (None: nothing to do).
    attention: str | None = Column(Text, nullable=True)
    attention_at: datetime | None = Column(UTCDateTime(), nullable=True, index=True)

    status_changes: list[TicketStatusChange] = relationship(
        TicketStatusChange,
        back_populates="ticket",
        order_by=[TicketStatusChange.changed_at, TicketStatusChange.id],
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    def __repr__(self) -> str:
        return f"<Ticket {self.number} {self.status}>"


class TicketCounter(Base):
    """The last ticket number handed out in a year."""

    __tablename__ = "ticket_counters"

    year: int = Column(Integer, primary_key=True, autoincrement=False)
    last: int = Column(Integer, nullable=False)


class TicketEdit(Base):
    """One change of one ticket field by a person, with the reason (urgency: required)."""

    __tablename__ = "ticket_wijzigingen"

    id: int = Column(Integer, primary_key=True)
    ticket_id: int = ticket_id_column(ondelete="CASCADE", nullable=False)
    field: str = Column(String(40), nullable=False)
    old: str | None = Column(Text, nullable=True)
    new: str | None = Column(Text, nullable=True)
    reason: str | None = Column(Text, nullable=True)
    by: str = Column(String(100), nullable=False)
    at: datetime = Column(UTCDateTime(), nullable=False)
