"""Which SLA clocks a work order or a handover runs, their targets, and when they are met.

Pure: no database. A clock is a promise with a deadline (see docs/FOLLOW-UP.md, *SLA en
escalatie*):

* ``bevestiging``: an acuut work order is acknowledged within the client's
  ``escalatie_minuten`` (its deadline);
* ``ter_plaatse``: an acuut melding has a contractor on site within ``sla.ter_plaatse_uren``
  of the first work order;
* ``gereed``: an urgent work order is done within ``sla.gereed_uren``;
* ``antwoord_medewerker``: a conversation handed to a person is taken by an agent within
  ``sla.antwoord_minuten``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from meldkamer.clients.schema import SlaTargets
from meldkamer.dispatch.models import WorkOrder, WorkOrderStatus
from meldkamer.triage import Urgency


class ClockKind(str, enum.Enum):
    """What a clock promises."""

    BEVESTIGING = "bevestiging"
    TER_PLAATSE = "ter_plaatse"
    GEREED = "gereed"
    ANTWOORD_MEDEWERKER = "antwoord_medewerker"


class ClockState(str, enum.Enum):
    """Where a clock stands."""

    LOOPT = "loopt"  # running, the target still ahead or just passed
    GEHAALD = "gehaald"  # met in time
    VERLOPEN = "verlopen"  # breached: registered on the ticket and escalated
    GESTOPT = "gestopt"  # no longer relevant (cancelled), or a person took the breach on


# What agents read on the Bewaking page: one label per value, never the raw value.
CLOCK_LABELS: dict[str, str] = {
    ClockKind.BEVESTIGING.value: "aannemer bevestigt",
    ClockKind.TER_PLAATSE.value: "aannemer ter plaatse",
    ClockKind.GEREED.value: "werk gereed",
    ClockKind.ANTWOORD_MEDEWERKER.value: "medewerker neemt gesprek over",
}
STATE_LABELS: dict[str, str] = {
    ClockState.LOOPT.value: "loopt",
    ClockState.GEHAALD.value: "gehaald",
    ClockState.VERLOPEN.value: "verlopen",
    ClockState.GESTOPT.value: "gestopt",
}

#: A work order in one of these will not meet any clock any more.
_ENDED = (
    WorkOrderStatus.GEANNULEERD.value,
    WorkOrderStatus.NIET_GELUKT.value,
)
#: Statuses that count as acknowledged (the contractor said yes, or went further).
_ACKNOWLEDGED = (
    WorkOrderStatus.BEVESTIGD.value,
    WorkOrderStatus.ONDERWEG.value,
    WorkOrderStatus.TER_PLAATSE.value,
    WorkOrderStatus.GEREED.value,
)


@dataclass(frozen=True)
class Target:
    """A clock to open: what, and by when."""

    kind: ClockKind
    target_at: datetime


def order_targets(order: WorkOrder, sla: SlaTargets, first_sent: datetime) -> list[Target]:
    """The clocks a work order runs; ``first_sent``: when the ticket's first order went out.

    The on-site promise counts from the first work order, so passing an order to the
    next contractor does not give the service more time.
    """
    if order.urgency == Urgency.ACUUT.value:
        return [
            Target(ClockKind.BEVESTIGING, order.deadline),
            Target(ClockKind.TER_PLAATSE, first_sent + sla.on_site),
        ]
    if order.urgency == Urgency.URGENT.value:
        return [Target(ClockKind.GEREED, first_sent + sla.done)]
    return []


def met_at(kind: ClockKind, order: WorkOrder) -> datetime | None:
    """When the work order met this clock, or ``None`` while it has not."""
    if kind is ClockKind.BEVESTIGING:
        if order.status in _ACKNOWLEDGED:
            return order.acknowledged_at or order.on_site_at or order.done_at
        return None
    if kind is ClockKind.TER_PLAATSE:
        done = order.status == WorkOrderStatus.GEREED.value
        return order.on_site_at or (order.done_at if done else None)
    if kind is ClockKind.GEREED:
        return order.done_at if order.status == WorkOrderStatus.GEREED.value else None
    return None


def stops(kind: ClockKind, order: WorkOrder) -> bool:
    """Whether the order's clock of this kind stops unmet: the order ended or moved on.

    An order passed to the next contractor (``geescaleerd``) stops its own on-site and
    done clocks; the new order runs them. Its acknowledgement clock is breached instead.
    """
    if order.status in _ENDED:
        return True
    return order.status == WorkOrderStatus.GEESCALEERD.value and kind is not ClockKind.BEVESTIGING


@dataclass(frozen=True)
class Risk:
    """How close a running clock is to its target, for the colour on the Bewaking page."""

    seconds_left: float
    level: str  # ``ruim``, ``krap``, ``verlopen``


#: Below this share of its total time left, a clock is ``krap`` (orange).
TIGHT_SHARE = 0.25

RISK_LABELS: dict[str, str] = {"ruim": "op tijd", "krap": "krap", "verlopen": "verlopen"}


def risk(started: datetime, target_at: datetime, now: datetime) -> Risk:
    """Time left and its risk level; a clock without any time left is ``verlopen``."""
    total = max((target_at - started).total_seconds(), 1.0)
    left = (target_at - now).total_seconds()
    if left <= 0:
        return Risk(left, "verlopen")
    return Risk(left, "krap" if left / total < TIGHT_SHARE else "ruim")
