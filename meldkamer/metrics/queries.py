"""What the business metrics count, read from the database in one short read.

Every figure is a plain query over the tables the other packages write; nothing here
keeps state, so any number of consoles can serve the same figures. A figure that only
grows (tickets created) is counted from rows that are never deleted in normal work, so
Prometheus can treat it as a counter (see :class:`Snapshot`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from meldkamer.clients.schema import Client
from meldkamer.dispatch.models import WorkOrder, WorkOrderStatus
from meldkamer.handover.models import Handover, HandoverStatus
from meldkamer.intake.spool import set_aside, spooled
from meldkamer.metrics.heartbeat import last_round
from meldkamer.notify.models import MessageKind, OutboxMessage, OutboxStatus
from meldkamer.privacy.models import PrivacyAction, PrivacyActionKind
from meldkamer.reports import missing_report_mails
from meldkamer.sla.clocks import ClockKind, ClockState
from meldkamer.sla.models import SlaClock
from meldkamer.tickets.models import Ticket, TicketEdit, TicketStatus
from meldkamer.triage import Urgency

# Column expressions (the models annotate attributes with their Python value types).
HANDOVERS = Handover.__table__.c
ORDERS = WorkOrder.__table__.c
OUTBOX = OutboxMessage.__table__.c
TICKETS = Ticket.__table__.c
EDITS = TicketEdit.__table__.c
PRIVACY = PrivacyAction.__table__.c
CLOCKS = SlaClock.__table__.c

#: The two queues a tenant waits in for a person.
LIVE, CALLBACK = "live", "callback"
LANES = (LIVE, CALLBACK)
#: The spool's two kinds of file: waiting to be registered, or set aside for a person.
SPOOL_WAITING, SPOOL_SET_ASIDE = "waiting", "set_aside"
_CLOSED = (TicketStatus.AFGEROND.value, TicketStatus.GEANNULEERD.value)
_PENDING = (OutboxStatus.WACHTRIJ.value, OutboxStatus.BEZIG.value)
KINDS = tuple(kind.value for kind in MessageKind)

Counts = dict[tuple[str, ...], float]
#: The clients in force, as the caller keeps them (the console's cached registry).
Clients = Callable[[], Iterable[Client]]


@dataclass
class Snapshot:
    """The business figures at one moment (``now``); label tuples map to values.

    Attributes:
        handovers_waiting: per lane, conversations no agent has taken yet.
        handover_oldest_wait_seconds: per lane, how long the first of them waits (0: none).
        workorders_open: per (state, urgency), work orders of tickets not closed.
        workorders_unacknowledged_acuut: acuut work orders sent and not yet acknowledged.
        workorders_past_deadline: per urgency, the SLA breaches: acuut orders still
            unacknowledged after their escalation time, other orders past the time the
            work was due while their ticket is open.
        tickets_attention: per urgency, open tickets a person must look at (for instance
            no contractor acknowledged an acuut work order).
        outbox_pending, outbox_retrying, outbox_failed: per kind, messages queued or
            being sent; queued again after a failed attempt; given up.
        outbox_oldest_due_seconds: how long the oldest due message waits for a worker.
        tickets_created: per (urgency, channel), every ticket ever created, with the
            urgency it was created with (a later change by an agent does not move it,
            so each series only grows; only erasing a client's data at the end of its
            contract removes tickets, which Prometheus sees as a counter reset).
        worker_last_retention_run: when the worker last recorded its daily retention run.
        worker_last_round: when a worker last finished a round (its heartbeat).
        spool_files: per state, meldingen on disk that are not yet in the database.
        sla_breaches_open: per clock (meldkamer/sla/), SLA clocks past their target that
            nobody has met or taken on yet: running late, or breached and escalating.
        monthly_reports_missing: report mails of the month due now (the first seven
            days) not in the outbox yet; ``None`` when the clients were not given.
    """

    now: datetime
    handovers_waiting: Counts = field(default_factory=dict)
    handover_oldest_wait_seconds: Counts = field(default_factory=dict)
    workorders_open: Counts = field(default_factory=dict)
    workorders_unacknowledged_acuut: float = 0
    workorders_past_deadline: Counts = field(default_factory=dict)
    tickets_attention: Counts = field(default_factory=dict)
    outbox_pending: Counts = field(default_factory=dict)
    outbox_retrying: Counts = field(default_factory=dict)
    outbox_failed: Counts = field(default_factory=dict)
    outbox_oldest_due_seconds: float = 0
    tickets_created: Counts = field(default_factory=dict)
    worker_last_retention_run: datetime | None = None
    worker_last_round: datetime | None = None
    spool_files: Counts = field(default_factory=dict)
    sla_breaches_open: Counts = field(default_factory=dict)
    monthly_reports_missing: float | None = None


def _seconds_since(now: datetime, moment: datetime | None) -> float:
    if moment is None:
        return 0.0
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return max((now - moment).total_seconds(), 0.0)


def _grouped(rows: Iterable[Any]) -> Counts:
    """``(label, ..., count)`` rows as a mapping from the label tuple to the count."""
    return {tuple(str(part) for part in row[:-1]): float(row[-1]) for row in rows}


def _handovers(session: Session, snap: Snapshot) -> None:
    rows = session.execute(
        select(HANDOVERS.callback, func.count(), func.min(HANDOVERS.requested_at))
        .where(HANDOVERS.status == HandoverStatus.WACHTEND.value)
        .group_by(HANDOVERS.callback)
    ).all()
    snap.handovers_waiting = {(lane,): 0.0 for lane in LANES}
    snap.handover_oldest_wait_seconds = {(lane,): 0.0 for lane in LANES}
    for callback, count, oldest in rows:
        lane = CALLBACK if callback else LIVE
        snap.handovers_waiting[(lane,)] += float(count)
        wait = _seconds_since(snap.now, oldest)
        snap.handover_oldest_wait_seconds[(lane,)] = max(
            snap.handover_oldest_wait_seconds[(lane,)], wait
        )


def _open_orders() -> Any:
    return ORDERS.ticket_id.in_(select(TICKETS.id).where(TICKETS.status.notin_(_CLOSED)))


def _workorders(session: Session, snap: Snapshot) -> None:
    open_orders = _open_orders()
    snap.workorders_open = {
        (state.value, u.value): 0.0 for state in WorkOrderStatus for u in Urgency
    }
    snap.workorders_open.update(
        _grouped(
            session.execute(
                select(ORDERS.status, ORDERS.urgency, func.count())
                .where(open_orders)
                .group_by(ORDERS.status, ORDERS.urgency)
            )
        )
    )
    unacknowledged = and_(
        open_orders,
        ORDERS.urgency == Urgency.ACUUT.value,
        ORDERS.status == WorkOrderStatus.VERSTUURD.value,
    )
    snap.workorders_unacknowledged_acuut = float(
        session.execute(select(func.count()).where(unacknowledged)).scalar_one()
    )
    # Acuut: the deadline is the escalation time, so only an unacknowledged order is
    # late; otherwise the deadline is when the work is due and the ticket still open.
    late = and_(
        open_orders,
        ORDERS.deadline <= snap.now,
        ORDERS.status != WorkOrderStatus.GEESCALEERD.value,
        (ORDERS.urgency != Urgency.ACUUT.value)
        | (ORDERS.status == WorkOrderStatus.VERSTUURD.value),
    )
    snap.workorders_past_deadline = {(u.value,): 0.0 for u in Urgency}
    snap.workorders_past_deadline.update(
        _grouped(
            session.execute(
                select(ORDERS.urgency, func.count()).where(late).group_by(ORDERS.urgency)
            )
        )
    )
    snap.tickets_attention = {(u.value,): 0.0 for u in Urgency}
    snap.tickets_attention.update(
        _grouped(
            session.execute(
                select(TICKETS.urgency, func.count())
                .where(TICKETS.status.notin_(_CLOSED), TICKETS.attention.is_not(None))
                .group_by(TICKETS.urgency)
            )
        )
    )


def _outbox(session: Session, snap: Snapshot) -> None:
    def per_kind(*where: Any) -> Counts:
        counts: Counts = {(kind,): 0.0 for kind in KINDS}
        counts.update(
            _grouped(
                session.execute(
                    select(OUTBOX.kind, func.count()).where(*where).group_by(OUTBOX.kind)
                )
            )
        )
        return counts

    snap.outbox_pending = per_kind(OUTBOX.status.in_(_PENDING))
    snap.outbox_retrying = per_kind(
        OUTBOX.status == OutboxStatus.WACHTRIJ.value, OUTBOX.last_error.is_not(None)
    )
    snap.outbox_failed = per_kind(OUTBOX.status == OutboxStatus.MISLUKT.value)
    oldest = session.execute(
        select(func.min(OUTBOX.next_attempt_at)).where(
            OUTBOX.status == OutboxStatus.WACHTRIJ.value, OUTBOX.next_attempt_at <= snap.now
        )
    ).scalar_one()
    snap.outbox_oldest_due_seconds = _seconds_since(snap.now, oldest)


def _tickets(session: Session, snap: Snapshot) -> None:
    # The urgency a ticket was created with: the "old" value of its first urgency edit,
    # or its urgency now when nobody changed it.
    first_edit = (
        select(EDITS.ticket_id, func.min(EDITS.id).label("edit_id"))
        .where(EDITS.field == "urgency")
        .group_by(EDITS.ticket_id)
        .subquery()
    )
    original = (
        select(EDITS.old)
        .where(EDITS.id == first_edit.c.edit_id, first_edit.c.ticket_id == TICKETS.id)
        .scalar_subquery()
    )
    urgency = func.coalesce(original, TICKETS.urgency).label("urgency")
    snap.tickets_created = _grouped(
        session.execute(
            select(urgency, TICKETS.channel, func.count()).group_by(urgency, TICKETS.channel)
        )
    )
    snap.worker_last_retention_run = session.execute(
        select(func.max(PRIVACY.at)).where(PRIVACY.kind == PrivacyActionKind.BEWAARTERMIJN.value)
    ).scalar_one()
    snap.worker_last_round = last_round(session)


def _sla(session: Session, snap: Snapshot) -> None:
    late = and_(
        CLOCKS.met_at.is_(None),
        CLOCKS.target_at <= snap.now,
        CLOCKS.state.in_((ClockState.LOOPT.value, ClockState.VERLOPEN.value)),
    )
    snap.sla_breaches_open = {(kind.value,): 0.0 for kind in ClockKind}
    snap.sla_breaches_open.update(
        _grouped(
            session.execute(select(CLOCKS.clock, func.count()).where(late).group_by(CLOCKS.clock))
        )
    )


def take_snapshot(
    session: Session, now: datetime, spool: Path | None, clients: Clients | None = None
) -> Snapshot:
    """Every business figure as of ``now`` (aware); ``spool`` is the outage spool folder.

    ``clients`` gives the clients in force for the monthly reports' figure; the caller
    passes its cached registry, so a scrape does not read every client file again.
    """
    snap = Snapshot(now=now)
    _handovers(session, snap)
    _workorders(session, snap)
    _outbox(session, snap)
    _tickets(session, snap)
    _sla(session, snap)
    snap.spool_files = {
        (SPOOL_WAITING,): float(len(spooled(spool))),
        (SPOOL_SET_ASIDE,): float(len(set_aside(spool))),
    }
    if clients is not None:
        snap.monthly_reports_missing = float(len(missing_report_mails(session, clients(), now)))
    return snap
