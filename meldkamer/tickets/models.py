"""Database tables of the ticket store: tickets, their status history and numbering.

Attributes carry plain Python annotations (``number: str = Column(...)``) because
SQLAlchemy 1.4 ships no type hints; SQLAlchemy ignores them, mypy uses them.
"""

from __future__ import annotations

import enum
from datetime import date, datetime, timezone
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
)
from sqlalchemy.orm import declarative_base, relationship
from sqlalchemy.types import TypeDecorator

# Fixed constraint names, so a later migration can drop or alter them by name on
# SQLite and PostgreSQL alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)

if TYPE_CHECKING:

    class Base:
        """What mypy sees of the declarative base (SQLAlchemy 1.4 has no type hints)."""

        metadata: ClassVar[MetaData]
        __table__: ClassVar[Any]

        def __init__(self, **kwargs: Any) -> None: ...

else:
    Base = declarative_base(metadata=metadata)


class TicketStatus(str, enum.Enum):
    """Where a ticket is in its handling."""

    NIEUW = "nieuw"
    DOORGEZET = "doorgezet"
    IN_BEHANDELING = "in_behandeling"
    WACHT_OP_TERUGBELLEN = "wacht_op_terugbellen"
    AFGEROND = "afgerond"
    GEANNULEERD = "geannuleerd"


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


class UTCDateTime(TypeDecorator):
    """A timezone-aware timestamp, stored and returned in UTC.

    SQLite keeps no offset, so values are converted to UTC on the way in and
    marked as UTC on the way out; naive datetimes are refused rather than guessed.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        """Convert an aware datetime to UTC before it is stored."""
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value.isoformat()} has no timezone")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        """Return the stored timestamp as an aware UTC datetime."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class TicketStatusChange(Base):
    """One step in a ticket's status history."""

    __tablename__ = "ticket_status_changes"

    id: int = Column(Integer, primary_key=True)
    ticket_id: int = Column(
        Integer, ForeignKey("tickets.id", ondelete="CASCADE"), nullable=False, index=True
    )
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
