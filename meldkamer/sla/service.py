"""Opening and settling SLA clocks, and reading them (the ticket, the Bewaking page).

Clocks follow what already happened: :func:`sync` opens the clocks of every work order
and handover that has none yet and settles those whose promise was kept or dropped, so a
work order sent by any path, or a worker that was down, never goes unwatched.
:func:`on_work_order_event` does the same at once for one work order when its status
changes (``meldkamer.service.workorder.update_work_order`` calls it).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from meldkamer.agents.scope import UNLIMITED, AgentScope
from meldkamer.clients.registry import ClientRegistry
from meldkamer.clients.schema import Client, SlaTargets
from meldkamer.clients.store import latest
from meldkamer.dispatch.models import WorkOrder, WorkOrderStatus
from meldkamer.handover.models import Handover, HandoverStatus
from meldkamer.sla.chain import STEP_LABELS, Step
from meldkamer.sla.clocks import (
    CLOCK_LABELS,
    RISK_LABELS,
    STATE_LABELS,
    ClockKind,
    ClockState,
    Risk,
    met_at,
    order_targets,
    risk,
    stops,
)
from meldkamer.sla.models import SlaClock
from meldkamer.tickets.models import Ticket

CLOCKS = SlaClock.__table__.c
ORDERS = WorkOrder.__table__.c
HANDOVERS = Handover.__table__.c

#: Clocks that still need watching: running, or breached and not yet answered.
WATCHED = (ClockState.LOOPT.value, ClockState.VERLOPEN.value)
_FINAL_ORDERS = (
    WorkOrderStatus.GEREED.value,
    WorkOrderStatus.NIET_GELUKT.value,
    WorkOrderStatus.GEANNULEERD.value,
)


def _sla(client: Client | None) -> SlaTargets:
    return client.sla if client is not None else SlaTargets()


def _client(registry: ClientRegistry, client_id: str | None) -> Client | None:
    return registry.get(client_id) if client_id and client_id in registry else None


def open_order_clocks(
    session: Session, order: WorkOrder, client: Client | None, now: datetime
) -> list[SlaClock]:
    """Open the work order's clocks it does not have yet; returns the new ones."""
    have = set(
        session.execute(select(CLOCKS.clock).where(CLOCKS.work_order_id == order.id)).scalars()
    )
    first_sent = session.execute(
        select(func.min(ORDERS.created_at)).where(ORDERS.ticket_id == order.ticket_id)
    ).scalar_one()
    new = [
        SlaClock(
            ticket_id=order.ticket_id,
            work_order_id=order.id,
            clock=target.kind.value,
            target_at=target.target_at,
            escalation_step=0,
            state=ClockState.LOOPT.value,
        )
        for target in order_targets(order, _sla(client), first_sent or order.created_at)
        if target.kind.value not in have
    ]
    session.add_all(new)
    session.flush()
    for clock in new:
        settle(session, clock, now)
    return new


def settle(session: Session, clock: SlaClock, now: datetime) -> None:
    """Mark the clock met or stopped when its work order or handover says so."""
    if clock.state not in WATCHED or clock.met_at is not None:
        return
    kind = ClockKind(clock.clock)
    met: datetime | None = None
    stopped = False
    if clock.work_order_id is not None:
        order = session.get(WorkOrder, clock.work_order_id)
        if order is not None:
            met, stopped = met_at(kind, order), stops(kind, order)
    elif clock.handover_id is not None:
        handover = session.get(Handover, clock.handover_id)
        if handover is not None:
            met = handover.taken_at
            stopped = handover.status in (
                HandoverStatus.GESLOTEN.value,
                HandoverStatus.TERUG_NAAR_BOT.value,
            )
    if met is not None:
        clock.met_at = met
        if clock.state == ClockState.LOOPT.value:
            # Kept late but before the worker looked: still a breach, on the record.
            late = met > clock.target_at
            clock.state = (ClockState.VERLOPEN if late else ClockState.GEHAALD).value
            clock.breached_at = clock.target_at if late else None
    elif stopped:
        # A breach stays on the record in ``breached_at``; its escalation ends here.
        clock.state = ClockState.GESTOPT.value


def on_work_order_event(session: Session, order: WorkOrder, now: datetime) -> None:
    """A work order changed: open its clocks if it has none, and settle them."""
    clocks = _order_clocks(session, [order.id])
    if not clocks and order.status not in _FINAL_ORDERS:
        registry = latest(session)
        clocks = open_order_clocks(session, order, _client(registry, order.client_id), now)
    for clock in clocks:
        settle(session, clock, now)
    session.flush()


def _order_clocks(session: Session, order_ids: Iterable[int]) -> list[SlaClock]:
    return list(
        session.execute(select(SlaClock).where(CLOCKS.work_order_id.in_(list(order_ids))))
        .scalars()
        .all()
    )


def open_handover_clock(session: Session, handover: Handover, client: Client | None) -> SlaClock:
    """The answer clock of a handover; a chat without a ticket yet runs it all the same."""
    clock = SlaClock(
        ticket_id=handover.ticket_id,
        handover_id=handover.id,
        clock=ClockKind.ANTWOORD_MEDEWERKER.value,
        target_at=handover.requested_at + _sla(client).answer,
        escalation_step=0,
        state=ClockState.LOOPT.value,
    )
    session.add(clock)
    return clock


