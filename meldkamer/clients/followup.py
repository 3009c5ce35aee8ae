"""Checking what a client file says about following a melding up: its SLA and its piket.

``sla`` sets the targets of the SLA clocks (the defaults where it is silent); ``piket``
names the client's own on-call employees, the last step of an escalation, with a roster
checked exactly like a contractor roster (periods that touch but do not overlap, every
id known, none twice in a chain).
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

from meldkamer.clients.oncall import EMPLOYEES, parse_cover, parse_people
from meldkamer.clients.schema import OnCallEmployee, Piket, SlaTargets
from meldkamer.clients.yamlsource import FieldPath, Reader, optional

#: The ``sla`` keys: (key, attribute, lowest, highest).
_SLA_FIELDS = (
    ("ter_plaatse_uren", "on_site_hours", 1, 72),
    ("gereed_uren", "done_hours", 1, 30 * 24),
    ("antwoord_minuten", "answer_minutes", 1, 24 * 60),
)


def parse_sla(r: Reader, raw: Any) -> SlaTargets | None:
    """The client's SLA targets; every key optional, each a whole number in its range."""
    path: FieldPath = ("sla",)
    data = r.mapping(raw, path, tuple(key for key, *_ in _SLA_FIELDS))
    if data is None:
        return None
    defaults = SlaTargets()
    values: dict[str, int] = {}
    ok = True
    for key, attribute, low, high in _SLA_FIELDS:
        value = r.integer(
            optional(data, key, getattr(defaults, attribute)), (*path, key), low, high
        )
        if value is None:
            ok = False
        else:
            values[attribute] = value
    return SlaTargets(**values) if ok else None


def parse_piket(r: Reader, raw: Any) -> Piket | None:
    """The client's on-call employees (``medewerkers``) and their ``standaard``/``rooster``."""
    path: FieldPath = ("piket",)
    data = r.mapping(raw, path, ("medewerkers", "standaard", "rooster"))
    if data is None:
        return None
    raw_people = optional(data, "medewerkers", {})
    people = parse_people(r, raw_people, (*path, "medewerkers"), OnCallEmployee)
    # Checked against every id written, so one broken employee is not reported twice.
    known = {str(k) for k in raw_people} if isinstance(raw_people, dict) else None
    cover = parse_cover(r, data, path, known, EMPLOYEES)
    if people is None or cover is None:
        return None
    return Piket(employees=MappingProxyType(people), cover=cover)
