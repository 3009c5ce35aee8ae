"""The work order's life as data: each step, what it means, from where, who may set it.

``verstuurd -> bevestigd -> onderweg -> ter_plaatse -> gereed``, or ``niet_gelukt`` (with
the reason) or ``geannuleerd``; ``geescaleerd`` when the contractor did not acknowledge in
time or said "ik kan niet" (the next contractor is asked). A contractor may skip steps
(on site without having said "on my way"); nothing goes back, except that a contractor who
is on the way may give a new arrival time. Pure data and checks: the use case that applies
a change is :func:`meldkamer.service.workorder.update_work_order`.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from meldkamer.dispatch.models import WorkOrderStatus as S
from meldkamer.labels import LabelTable


class Actor(str, enum.Enum):
    """Who sets a step."""

    AANNEMER = "aannemer"  # the contractor: work-order page or SMS
    MEDEWERKER = "medewerker"  # an agent: console or command line, e.g. for a caller
    SYSTEEM = "systeem"  # the worker (escalation) or the tenant's "nog niet opgelost"


class Via(str, enum.Enum):
    """Where a change was made (``werkbon_gebeurtenissen.via``)."""

    PAGINA = "pagina"
    SMS = "sms"
    CLI = "cli"
    CONSOLE = "console"
    SYSTEEM = "systeem"


#: Where a change was made, as agents read it (the ticket page, ``tickets show``).
VIA_LABELS: LabelTable[Via] = LabelTable(
    Via,
    {
        Via.PAGINA: "werkbonpagina",
        Via.SMS: "sms",
        Via.CLI: "telefoon (opdrachtregel)",
        Via.CONSOLE: "telefoon (console)",
        Via.SYSTEEM: "systeem",
    },
)

#: Who works through which way in.
ACTOR_OF: Mapping[Via, Actor] = MappingProxyType(
    {
        Via.PAGINA: Actor.AANNEMER,
        Via.SMS: Actor.AANNEMER,
        Via.CLI: Actor.MEDEWERKER,
        Via.CONSOLE: Actor.MEDEWERKER,
        Via.SYSTEEM: Actor.SYSTEEM,
    }
)

_EVERYONE = frozenset(Actor)
_PEOPLE = frozenset({Actor.AANNEMER, Actor.MEDEWERKER})


@dataclass(frozen=True)
class Step:
    """One status of a work order.

    Attributes:
        label: the Dutch word agents and contractors read.
        meaning: what it means, for the docs and the page.
        after: the statuses it may follow.
        by: who may set it.
        needs_eta: an expected arrival time is required (``onderweg``).
        needs_note: a text is required (the reason of ``niet_gelukt``).
        final: nothing follows.
    """

    label: str
    meaning: str
    after: frozenset[S]
    by: frozenset[Actor]
    needs_eta: bool = False
    needs_note: bool = False
    final: bool = False


_WAITING = frozenset({S.VERSTUURD, S.GEESCALEERD})
_GOING = _WAITING | {S.BEVESTIGD}
_UNDERWAY = _GOING | {S.ONDERWEG}
_WORKING = _UNDERWAY | {S.TER_PLAATSE}

STEPS: Mapping[S, Step] = MappingProxyType(
    {
        S.VERSTUURD: Step(
            "verstuurd", "De werkbon is naar de aannemer gestuurd.", frozenset(), _EVERYONE
        ),
        S.BEVESTIGD: Step(
            "bevestigd", "De aannemer heeft de werkbon aangenomen.", _WAITING, _PEOPLE
        ),
        S.ONDERWEG: Step(
            "onderweg",
            "De aannemer is onderweg, met een verwachte aankomsttijd.",
            _UNDERWAY,
            _PEOPLE,
            needs_eta=True,
        ),
        S.TER_PLAATSE: Step("ter plaatse", "De aannemer is op het adres.", _UNDERWAY, _PEOPLE),
        S.GEREED: Step(
            "gereed", "Het werk is klaar (met een kort verslag).", _WORKING, _PEOPLE, final=True
        ),
        S.NIET_GELUKT: Step(
            "niet gelukt",
            "Het werk kon niet worden gedaan; de meldkamer regelt een vervolg.",
            _WORKING,
            _PEOPLE,
            needs_note=True,
            final=True,
        ),
        S.GEANNULEERD: Step(
            "geannuleerd",
            "De werkbon is niet meer nodig.",
            _WORKING,
            frozenset({Actor.MEDEWERKER, Actor.SYSTEEM}),
            final=True,
        ),
        S.GEESCALEERD: Step(
            "geëscaleerd",
            "De aannemer kon niet of bevestigde niet op tijd: de volgende is gevraagd.",
            # After gereed only for the tenant's "het is nog niet opgelost" (systeem).
            _UNDERWAY | {S.GEREED},
            _EVERYONE,
        ),
    }
)

#: Every status with its Dutch label: what pages and the command line show.
STATUS_LABELS: LabelTable[S] = LabelTable(S, {status: step.label for status, step in STEPS.items()})
#: What the contractor can set on the work-order page, in the order of the work.
CONTRACTOR_STEPS = (S.BEVESTIGD, S.ONDERWEG, S.TER_PLAATSE, S.GEREED, S.NIET_GELUKT)
#: A step back to the start of the chain is "ik kan niet": the next contractor is asked.
DECLINE = S.GEESCALEERD
#: An expected arrival time: at least a minute, at most half a day away.
ETA_MINUTES = (1, 720)


class TransitionError(ValueError):
    """The change is not allowed: from this status, by this actor, or without its data."""


def check_change(
    current: S | str,
    target: S | str,
    actor: Actor,
    *,
    eta_minutes: int | None = None,
    note: str | None = None,
) -> S:
    """The target as a status when ``actor`` may move the order there now.

    Moving to the status it already has is allowed only for ``onderweg`` (a new arrival
    time); the caller treats any other repeat as already done.

    Raises:
        TransitionError: an unknown status, a step not allowed from ``current`` or for
            ``actor``, or a required arrival time or note missing or out of range.
    """
    try:
        source, status = S(current), S(target)
    except ValueError:
        allowed = ", ".join(s.value for s in S)
        raise TransitionError(f"onbekende status {target!r}; mogelijk: {allowed}") from None
    step = STEPS[status]
    if actor not in step.by:
        raise TransitionError(f"{step.label!r} kan niet worden gezet door een {actor.value}")
    if not _allowed(source, status, actor):
        raise TransitionError(
            f"een werkbon die {STEPS[source].label!r} is, kan niet naar {step.label!r}"
        )
    if step.needs_eta:
        low, high = ETA_MINUTES
        if eta_minutes is None or not low <= eta_minutes <= high:
            raise TransitionError(
                f"{step.label!r} vraagt een aankomsttijd in minuten ({low} tot {high})"
            )
    if step.needs_note and not (note or "").strip():
        raise TransitionError(f"{step.label!r} vraagt een reden")
    return status


def _allowed(source: S, status: S, actor: Actor) -> bool:
    if source is status:
        return status is S.ONDERWEG  # a new arrival time
    if status is DECLINE and actor is not Actor.SYSTEEM:
        return source in _UNDERWAY  # "ik kan niet" before the work, not after it
    return source in STEPS[status].after


def next_steps(current: S | str, actor: Actor) -> list[S]:
    """What ``actor`` can set next, in the order of the work (for the buttons)."""
    source = S(current)
    return [
        status
        for status in (*CONTRACTOR_STEPS, S.GEANNULEERD, DECLINE)
        if actor in STEPS[status].by and _allowed(source, status, actor)
    ]
