"""A complete melding, as the bot or an agent collected it (registered by the service layer)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from meldkamer.intake.validation import Address
from meldkamer.triage.table import FactValue


@dataclass(frozen=True)
class Melding:
    """Everything the tenant told us, as the bot or an agent collected it.

    Attributes:
        melding_id: idempotency key; the same melding stored twice is one ticket.
        unknown_facts: facts asked but not known by the tenant (fail safe applies).
        taal: the language the tenant is answered in (``meldkamer/intake/teksten``).
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
    taal: str = "nl"
