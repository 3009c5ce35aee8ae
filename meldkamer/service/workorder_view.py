"""Use case: what the contractor sees behind the work-order link, and may do next."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from meldkamer.attachments.store import for_ticket
from meldkamer.dispatch.lifecycle import STATUS_LABELS, Actor, next_steps
from meldkamer.dispatch.links import LinkPolicy, find_valid
from meldkamer.dispatch.models import WorkOrderEvent
from meldkamer.dispatch.models import WorkOrderStatus as S
from meldkamer.dispatch.texts import address, facts_lines, topic_name
from meldkamer.service.context import Collaborators
from meldkamer.tickets import Ticket


@dataclass(frozen=True)
class HistoryLine:
    """One step of the order, as the page shows it."""

    at: datetime
    label: str
    by: str
    note: str | None


@dataclass(frozen=True)
class WorkOrderView:
    """Everything the contractor needs on the page (no internal ids, no raw values)."""

    number: str
    topic: str
    urgency: str
    status: str
    status_label: str
    contractor: str
    address: str
    tenant_name: str
    tenant_phone: str
    description: str
    answers: list[str]
    photos: int
    deadline: datetime
    eta_at: datetime | None
    history: list[HistoryLine]
    next_steps: list[S]


def work_order_view(c: Collaborators, token: str, policy: LinkPolicy) -> WorkOrderView:
    """The order behind a valid link.

    Raises:
        UnknownWorkOrder: the link is unknown or expired.
    """
    with c.sessions() as session:
        order = find_valid(session, token, c.clock(), policy)
        ticket = session.get(Ticket, order.ticket_id)
        if ticket is None:  # the order cascades with its ticket: only in a race
            raise LookupError("werkbon zonder ticket")
        events = session.execute(
            select(WorkOrderEvent)
            .where(WorkOrderEvent.work_order_id == order.id)
            .order_by(WorkOrderEvent.at, WorkOrderEvent.id)
        ).scalars()
        return WorkOrderView(
            number=ticket.number,
            topic=topic_name(ticket.topic),
            urgency=order.urgency,
            status=order.status,
            status_label=STATUS_LABELS[order.status],
            contractor=order.contractor_name,
            address=address(ticket),
            tenant_name=ticket.naam,
            tenant_phone=ticket.telefoon,
            description=ticket.beschrijving,
            answers=[line.removeprefix("- ") for line in facts_lines(ticket)],
            photos=len(for_ticket(session, ticket.id)),
            deadline=order.deadline,
            eta_at=order.eta_at,
            history=[HistoryLine(e.at, STATUS_LABELS[e.status_to], e.by, e.note) for e in events],
            next_steps=next_steps(order.status, Actor.AANNEMER),
        )
