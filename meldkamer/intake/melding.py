"""Turning a complete melding into a classified, stored ticket."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from meldkamer.intake.validation import Address
from meldkamer.tickets import NewTicket, Ticket, create_ticket
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


def register_melding(
    session: Session,
    melding: Melding,
    *,
    engine: TriageEngine,
    settings: TriageSettings,
    now: datetime,
) -> tuple[Ticket, Outcome]:
    """Classify a melding and store it as a ticket (the caller commits)."""
    outcome = engine.evaluate(melding.topic, melding.facts, now, settings)
    ticket = create_ticket(
        session,
        NewTicket(
            melding_id=melding.melding_id,
            conversation_id=melding.conversation_id,
            channel=melding.channel,
            client_id=melding.client_id,
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
    return ticket, outcome
