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

from meldkamer.clients.streets import Ask, resolve_address
from meldkamer.handover.models import Handover
from meldkamer.handover.service import URGENCY_RANK, HandoverNotFound, add_note
from meldkamer.handover.summary import HandoverSummary
from meldkamer.intake.fields import UNKNOWN, check
from meldkamer.intake.street_address import Unlisted
from meldkamer.intake.validation import Invalid
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
#: An address the tenant gave without postcode stays one: the agent adds the postcode.
NEEDS_POSTCODE = "Vul de postcode aan, bijvoorbeeld 1234 AB of 1234 AB 12."
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
    ctx: Collaborators,
    text: str,
    slots: dict[str, Any],
    errors: dict[str, str],
    before: str | None = None,
) -> str | None:
    """The agent's address, read as the bot reads the tenant's; ``before`` is what the bot had.

    An address the tenant gave without postcode ("Dorpsstraat 5, Utrecht") is completed by
    the postcode alone; a street in a client's list is found by its name. A ticket needs a
    postcode, so an address without one is refused here.
    """
    result = resolve_address(ctx.registry(), text, [before] if before else [])
    if isinstance(result, Unlisted):
        result = Ask(NEEDS_POSTCODE)
    if isinstance(result, Ask):
        choices = ", ".join(title for title, _ in result.choices)
        errors["adres"] = f"{result.message} {choices}".strip()
        return None
    address = result.address
    slots.update(
        adres=result.label,
        postcode=address.postcode,
        huisnummer=address.huisnummer,
        huisnummer_toevoeging=address.toevoeging,
    )
    if result.place:
        slots.update(opdrachtgever=result.place[0].id, complex=result.place[1].id)
    return result.label


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
        address = _address(ctx, text, slots, errors, summary.address)
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
