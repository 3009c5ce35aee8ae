"""A simulated tenant: answers the bot's questions over the REST channel.

Used by the end-to-end tests, the latency benchmark and the transcript generator.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from tests.e2e.stack import Stack

CONTACT = {
    "adres": "1234 AB 12",
    "naam": "Fatima el Amrani",
    "telefoon": "06-12345678",
    "email": "geen",
}
TICKET = re.compile(r"MK-\d{4}-\d{6}")


def buttons(replies: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [b for reply in replies for b in reply.get("buttons") or []]


def said(replies: list[dict[str, Any]]) -> str:
    return "\n".join(reply.get("text") or "" for reply in replies)


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
    contact = {**CONTACT, **(contact or {})}
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
        found = TICKET.search(text)
        if found:
            return found.group(0), transcript
        questions = [
            (fact, value, b["payload"])
            for b in buttons(replies)
            if b["payload"].startswith("/inform{")
            for fact, value in json.loads(b["payload"].removeprefix("/inform")).items()
        ]
        if questions:
            fact = questions[0][0]
            assert fact in answers, f"unexpected question about {fact}:\n" + "\n".join(transcript)
            if free_text and fact in free_text:
                message = free_text[fact]
            else:
                message = next(p for f, v, p in questions if v == answers[fact])
        elif "postcode en huisnummer" in text:
            message = contact["adres"]
        elif "Wat is uw naam" in text or "Hoe heet u" in text:
            message = contact["naam"]
        elif "telefoonnummer" in text:
            message = contact["telefoon"]
        elif "e-mailadres" in text:
            message = contact["email"]
        elif "Beschrijf het probleem kort" in text:
            message = "het probleem zoals ik het al schreef"
        elif "Klopt dit?" in text:
            message = "ja"
        else:
            raise AssertionError(
                "the bot asked nothing the tenant can answer:\n" + "\n".join(transcript)
            )
    raise AssertionError("no ticket after 25 turns:\n" + "\n".join(transcript))
