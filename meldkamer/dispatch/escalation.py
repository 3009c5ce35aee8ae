"""Escalation and acknowledgement of acuut work orders.

A contractor acknowledges through the link in the work order. An acuut work order not
acknowledged by its deadline goes to the next contractor of the chain that was on call
when the ticket was dispatched; after the last one, a person of the meldkamer takes
over (the ticket is flagged and the agents are e-mailed). The worker runs
:func:`escalate_due` every round.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from meldkamer.clients.registry import ClientRegistry
from meldkamer.clients.schema import Contractor
from meldkamer.clients.store import latest
from meldkamer.contacts import enqueue_logged
from meldkamer.dispatch import texts
from meldkamer.dispatch.links import LinkPolicy, find_valid
from meldkamer.dispatch.models import WorkOrder, WorkOrderStatus
from meldkamer.dispatch.service import DispatchSettings, send_work_order
from meldkamer.notify.worker import SessionFactory
from meldkamer.rows import rows_of
from meldkamer.tickets import Ticket, flag_attention
from meldkamer.triage import Urgency

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Acknowledgement:
    """The outcome of clicking the link: which order, and whether it was already done."""

    order: WorkOrder
    ticket_number: str
    already: bool


def acknowledge(
    session: Session, token: str, now: datetime, policy: LinkPolicy | None = None
) -> Acknowledgement:
    """Record that the contractor goes. An escalated order can still be acknowledged late.

    Raises:
        UnknownWorkOrder: the link is unknown or expired (see :mod:`meldkamer.dispatch.links`).
    """
    order = find_valid(session, token, now, policy or LinkPolicy())
    ticket = session.get(Ticket, order.ticket_id)
    number = ticket.number if ticket else "?"
    if order.status == WorkOrderStatus.BEVESTIGD.value:
        return Acknowledgement(order, number, already=True)
    order.status = WorkOrderStatus.BEVESTIGD.value
    order.acknowledged_at = now
    session.flush()
    return Acknowledgement(order, number, already=False)


def _due(session: Session, now: datetime, limit: int) -> list[WorkOrder]:
    query = (
        select(WorkOrder)
        .where(
            WorkOrder.status == WorkOrderStatus.VERSTUURD.value,
            WorkOrder.urgency == Urgency.ACUUT.value,
            WorkOrder.deadline <= now,
        )
        .order_by(WorkOrder.deadline)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        # Two workers never escalate the same order twice.
        query = query.with_for_update(skip_locked=True)
    return list(session.execute(query).scalars())


async def escalation_job(sessions: SessionFactory, now: datetime) -> None:
    """The worker's round: escalate overdue work orders with the clients as applied now."""
    with sessions() as session, session.begin():
        for line in escalate_due(session, latest(session), DispatchSettings.from_env(), now):
            logger.info("escalatie: %s", line)


def escalate_due(
    session: Session,
    registry: ClientRegistry,
    settings: DispatchSettings,
    now: datetime,
    limit: int = 50,
) -> list[str]:
    """Escalate every overdue acuut work order; returns what happened, one line each."""
    done: list[str] = []
    for order in _due(session, now, limit):
        ticket = session.get(Ticket, order.ticket_id)
        if ticket is None:
            continue
        # A later step already answered for the same ticket: nothing to escalate.
        if _acknowledged(session, ticket.id):
            order.status = WorkOrderStatus.GEESCALEERD.value
            continue
        done.append(escalate_order(session, order, ticket, registry, settings, now))
    session.flush()
    return done


def escalate_order(
    session: Session,
    order: WorkOrder,
    ticket: Ticket,
    registry: ClientRegistry,
    settings: DispatchSettings,
    now: datetime,
) -> str:
    """Ask the next contractor of the order's chain, or the meldkamer after the last one.

    Also used at once when a contractor answers "ik kan niet"; returns what happened.
    """
    order.status = WorkOrderStatus.GEESCALEERD.value
    chain = _chain(registry, order)
    if order.step + 1 < len(chain):
        new = send_work_order(
            session,
            ticket,
            registry.get(order.client_id),
            chain,
            order.step + 1,
            urgency=Urgency(order.urgency),
            settings=settings,
            now=now,
        )
        return f"{ticket.number}: niet bevestigd door {order.contractor_name}, nu {new.contractor_name}"
    else:
        orders = rows_of(session, WorkOrder, WorkOrder.ticket_id == ticket.id)
        reason = "Geen aannemer bevestigde de acute werkbon: bel zelf een aannemer"
        flag_attention(session, ticket, reason, now)
        if settings.agents_email:
            enqueue_logged(
                session,
                key=f"escalatie:{ticket.number}:{order.id}",
                kind="email",
                recipient=settings.agents_email,
                subject=f"ESCALATIE {ticket.number}: geen aannemer bevestigd",
                body=texts.escalation_to_agents(ticket, orders),
                ticket_id=ticket.id,
                purpose="escalatie",
                now=now,
            )
        return f"{ticket.number}: niemand bevestigd, naar de meldkamer"


def _acknowledged(session: Session, ticket_id: int) -> bool:
    return (
        session.execute(
            select(WorkOrder.id).where(
                WorkOrder.ticket_id == ticket_id,
                WorkOrder.status == WorkOrderStatus.BEVESTIGD.value,
            )
        ).first()
        is not None
    )


def _chain(registry: ClientRegistry, order: WorkOrder) -> list[Contractor]:
    """The contractors of the order's chain as they are configured now (contact details may change)."""
    if order.client_id not in registry:
        return []
    client = registry.get(order.client_id)
    return [client.contractors[c] for c in order.chain if c in client.contractors]
