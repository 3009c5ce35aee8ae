"""Work orders per contractor and the SLA promises against their targets, for one month.

Pure, like :mod:`meldkamer.reports.totals`. A promise is *on time* when it was kept by its
target, *late* when kept after it, *breached* when the target passed and it was never
kept; *escalated* counts the breaches that went along the escalation chain.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from meldkamer.clientview import OUTCOME_LABELS, ClientClock, ClientWorkOrder
from meldkamer.reports.collect import MonthData
from meldkamer.reports.figures import count, durations, minutes, share
from meldkamer.sla.clocks import CLOCK_LABELS, ClockKind

OUTCOMES = tuple(OUTCOME_LABELS)


def clock_targets(data: MonthData) -> dict[str, int]:
    """The target of each clock kind in minutes, from the client file."""
    return {
        ClockKind.BEVESTIGING.value: data.escalation_minutes,
        ClockKind.TER_PLAATSE.value: data.sla.on_site_hours * 60,
        ClockKind.GEREED.value: data.sla.done_hours * 60,
        ClockKind.ANTWOORD_MEDEWERKER.value: data.sla.answer_minutes,
    }


def _outcomes(clocks: list[ClientClock]) -> dict[str, Any]:
    counted = count((c.outcome for c in clocks), OUTCOMES)
    judged = counted["op_tijd"] + counted["te_laat"] + counted["verlopen"]
    return {
        **counted,
        "escalated": sum(1 for c in clocks if c.escalated),
        "on_time_share": share(counted["op_tijd"], judged),
    }


def sla_totals(data: MonthData) -> dict[str, Any]:
    """Per clock kind its target and how its promises went; ``breaches`` over all kinds."""
    targets = clock_targets(data)
    by_kind: dict[str, list[ClientClock]] = defaultdict(list)
    for clock in data.clocks:
        by_kind[clock.clock].append(clock)
    per_clock = {
        kind: {
            "label": CLOCK_LABELS[kind],
            "target_minutes": targets[kind],
            "count": len(by_kind[kind]),
            **_outcomes(by_kind[kind]),
        }
        for kind in targets
    }
    return {
        "per_clock": per_clock,
        "breaches": sum(1 for c in data.clocks if c.breached_at is not None),
        "escalated": sum(1 for c in data.clocks if c.escalated),
    }


def _times(orders: list[ClientWorkOrder]) -> dict[str, Any]:
    ack = [minutes(o.created_at, o.acknowledged_at) for o in orders if o.acknowledged_at]
    arrival = [minutes(o.created_at, o.on_site_at) for o in orders if o.on_site_at]
    done = [minutes(o.created_at, o.done_at) for o in orders if o.done_at]
    return {
        "acknowledged_minutes": durations(ack),
        "arrival_minutes": durations(arrival),
        "done_minutes": durations(done),
    }


def _contractor(name: str, orders: list[ClientWorkOrder], clocks: list[ClientClock]) -> Any:
    return {
        "name": name,
        "count": len(orders),
        "escalated": sum(1 for o in orders if o.escalated),
        "per_status": count(o.status for o in orders),
        **_times(orders),
        "sla": _outcomes(clocks),
    }


def work_order_totals(data: MonthData) -> dict[str, Any]:
    """Work orders: how many, how many passed on, and per contractor their times and SLA."""
    orders: dict[str, list[ClientWorkOrder]] = defaultdict(list)
    names: dict[str, str] = {}
    for order in data.work_orders:
        orders[order.contractor_id].append(order)
        names[order.contractor_id] = order.contractor_name
    owner = {o.id: o.contractor_id for o in data.work_orders}
    clocks: dict[str, list[ClientClock]] = defaultdict(list)
    for clock in data.clocks:
        if clock.work_order_id in owner:
            clocks[owner[clock.work_order_id]].append(clock)
    ranked = sorted(orders, key=lambda cid: (-len(orders[cid]), names[cid]))
    return {
        "count": len(data.work_orders),
        "escalated": sum(1 for o in data.work_orders if o.escalated),
        "meldingen_with_work_order": len({o.ticket_id for o in data.work_orders}),
        "per_contractor": {
            cid: _contractor(names[cid], orders[cid], clocks[cid]) for cid in ranked
        },
    }
