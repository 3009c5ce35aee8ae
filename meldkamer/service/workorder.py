"""Use case: a step in a work order's life, from the page, an SMS, the console or the CLI.

:func:`update_work_order` is the one place a work order changes status after it was
sent: it checks the step against :mod:`meldkamer.dispatch.lifecycle`, records it in the
order's history (``werkbon_gebeurtenissen``) and the contact log with who and when, lets
the ticket follow (``gereed`` closes it unless the client checks first, ``niet gelukt``
asks a person for the follow-up), escalates at once on "ik kan niet", and calls the SLA
clocks (H3) and the tenant's updates (H2). All in the caller's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import desc, select
from sqlalchemy.orm import Session

from meldkamer.clients.registry import ClientRegistry
from meldkamer.clients.schema import Client
from meldkamer.contacts import Channel, ContactKind, Direction, Party, record_contact
from meldkamer.dispatch.escalation import escalate_order
from meldkamer.dispatch.lifecycle import ACTOR_OF, DECLINE, STEPS, Actor, Via, check_change
from meldkamer.dispatch.links import LinkPolicy, find_valid
from meldkamer.dispatch.models import WorkOrder, WorkOrderEvent
from meldkamer.dispatch.models import WorkOrderStatus as S
from meldkamer.dispatch.service import DispatchSettings
from meldkamer.service.context import Collaborators
from meldkamer.service.tenant_updates import notify_tenant
from meldkamer.sla.service import on_work_order_event
from meldkamer.tickets import Ticket, TicketStatus, change_status, flag_attention
from meldkamer.tickets.models import can_transition
from meldkamer.tickets.store import get_ticket

#: Where a change made through each way in lands in the contact log: (direction, channel).
#: An agent who sets a step does so for a contractor who called in.
_CONTACT_OF: dict[Via, tuple[Direction, Channel]] = {
    Via.PAGINA: (Direction.IN, Channel.PAGINA),
    Via.SMS: (Direction.IN, Channel.SMS),
    Via.CLI: (Direction.IN, Channel.TELEFOON),
    Via.CONSOLE: (Direction.IN, Channel.TELEFOON),
    Via.SYSTEEM: (Direction.INTERN, Channel.SYSTEEM),
}
_STARTED = (S.BEVESTIGD, S.ONDERWEG, S.TER_PLAATSE)


@dataclass(frozen=True)
class Change:
    """What a step did.

    Attributes:
        already: the order had this status already: nothing changed, nothing recorded.
        event: the history row (``None`` when ``already``).
        escalation: what the escalation did on "ik kan niet", else ``None``.
    """

    order: WorkOrder
    ticket: Ticket
    already: bool
    event: WorkOrderEvent | None = None
    escalation: str | None = None


@dataclass(frozen=True)
class Request:
    """A step asked for: which status, by whom, through what, with its data."""

    status: S | str
    by: str
    via: Via
    eta_minutes: int | None = None
    note: str | None = None
    photo: str | None = None


def update_work_order(
    session: Session,
    order: WorkOrder,
    request: Request,
    *,
    registry: ClientRegistry,
    settings: DispatchSettings,
    now: datetime,
) -> Change:
    """Apply one step to ``order`` (the caller commits).

    Raises:
        TransitionError: the step is not allowed now, by this actor, or lacks its data.
        LookupError: the order's ticket is gone.
    """
    ticket = session.get(Ticket, order.ticket_id)
    if ticket is None:
        raise LookupError(f"werkbon {order.id} hoort bij geen ticket meer")
    actor = ACTOR_OF[request.via]
    asked = request.status.value if isinstance(request.status, S) else request.status
    if order.status == asked != S.ONDERWEG.value:
        return Change(order, ticket, already=True)
    note = (request.note or "").strip() or None
    target = check_change(
        order.status, request.status, actor, eta_minutes=request.eta_minutes, note=note
    )
    minutes = request.eta_minutes if target is S.ONDERWEG else None
    event = WorkOrderEvent(
        work_order_id=order.id,
        ticket_id=ticket.id,
        status_from=order.status,
        status_to=target.value,
        eta_at=None if minutes is None else now + timedelta(minutes=minutes),
        note=note,
        by=request.by[:100],
        via=request.via.value,
        at=now,
    )
    _apply(order, target, event, request.photo, now)
    session.add(event)
    session.flush()
    _log(session, ticket, order, event, request.via)
    client = registry.get(order.client_id) if order.client_id in registry else None
    escalation = None
    if target is DECLINE:
        escalation = escalate_order(session, order, ticket, registry, settings, now)
    else:
        _ticket_follows(session, ticket, order, target, request.by, client, now)
    on_work_order_event(session, order, now)
    notify_tenant(session, ticket, event, order=order, client=client, now=now)
    session.flush()
    return Change(order, ticket, already=False, event=event, escalation=escalation)


def _apply(
    order: WorkOrder, target: S, event: WorkOrderEvent, photo: str | None, now: datetime
) -> None:
    order.status = target.value
    if target in _STARTED and order.acknowledged_at is None:
        order.acknowledged_at = now  # on the way or on site: the contractor goes
    if target is S.ONDERWEG:
        order.eta_at = event.eta_at
    elif target is S.TER_PLAATSE:
        order.on_site_at = now
    elif target is S.GEREED:
        order.done_at = order.closed_at = now
        order.report, order.photo = event.note, photo
    elif target in (S.NIET_GELUKT, S.GEANNULEERD):
        order.closed_at = now
        order.report = event.note


def _log(
    session: Session, ticket: Ticket, order: WorkOrder, event: WorkOrderEvent, via: Via
) -> None:
    direction, channel = _CONTACT_OF[via]
    label = STEPS[S(event.status_to)].label
    summary = f"Werkbon {order.contractor_name}: {label}"
    if event.eta_at is not None:
        summary += f", verwacht {event.eta_at.isoformat(timespec='minutes')}"
    if event.note:
        summary += f" ({event.note})"
    record_contact(
        session,
        at=event.at,
        direction=direction,
        channel=channel,
        party=Party.AANNEMER if via is not Via.SYSTEEM else Party.MELDKAMER,
        kind=ContactKind.ESCALATIE if event.status_to == DECLINE.value else ContactKind.STATUS,
        summary=summary,
        ticket_id=ticket.id,
        conversation_id=ticket.conversation_id,
        client_id=ticket.client_id,
        by=event.by,
        ref=f"werkbon:{order.id}",
    )


def _ticket_follows(
    session: Session,
    ticket: Ticket,
    order: WorkOrder,
    target: S,
    by: str,
    client: Client | None,
    now: datetime,
) -> None:
    reason = f"werkbon {order.contractor_name}: {STEPS[target].label}"
    if target in _STARTED:
        _move(session, ticket, TicketStatus.IN_BEHANDELING, by, reason, now)
    elif target is S.GEREED:
        if client is not None and client.check_after_done:
            flag_attention(session, ticket, "Werk gereed: de opdrachtgever controleert eerst", now)
        else:
            _move(session, ticket, TicketStatus.AFGEROND, by, reason, now)
    elif target is S.NIET_GELUKT:
        flag_attention(
            session, ticket, f"Werk niet gelukt ({order.report}): regel een vervolg", now
        )


def _move(
    session: Session, ticket: Ticket, status: TicketStatus, by: str, reason: str, now: datetime
) -> None:
    if ticket.status != status.value and can_transition(ticket.status, status):
        change_status(session, ticket, status, by=by, reason=reason, now=now)


# --- the ways in --------------------------------------------------------------------------


def update_by_token(c: Collaborators, token: str, request: Request, policy: LinkPolicy) -> Change:
    """A step set on the work-order page (the link's secret opens the order).

    Raises:
        UnknownWorkOrder: the link is unknown or expired.
        TransitionError: the step is not allowed now.
    """
    now = c.clock()
    with c.sessions.begin() as session:
        order = find_valid(session, token, now, policy)
        return update_work_order(
            session, order, request, registry=c.registry(), settings=c.dispatch, now=now
        )


class NoWorkOrder(LookupError):
    """The ticket has no work order that can still change."""


def current_order(session: Session, ticket_id: int) -> WorkOrder | None:
    """The ticket's newest work order (the one the contractor works on)."""
    order: WorkOrder | None = session.execute(
        select(WorkOrder)
        .where(WorkOrder.ticket_id == ticket_id)
        .order_by(desc(WorkOrder.created_at), desc(WorkOrder.id))
        .limit(1)
    ).scalar_one_or_none()
    return order


def update_by_number(c: Collaborators, number: str, request: Request) -> Change:
    """A step set by an agent for the ticket's current work order (``meldkamer werkbon``).

    Raises:
        NoWorkOrder: no ticket with this number, or it has no work order.
        TransitionError: the step is not allowed now.
    """
    now = c.clock()
    with c.sessions.begin() as session:
        ticket = get_ticket(session, number)
        order = current_order(session, ticket.id) if ticket is not None else None
        if ticket is None or order is None:
            raise NoWorkOrder(
                f"ticket {number} niet gevonden"
                if ticket is None
                else f"{number} heeft geen werkbon"
            )
        return update_work_order(
            session, order, request, registry=c.registry(), settings=c.dispatch, now=now
        )


__all__ = [
    "Actor",
    "Change",
    "NoWorkOrder",
    "Request",
    "Via",
    "current_order",
    "update_by_number",
    "update_by_token",
    "update_work_order",
]