def sync(session: Session, registry: ClientRegistry, now: datetime, limit: int = 200) -> int:
    """Open missing clocks and settle the watched ones; returns how many were opened."""
    unclocked = (
        select(WorkOrder)
        .where(
            ORDERS.status.notin_(_FINAL_ORDERS),
            ~exists().where(CLOCKS.work_order_id == ORDERS.id),
        )
        .order_by(ORDERS.id)
        .limit(limit)
    )
    opened = 0
    for order in session.execute(unclocked).scalars():
        opened += len(open_order_clocks(session, order, _client(registry, order.client_id), now))
    waiting = (
        select(Handover)
        .where(
            HANDOVERS.status == HandoverStatus.WACHTEND.value,
            ~exists().where(CLOCKS.handover_id == HANDOVERS.id),
        )
        .limit(limit)
    )
    for handover in session.execute(waiting).scalars():
        open_handover_clock(session, handover, _client(registry, handover.client_id))
        opened += 1
    _attach_tickets(session)
    session.flush()
    watched = select(SlaClock).where(CLOCKS.state.in_(WATCHED), CLOCKS.met_at.is_(None))
    for clock in session.execute(watched).scalars():
        settle(session, clock, now)
    session.flush()
    return opened


def _attach_tickets(session: Session) -> None:
    """A chat's clock gets its ticket once the handover has one (for the ticket's SLA list)."""
    pending = select(SlaClock, HANDOVERS.ticket_id).join(
        Handover, HANDOVERS.id == CLOCKS.handover_id
    )
    pending = pending.where(CLOCKS.ticket_id.is_(None), HANDOVERS.ticket_id.is_not(None))
    for clock, ticket_id in session.execute(pending).all():
        clock.ticket_id = ticket_id


def clock_dict(clock: SlaClock) -> dict[str, object]:
    """A clock as plain data (``meldkamer tickets show --json``, the ticket page)."""
    return {
        "clock": clock.clock,
        "label": CLOCK_LABELS[clock.clock],
        "work_order_id": clock.work_order_id,
        "target_at": clock.target_at.isoformat(),
        "state": clock.state,
        "state_label": STATE_LABELS[clock.state],
        "met_at": clock.met_at.isoformat() if clock.met_at else None,
        "breached_at": clock.breached_at.isoformat() if clock.breached_at else None,
        "escalation_step": clock.escalation_step,
        "escalation": STEP_LABELS[clock.escalation_step],
    }


def sla_for_ticket(session: Session, ticket_id: int) -> list[dict[str, object]]:
    """The ticket's clocks, by target."""
    query = select(SlaClock).where(CLOCKS.ticket_id == ticket_id).order_by(CLOCKS.target_at)
    return [clock_dict(clock) for clock in session.execute(query).scalars()]


@dataclass(frozen=True)
class Watched:
    """One clock on the Bewaking page."""

    id: int
    #: The ticket's number; ``None`` for a handed-over chat that has no ticket yet.
    ticket_number: str | None
    handover_id: int | None
    what: str
    who: str
    target_at: datetime
    state: str
    state_label: str
    risk: Risk
    risk_label: str
    escalation: str


def _started(session: Session, clock: SlaClock) -> datetime:
    if clock.work_order_id is not None:
        order = session.get(WorkOrder, clock.work_order_id)
        if order is not None:
            started: datetime = order.created_at
            return started
    if clock.handover_id is not None:
        handover = session.get(Handover, clock.handover_id)
        if handover is not None:
            requested: datetime = handover.requested_at
            return requested
    return clock.target_at


def _who(session: Session, clock: SlaClock) -> str:
    if clock.work_order_id is not None:
        order = session.get(WorkOrder, clock.work_order_id)
        return order.contractor_name if order is not None else ""
    handover = session.get(Handover, clock.handover_id) if clock.handover_id else None
    return (handover.agent or "nog niemand") if handover is not None else ""


def watched(session: Session, now: datetime, scope: AgentScope = UNLIMITED) -> list[Watched]:
    """Every clock still watched of ``scope``'s clients, the most at risk first."""
    rows: list[Watched] = []
    tickets = Ticket.__table__.c
    query = select(SlaClock, tickets.number)
    query = query.outerjoin(Ticket, tickets.id == CLOCKS.ticket_id)
    query = query.outerjoin(Handover, HANDOVERS.id == CLOCKS.handover_id)
    query = query.where(CLOCKS.state.in_(WATCHED), CLOCKS.met_at.is_(None))
    # A chat without a ticket belongs to its handover's client.
    query = query.where(scope.where(func.coalesce(tickets.client_id, HANDOVERS.client_id)))
    # A breach passed to the next contractor is watched through the new work order.
    query = query.where(CLOCKS.escalation_step != Step.AANNEMER.value)
    for clock, number in session.execute(query).all():
        level = risk(_started(session, clock), clock.target_at, now)
        rows.append(
            Watched(
                id=clock.id,
                ticket_number=number,
                handover_id=clock.handover_id,
                what=CLOCK_LABELS[clock.clock],
                who=_who(session, clock),
                target_at=clock.target_at,
                state=clock.state,
                state_label=STATE_LABELS[clock.state],
                risk=level,
                risk_label=RISK_LABELS[level.level],
                escalation=STEP_LABELS[clock.escalation_step],
            )
        )
    return sorted(rows, key=lambda row: (row.risk.seconds_left, row.id))
