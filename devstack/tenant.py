"""A simulated tenant: answers the bot's questions over the REST channel.

:func:`next_message` holds the answering rules, one message at a time (for faults between
two messages, and the benchmark); :func:`converse` plays a whole melding with them in one
call (end-to-end tests, the latency benchmark and the transcript generator).
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any, Protocol

from devstack.stack import Stack

CONTACT = {
    "adres": "1234 AB 12",
    "naam": "Fatima el Amrani",
    "telefoon": "06-12345678",
    "email": "geen",
}
TICKET = re.compile(r"MK-\d{4}-\d{6}")

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


class Talks(Protocol):
    """A channel a tenant says things on (a :class:`Stack`'s REST channel, a web chat...)."""

    def say(self, sender: str, message: str) -> list[dict[str, Any]]: ...


def buttons(replies: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Every button of the bot's replies."""
    return [b for reply in replies for b in reply.get("buttons") or []]


def said(replies: list[dict[str, Any]]) -> str:
    """The text of the bot's replies, one per line."""
    return "\n".join(reply.get("text") or "" for reply in replies)


def ticket_in(replies: list[dict[str, Any]]) -> str | None:
    """The ticket number the bot gave, if any."""
    found = TICKET.search(said(replies))
    return found.group(0) if found else None


def _questions(replies: list[dict[str, Any]]) -> list[tuple[str, Any, str]]:
    """The triage questions among the buttons: (fact, value, payload)."""
    return [
        (fact, value, b["payload"])
        for b in buttons(replies)
        if b["payload"].startswith("/inform{")
        for fact, value in json.loads(b["payload"].removeprefix("/inform")).items()
    ]


def next_message(
    replies: list[dict[str, Any]],
    answers: dict[str, Any],
    contact: dict[str, str] | None = None,
    free_text: dict[str, str] | None = None,
) -> str:
    """What the tenant says to the bot's ``replies`` (raises :class:`Stuck` when lost).

    ``free_text`` answers a triage question in the tenant's words instead of a button.
    """
    contact = {**CONTACT, **(contact or {})}
    text = said(replies)
    questions = _questions(replies)
    if questions:
        fact = questions[0][0]
        if fact not in answers:
            raise Stuck(f"unexpected question about {fact}: {text}")
        if free_text and fact in free_text:
            return free_text[fact]
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


def answer_until(
    tenant: Talks, sender: str, first: str, answers: dict[str, Any], last: str, turns: int = 10
) -> list[dict[str, Any]]:
    """Start a melding with ``first``, answer until the next message would be ``last``.

    ``last`` is not sent: the caller sends it, into a fault or twice at once. Returns the
    bot's replies that ask for it; :class:`Stuck` when the tenant never gets there.
    """
    replies = tenant.say(sender, first)
    for _ in range(turns):
        message = next_message(replies, answers)
        if message == last:
            return replies
        replies = tenant.say(sender, message)
    raise Stuck(f"the tenant never got to say {last!r}; the bot said: {said(replies)!r}")


def converse(
    stack: Stack,
    first: str,
    answers: dict[str, Any],
    *,
    free_text: dict[str, str] | None = None,
    contact: dict[str, str] | None = None,
    sender: str | None = None,
) -> tuple[str, list[str]]:
    """Play a tenant: answer every question from ``answers``, confirm, return (ticket, transcript)."""
    sender = sender or f"e2e-{uuid.uuid4().hex[:8]}"
    transcript: list[str] = []
    message = first
    for _ in range(25):
        transcript.append(f"huurder: {message}")
        replies = stack.say(sender, message)
        text = said(replies)
        transcript += [f"bot: {line}" for line in text.splitlines() if line]
        if buttons(replies):
            transcript.append(
                "bot: [knoppen: " + " | ".join(b["title"] for b in buttons(replies)) + "]"
            )
        ticket = ticket_in(replies)
        if ticket:
            return ticket, transcript
        try:
            message = next_message(replies, answers, contact, free_text)
        except Stuck as stuck:
            raise Stuck(f"{stuck}\n" + "\n".join(transcript)) from None
    raise AssertionError("no ticket after 25 turns:\n" + "\n".join(transcript))
