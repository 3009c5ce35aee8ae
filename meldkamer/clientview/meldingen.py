"""Which data of a melding its client may see: one row type and the queries that fill it.

The portal, the monthly report and its CSV all read a client's meldingen through this
module, so what a client sees cannot drift apart between them. A client sees only its own
tickets (``client_id``), and of a ticket only the fields listed on :class:`ClientMelding`:
never the agents' internal notes, the assistant's reasons or the agents' names.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from meldkamer.clientview.labels import channel_label, status_label, topic_label, urgency_label
from meldkamer.handover.models import Handover
from meldkamer.rows import view_of
from meldkamer.tickets.models import Ticket

# Column objects for the expressions SQLAlchemy 1.4's untyped attributes hide from mypy.
HANDOVERS = Handover.__table__.c


@dataclass(frozen=True)
class ClientMelding:
    """One melding as its client may see it.

    Attributes:
        ticket_id: the internal id (for the client's own follow-up queries; not shown).
        created_at: when the ticket was registered (UTC; show it in Europe/Amsterdam).
        inform_client: the client had to be informed directly (habitability in danger).
        needs_assessment: a person of the meldkamer judged the urgency.
        handed_over: the conversation was handed to a person of the meldkamer.
        handover_requested_at: when the first handover was asked for.
        handover_taken_at: when a person first took it (``None``: not taken).
        callback: a call-back was promised because no person was free.
    """

    ticket_id: int
    number: str
    created_at: datetime
    channel: str
    topic: str
    urgency: str
    status: str
    inform_client: bool
    needs_assessment: bool
    complex_id: str | None
    postcode: str
    huisnummer: int
    huisnummer_toevoeging: str | None
    naam: str
    telefoon: str
    email: str | None
    beschrijving: str
    handed_over: bool
    handover_requested_at: datetime | None
    handover_taken_at: datetime | None
    callback: bool

    @property
    def channel_label(self) -> str:
        """The channel in Dutch."""
        return channel_label(self.channel)

    @property
    def topic_label(self) -> str:
        """The topic in Dutch."""
        return topic_label(self.topic)

    @property
    def urgency_label(self) -> str:
        """The urgency in Dutch."""
        return urgency_label(self.urgency)

    @property
    def status_label(self) -> str:
        """The status in Dutch."""
        return status_label(self.status)

    @property
    def address(self) -> str:
        """Postcode and house number as the tenant gave them (``1234 AB 12a``)."""
        suffix = self.huisnummer_toevoeging or ""
        return f"{self.postcode} {self.huisnummer}{suffix}"


def _check_period(start: datetime, end: datetime) -> None:
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("begin en einde van de periode moeten een tijdzone hebben")
    if end <= start:
        raise ValueError(f"de periode is leeg: einde {end.isoformat()} ligt niet na begin")


def _handovers(session: Session, tickets: list[Ticket]) -> dict[int, list[Handover]]:
    """The handovers of each ticket: linked by ticket, or by conversation before the ticket."""
    if not tickets:
        return {}
    by_conversation = {t.conversation_id: t.id for t in tickets}
    query = select(Handover).where(
        or_(
            HANDOVERS.ticket_id.in_([t.id for t in tickets]),
            HANDOVERS.ticket_id.is_(None) & HANDOVERS.conversation_id.in_(list(by_conversation)),
        )
    )
    found: dict[int, list[Handover]] = defaultdict(list)
    for handover in session.execute(query).scalars():
        owner = handover.ticket_id or by_conversation.get(handover.conversation_id)
        if owner is not None:
            found[owner].append(handover)
    return found


def _row(ticket: Ticket, handovers: list[Handover]) -> ClientMelding:
    ordered = sorted(handovers, key=lambda h: (h.requested_at, h.id))
    taken = [h.taken_at for h in ordered if h.taken_at is not None]
    return view_of(
        ClientMelding,
        ticket,
        ticket_id=ticket.id,
        inform_client=bool(ticket.inform_client),
        needs_assessment=bool(ticket.needs_assessment),
        handed_over=bool(ordered),
        handover_requested_at=ordered[0].requested_at if ordered else None,
        handover_taken_at=min(taken) if taken else None,
        callback=any(h.callback for h in ordered),
    )


def _rows(session: Session, tickets: list[Ticket]) -> list[ClientMelding]:
    handovers = _handovers(session, tickets)
    return [_row(ticket, handovers.get(ticket.id, [])) for ticket in tickets]


def client_meldingen(
    session: Session, client_id: str, start: datetime, end: datetime
) -> list[ClientMelding]:
    """The client's meldingen registered in ``[start, end)``, oldest first.

    Raises:
        ValueError: an empty client id, a naive ``start``/``end`` or an empty period.
    """
    if not client_id:
        raise ValueError("geen opdrachtgever opgegeven")
    _check_period(start, end)
    query = (
        select(Ticket)
        .where(Ticket.client_id == client_id, Ticket.created_at >= start, Ticket.created_at < end)
        .order_by(Ticket.created_at, Ticket.id)
    )
    return _rows(session, list(session.execute(query).scalars()))


def client_melding(session: Session, client_id: str, number: str) -> ClientMelding | None:
    """The client's melding with ticket number ``number``; ``None`` when it is not theirs.

    Another client's ticket and a ticket that does not exist answer alike, so a client
    cannot learn which numbers exist elsewhere.
    """
    if not client_id:
        return None
    query = select(Ticket).where(Ticket.number == number, Ticket.client_id == client_id)
    ticket = session.execute(query).scalar_one_or_none()
    return None if ticket is None else _rows(session, [ticket])[0]
