"""Turning a complete melding into a classified, stored ticket."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from meldkamer.intake.validation import Address
from meldkamer.tickets import NewTicket, Ticket, create_ticket, find_by_melding_id
from meldkamer.triage import Outcome, TriageEngine, TriageSettings
from meldkamer.triage.table import FactValue


@dataclass(frozen=True)
class Melding:
    """Everything the tenant told us, as the bot or an agent collected it.

    Attributes:
        melding_id: idempotency key; the same melding stored twice is one ticket.
        unknown_facts: facts asked but not known by the tenant (fail safe applies).
    """

    melding_id: str
    conversation_id: str
    channel: str
    topic: str
    address: Address
    naam: str
    telefoon: str
    beschrijving: str
    facts: Mapping[str, FactValue] = field(default_factory=dict)
    unknown_facts: tuple[str, ...] = ()
    email: str | None = None
    client_id: str | None = None
    complex_id: str | None = None
    attention: str | None = None


def register_melding(
    session: Session,
    melding: Melding,
    *,
    engine: TriageEngine,
    settings: TriageSettings,
    now: datetime,
) -> tuple[Ticket, Outcome, bool]:
    """Classify a melding and store it as a ticket (the caller commits).

    Returns:
        the ticket, the outcome, and whether the ticket is new (``False`` when this
        melding was registered before: then nothing further must be sent again).
    """
    outcome = engine.evaluate(melding.topic, melding.facts, now, settings)
    existing = find_by_melding_id(session, melding.melding_id)
    if existing is not None:
        return existing, outcome, False
    ticket = create_ticket(
        session,
        NewTicket(
            melding_id=melding.melding_id,
            conversation_id=melding.conversation_id,
            channel=melding.channel,
            client_id=melding.client_id,
            complex_id=melding.complex_id,
            attention=melding.attention,
            topic=melding.topic,
            facts=dict(melding.facts),
            outcome={**outcome.to_dict(), "unknown_facts": list(melding.unknown_facts)},
            postcode=melding.address.postcode,
            huisnummer=melding.address.huisnummer,
            huisnummer_toevoeging=melding.address.toevoeging,
            naam=melding.naam,
            telefoon=melding.telefoon,
            email=melding.email,
            beschrijving=melding.beschrijving,
        ),
        now,
    )
    return ticket, outcome, True
