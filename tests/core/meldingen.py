"""The sample melding that the core tests register as a ticket.

One melding with every field filled in (a leak on a second floor, acuut), so that a test
needing "a ticket" takes this one and a test about one field changes only that field.
"""

from __future__ import annotations

from dataclasses import replace

from meldkamer.tickets import NewTicket


def melding(key: str = "m-1", **changes: object) -> NewTicket:
    """The sample melding under idempotency key ``key``, with ``changes`` applied."""
    new = NewTicket(
        melding_id=key,
        conversation_id=f"conv-{key}",
        channel="whatsapp",
        client_id="woonstad",
        topic="lekkage_woning",
        facts={"water_stroomt": True, "verdieping": 2},
        outcome={
            "urgency": "acuut",
            "inform_client": True,
            "needs_assessment": False,
            "reasons": ["Water loopt door het plafond"],
            "next_office_day": "2026-03-02",
        },
        postcode="3011 AB",
        huisnummer=12,
        huisnummer_toevoeging="a",
        naam="Jan de Vries",
        telefoon="+31612345678",
        email="jan@example.nl",
        beschrijving="Lekkage uit het plafond in de badkamer.",
    )
    return replace(new, **changes)  # type: ignore[arg-type]
