"""What a client may see of what happened after its meldingen: work orders, SLA clocks, contacts.

Like :mod:`meldkamer.clientview.meldingen`, every query is bounded by the client's id and
returns typed rows with only the fields a client may see: contractors' names and their
times, never the acknowledgement links' hashes, the agents' names or internal contacts.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from meldkamer.clientview.labels import channel_label
from meldkamer.contacts import KIND_LABELS, PARTY_LABELS, Contact, Direction
from meldkamer.dispatch.lifecycle import STATUS_LABELS as ORDER_STATUS_LABELS
from meldkamer.dispatch.models import WorkOrder, WorkOrderStatus
from meldkamer.labels import readable
from meldkamer.rows import View, rows_of, view_of
from meldkamer.sla.clocks import CLOCK_LABELS
from meldkamer.sla.models import SlaClock
from meldkamer.tickets.models import Ticket

ORDERS = WorkOrder.__table__.c
CLOCKS = SlaClock.__table__.c
CONTACTS = Contact.__table__.c
TICKETS = Ticket.__table__.c
_OLDEST_ORDER = (ORDERS.created_at, ORDERS.id)
_FIRST_TARGET = (CLOCKS.target_at, CLOCKS.id)


#: How an SLA promise went, in the order a report lists them.
OUTCOME_LABELS: dict[str, str] = {
    "op_tijd": "op tijd",
    "te_laat": "te laat nagekomen",
    "verlopen": "verlopen, niet nagekomen",
    "loopt": "loopt nog",
    "vervallen": "vervallen (geannuleerd)",
}


@dataclass(frozen=True)
class ClientWorkOrder:
    """One work order of one of the client's meldingen.

    Attributes:
        step: 0 for the contractor asked first, 1 for the next after an escalation, ...
        deadline: acuut: acknowledge by then; urgent: the work is due.
    """

    id: int
    ticket_id: int
    contractor_id: str
    contractor_name: str
    trade: str
    urgency: str
    status: str
    step: int
    created_at: datetime
    deadline: datetime
    acknowledged_at: datetime | None
    on_site_at: datetime | None
    done_at: datetime | None

    @property
    def status_label(self) -> str:
        """The work order's status in Dutch."""
        return ORDER_STATUS_LABELS.label(self.status)

    @property
    def escalated(self) -> bool:
        """The contractor did not acknowledge in time and the next one was asked."""
        return self.status == WorkOrderStatus.GEESCALEERD.value


@dataclass(frozen=True)
class ClientClock:
    """One SLA promise on one of the client's meldingen and how it went.

    Attributes:
        clock: ``bevestiging``, ``ter_plaatse``, ``gereed`` or ``antwoord_medewerker``.
        met_at: when the promise was kept (also when late); ``None``: not (yet) kept.
        breached_at: when the target passed unmet; ``None``: never breached.
        escalation_step: how far the breach went (0 none, 1 next contractor, 2 supervisor,
            3 the client's piket).
    """

    ticket_id: int
    work_order_id: int | None
    clock: str
    state: str
    target_at: datetime
    met_at: datetime | None
    breached_at: datetime | None
    escalation_step: int

    @property
    def label(self) -> str:
        """What the clock promises, in Dutch."""
        return CLOCK_LABELS.get(self.clock) or readable(self.clock)

    @property
    def outcome(self) -> str:
        """How the promise went: a key of :data:`OUTCOME_LABELS`."""
        if self.met_at is not None:
            return "op_tijd" if self.met_at <= self.target_at else "te_laat"
        if self.breached_at is not None:
            return "verlopen"
        return "loopt" if self.state == "loopt" else "vervallen"

    @property
    def escalated(self) -> bool:
        """The breach was escalated along the chain."""
        return self.escalation_step > 0


@dataclass(frozen=True)
class ClientContact:
    """One contact of the contact log a client may see (never the meldkamer's internal ones)."""

    ticket_id: int | None
    at: datetime
    direction: str
    channel: str
    party: str
    kind: str
    summary: str

    @property
    def channel_label(self) -> str:
        """The channel in Dutch."""
        return channel_label(self.channel)

    @property
    def party_label(self) -> str:
        """The other side in Dutch."""
        return PARTY_LABELS.label(self.party)

    @property
    def kind_label(self) -> str:
        """The kind of contact in Dutch."""
        return KIND_LABELS.label(self.kind)


def _own_tickets(client_id: str, ticket_ids: Collection[int]) -> object:
    """The subset of ``ticket_ids`` that belongs to the client, as a subquery."""
    return select(TICKETS.id).where(
        TICKETS.client_id == client_id, TICKETS.id.in_(list(ticket_ids))
    )


def _own_views(
    view: type[View],
    model: type[Any],
    order_by: Sequence[Any],
    session: Session,
    client_id: str,
    ticket_ids: Collection[int],
) -> list[View]:
    """``view`` of each row of ``model`` that belongs to the client's tickets among ``ticket_ids``."""
    if not client_id or not ticket_ids:
        return []
    of_ticket = model.__table__.c.ticket_id.in_(_own_tickets(client_id, ticket_ids))
    return [view_of(view, row) for row in rows_of(session, model, of_ticket, order_by=order_by)]


def client_work_orders(
    session: Session, client_id: str, ticket_ids: Collection[int]
) -> list[ClientWorkOrder]:
    """The work orders of the client's tickets among ``ticket_ids``, oldest first."""
    return _own_views(ClientWorkOrder, WorkOrder, _OLDEST_ORDER, session, client_id, ticket_ids)


def client_clocks(
    session: Session, client_id: str, ticket_ids: Collection[int]
) -> list[ClientClock]:
    """The SLA clocks of the client's tickets among ``ticket_ids``, by target."""
    return _own_views(ClientClock, SlaClock, _FIRST_TARGET, session, client_id, ticket_ids)


def client_contacts(
    session: Session, client_id: str, start: datetime, end: datetime
) -> list[ClientContact]:
    """The client's contacts in ``[start, end)`` (with or without a ticket), oldest first.

    A contact belongs to the client by its own ``client_id`` or by its ticket's; the
    meldkamer's internal contacts are left out.
    """
    if not client_id:
        return []
    own = select(TICKETS.id).where(TICKETS.client_id == client_id)
    query = (
        select(Contact)
        .where(CONTACTS.at >= start, CONTACTS.at < end)
        .where((CONTACTS.client_id == client_id) | CONTACTS.ticket_id.in_(own))
        .where(CONTACTS.direction != Direction.INTERN.value)
        .order_by(CONTACTS.at, CONTACTS.id)
    )
    return [view_of(ClientContact, c) for c in session.execute(query).scalars()]


def ticket_contacts(session: Session, client_id: str, ticket_id: int) -> list[ClientContact]:
    """The contacts of one of the client's tickets (none for another client's), oldest first."""
    query = (
        select(Contact)
        .where(CONTACTS.ticket_id.in_(_own_tickets(client_id, [ticket_id])))
        .where(CONTACTS.direction != Direction.INTERN.value)
        .order_by(CONTACTS.at, CONTACTS.id)
    )
    return [view_of(ClientContact, c) for c in session.execute(query).scalars()]
