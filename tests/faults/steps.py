"""A simulated tenant one message at a time (for faults between two messages, and the benchmark).

:func:`next_message` holds the same answering rules as :func:`tests.e2e.tenant.converse`,
which plays a whole melding in one call.
"""

from __future__ import annotations

import json
from typing import Any

from tests.e2e.tenant import CONTACT, TICKET, buttons, said

#: Meldingen of different topics: the first message and the answers to triage questions.
MELDINGEN: list[tuple[str, dict[str, Any]]] = [
    (
        "de leiding onder de gootsteen is gesprongen",
        {"leiding_gesprongen": True, "leiding_afsluitbaar": False},
    ),
    (
        "de cv doet het niet, geen verwarming",
        {"geen_verwarming": True, "geen_warm_water": False, "medische_noodzaak": False},
    ),
    ("ik ruik gas in de keuken", {}),
    (
        "geen stroom in het hele huis",
        {"stroomuitval": "algeheel", "storing_in_straat": False, "belemmering_bewoning": True},
    ),
    ("ik ben buitengesloten", {}),
]


class Stuck(AssertionError):
    """The bot asked something the tenant cannot answer."""


def ticket_in(replies: list[dict[str, Any]]) -> str | None:
    found = TICKET.search(said(replies))
    return found.group(0) if found else None


def next_message(
    replies: list[dict[str, Any]],
    answers: dict[str, Any],
    contact: dict[str, str] | None = None,
) -> str:
    """What the tenant says to the bot's ``replies`` (raises :class:`Stuck` when lost)."""
    contact = {**CONTACT, **(contact or {})}
    text = said(replies)
    questions = [
        (fact, value, b["payload"])
        for b in buttons(replies)
        if b["payload"].startswith("/inform{")
        for fact, value in json.loads(b["payload"].removeprefix("/inform")).items()
    ]
    if questions:
        fact = questions[0][0]
        if fact not in answers:
            raise Stuck(f"unexpected question about {fact}: {text}")
        return next(p for f, v, p in questions if v == answers[fact])
    if "postcode en huisnummer" in text:
        return contact["adres"]
    if "Wat is uw naam" in text or "Hoe heet u" in text:
        return contact["naam"]
    if "telefoonnummer" in text:
        return contact["telefoon"]
    if "e-mailadres" in text:
        return contact["email"]
    if "Beschrijf het probleem kort" in text:
        return "het probleem zoals ik het al schreef"
    if "Klopt dit?" in text:
        return "ja"
    raise Stuck(f"the bot asked nothing the tenant can answer: {text!r}")
