"""An agent fills in or corrects what the bot collected, before handing back.

Two steps, so the assistant and the queue never disagree: :func:`plan_correction`
checks what the agent typed with the checks every way in shares (nothing written),
the console puts the slots into the conversation, then :func:`save_correction` stores
the new summary (with its outcome) on the handover and notes who changed what. The
bot then continues from the new values and asks nothing again that was filled in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from meldkamer.handover.models import Handover
from meldkamer.handover.service import URGENCY_RANK, HandoverNotFound, add_note
from meldkamer.handover.summary import HandoverSummary
from meldkamer.intake.fields import UNKNOWN, check
from meldkamer.intake.validation import Invalid, parse_address
from meldkamer.service.context import Collaborators
from meldkamer.service.handover import with_outcome
from meldkamer.triage.table import Fact, FactValue

#: The form's contact fields, with their words in the agent's note.
CONTACT_LABELS = {
    "naam": "naam",
    "telefoon": "telefoon",
    "email": "e-mail",
    "beschrijving": "omschrijving",
}
#: A fact's field in the form is ``feit:<name>``; an empty value leaves it as it is.
FACT_PREFIX = "feit:"
NOTE = "Gegevens aangevuld of verbeterd voor de assistent verdergaat: {fields}."


@dataclass(frozen=True)
class Correction:
    """What changes: the conversation's slots and the handover's summary."""

    slots: dict[str, Any]
    summary: HandoverSummary
    changed: tuple[str, ...]
    errors: Mapping[str, str] = field(default_factory=dict)


def fact_value(fact: Fact, raw: str) -> FactValue | None:
    """The option of ``fact`` a form value names (``true``/``false`` or the value)."""
    for option in fact.options:
        if str(option.value).lower() == raw.strip().lower():
            return option.value
    return None


def _address(
    ctx: Collaborators, text: str, slots: dict[str, Any], errors: dict[str, str]
) -> str | None:
    address = parse_address(text)
    if isinstance(address, Invalid):
        errors["adres"] = address.message
        return None
    slots.update(
        adres=str(address),
        postcode=address.postcode,
        huisnummer=address.huisnummer,
        huisnummer_toevoeging=address.toevoeging,
    )
    found = ctx.registry().find_by_address(address.postcode, address.huisnummer)
    if found:
        slots.update(opdrachtgever=found[0].id, complex=found[1].id)
    return str(address)


def _facts(
    ctx: Collaborators, summary: HandoverSummary, fields: Mapping[str, str], errors: dict[str, str]
) -> tuple[dict[str, FactValue], list[str], bool]:
    table = ctx.engine.table
    known, unknown = dict(summary.facts), list(summary.unknown_facts)
    changed = False
    topic = summary.topic
    questions = table.topic(topic).questions if topic and topic in table.topics else ()
    for name in questions:
        raw = fields.get(FACT_PREFIX + name, "").strip()
        if not raw:
            continue
        value = None if raw == UNKNOWN else fact_value(table.facts[name], raw)
        if raw != UNKNOWN and value is None:
            errors[FACT_PREFIX + name] = "Kies een van de antwoorden."
            continue
        before = (known.get(name), name in unknown)
        known.pop(name, None)
        unknown = [u for u in unknown if u != name]
        if value is None:
            unknown.append(name)
        else:
            known[name] = value
        changed = changed or before != (known.get(name), name in unknown)
    return known, unknown, changed


def plan_correction(
    ctx: Collaborators, summary: HandoverSummary, fields: Mapping[str, str]
) -> Correction:
    """Check the agent's values against ``summary``; ``errors`` per field when refused."""
    slots: dict[str, Any] = {}
    errors: dict[str, str] = {}
    changed: list[str] = []
    new = summary
    text = fields.get("adres", "").strip()
    if text:
        address = _address(ctx, text, slots, errors)
        if address is None or address == summary.address:
            slots.clear()  # refused, or the same address written differently
        else:
            new = replace(
                new, address=address, client_id=slots.get("opdrachtgever") or new.client_id
            )
            changed.append("adres")
    current = {
        "naam": summary.name,
        "telefoon": summary.phone,
        "email": summary.email,
        "beschrijving": summary.description,
    }
    for name, label in CONTACT_LABELS.items():
        text = fields.get(name, "").strip()
        checked = check(name, text) if text else None
        if isinstance(checked, Invalid):
            errors[name] = checked.message
        elif checked is not None and checked != current[name]:
            slots[name] = current[name] = checked
            changed.append(label)
    new = replace(
        new,
        name=current["naam"],
        phone=current["telefoon"],
        email=current["email"],
        description=current["beschrijving"],
    )
    known, unknown, facts_changed = _facts(ctx, summary, fields, errors)
    if facts_changed:
        slots.update(feiten=known, onbekende_feiten=unknown)
        new = replace(new, facts=known, unknown_facts=tuple(unknown))
        changed.append("antwoorden")
    return Correction(slots=slots, summary=new, changed=tuple(changed), errors=errors)


def save_correction(
    ctx: Collaborators, handover_id: int, correction: Correction, by: str
) -> HandoverSummary:
    """Store the corrected summary (outcome again) on the handover, with a note."""
    summary = with_outcome(ctx, correction.summary)
    with ctx.sessions.begin() as session:
        handover: Handover | None = session.get(Handover, handover_id)
        if handover is None:
            raise HandoverNotFound(str(handover_id))
        handover.summary = summary.to_dict()
        handover.client_id = handover.client_id or summary.client_id
        handover.urgency_rank = URGENCY_RANK.get(summary.urgency or "", 0)
        add_note(
            session,
            handover.conversation_id,
            by,
            NOTE.format(fields=", ".join(correction.changed)),
            ctx.clock(),
            ticket_id=handover.ticket_id,
        )
    return summary
