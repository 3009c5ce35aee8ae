"""The escalation chain of a breached SLA clock, as data and one pure rule.

A breach first goes to the next contractor of the work order's chain (when the order was
never taken up and there is a next one), then to the meldkamer's supervisor, then to the
client's own on-call employee (piket). Each step waits the client's ``escalatie_minuten``
for someone to take it on; the contractor step hands the clock on to the new work
order, whose own clocks continue the chain.
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta

from meldkamer.sla.clocks import ClockKind


class Step(int, enum.Enum):
    """The steps in order; the clock's ``escalation_step`` holds the last one taken."""

    GEEN = 0
    AANNEMER = 1
    SUPERVISOR = 2
    PIKET = 3


STEP_LABELS: dict[int, str] = {
    Step.GEEN.value: "nog niet geëscaleerd",
    Step.AANNEMER.value: "naar de volgende aannemer",
    Step.SUPERVISOR.value: "naar de supervisor van de meldkamer",
    Step.PIKET.value: "naar de piketmedewerker van de opdrachtgever",
}


def next_step(kind: ClockKind, taken: int, can_pass_on: bool) -> Step | None:
    """The step after ``taken``; ``None`` when the chain is done.

    Args:
        kind: the breached clock; a conversation has no contractor to pass on to.
        taken: the clock's ``escalation_step``.
        can_pass_on: the work order can go to a next contractor now.
    """
    if taken == Step.GEEN:
        if can_pass_on and kind is not ClockKind.ANTWOORD_MEDEWERKER:
            return Step.AANNEMER
        return Step.SUPERVISOR
    if taken == Step.SUPERVISOR:
        return Step.PIKET
    # After the contractor step the new work order's clocks carry on; after the piket
    # nobody is left to call: the ticket stays flagged and red on the Bewaking page.
    return None


def step_due(
    breached_at: datetime, escalated_at: datetime | None, taken: int, wait: timedelta
) -> datetime:
    """When the next step is due: at the breach, then ``wait`` after the last step."""
    if taken == Step.GEEN or escalated_at is None:
        return breached_at
    return escalated_at + wait
