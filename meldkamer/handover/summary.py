"""What the bot knew when it handed a conversation over: the contract between bot and console.

Written by the hand-over use case (:mod:`meldkamer.service.handover`), stored as JSON
in the handover's ``summary`` column, read by the console's queue and conversation
pages. :meth:`HandoverSummary.from_dict` reads every row stored so far, also ones with
missing or ill-typed keys (they read as unknown).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from meldkamer.triage.table import FactValue


def _text(value: object) -> str | None:
    return str(value) if value not in (None, "") else None


def _strings(value: object) -> tuple[str, ...]:
    return tuple(str(v) for v in value) if isinstance(value, (list, tuple)) else ()


def _facts(value: object) -> dict[str, FactValue]:
    if not isinstance(value, dict):
        return {}
    return {str(k): v for k, v in value.items() if isinstance(v, (bool, str))}


@dataclass(frozen=True)
class HandoverSummary:
    """The melding as far as the bot got.

    Attributes:
        outcome: the triage outcome as :meth:`meldkamer.triage.Outcome.to_dict` writes it
            (empty: no topic yet).
        client_id: the client (opdrachtgever) of the address, when known.
        language: the language the tenant is answered in (``None``: Dutch), so what the
            agent's console sends in the tenant's name (who took over, the goodbye) is
            in it too.
    """

    topic: str | None = None
    facts: Mapping[str, FactValue] = field(default_factory=dict)
    unknown_facts: tuple[str, ...] = ()
    outcome: Mapping[str, object] = field(default_factory=dict)
    address: str | None = None
    name: str | None = None
    phone: str | None = None
    email: str | None = None
    description: str | None = None
    photos: tuple[str, ...] = ()
    ticket: str | None = None
    client_id: str | None = None
    language: str | None = None

    @property
    def urgency(self) -> str | None:
        """``acuut``, ``urgent``, ``niet_urgent``, or ``None`` while unknown."""
        return _text(self.outcome.get("urgency"))

    @property
    def reasons(self) -> tuple[str, ...]:
        """Why the matrix decided so."""
        return _strings(self.outcome.get("reasons"))

    @property
    def needs_assessment(self) -> bool:
        """A person of the meldkamer decides."""
        return bool(self.outcome.get("needs_assessment"))

    @property
    def inform_client(self) -> bool:
        """The client is told at once."""
        return bool(self.outcome.get("inform_client"))

    def to_dict(self) -> dict[str, object]:
        """The JSON column's form (its keys are the stored rows' keys)."""
        return {
            "topic": self.topic,
            "facts": dict(self.facts),
            "unknown_facts": list(self.unknown_facts),
            "outcome": dict(self.outcome),
            "adres": self.address,
            "naam": self.name,
            "telefoon": self.phone,
            "email": self.email,
            "beschrijving": self.description,
            "fotos": list(self.photos),
            "ticket": self.ticket,
            "opdrachtgever": self.client_id,
            "taal": self.language,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object] | None) -> HandoverSummary:
        """Read a stored row (``None`` or ``{}``: nothing known)."""
        data = data or {}
        outcome = data.get("outcome")
        return cls(
            topic=_text(data.get("topic")),
            facts=_facts(data.get("facts")),
            unknown_facts=_strings(data.get("unknown_facts")),
            outcome=dict(outcome) if isinstance(outcome, dict) else {},
            address=_text(data.get("adres")),
            name=_text(data.get("naam")),
            phone=_text(data.get("telefoon")),
            email=_text(data.get("email")),
            description=_text(data.get("beschrijving")),
            photos=_strings(data.get("fotos")),
            ticket=_text(data.get("ticket")),
            client_id=_text(data.get("opdrachtgever")),
            language=_text(data.get("taal")),
        )
