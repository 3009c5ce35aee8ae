"""The conversation as an agent reads it, from the events of Rasa's tracker.

Plain data only: the template escapes every text, so a tenant's ``<script>`` is shown
as the characters they typed. A message that came by e-mail or SMS says so, and the
first message of each mail carries the mail as the tenant wrote it (the e-mail channel
keeps it in the message's metadata), so that agents can read what the assistant read.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from meldkamer.contacts import CHANNEL_LABELS
from meldkamer.mailin import METADATA_KEY
from meldkamer.triage.table import DecisionTable

#: Button payloads the tenant may have clicked, in words.
_PAYLOAD_WORDS = {
    "/affirm": "Ja",
    "/deny": "Nee",
    "/weet_niet": "Weet ik niet",
    "/greet": "Hallo (chat geopend)",
    "/stop": "Stoppen",
    "/vraag_medewerker": "Medewerker",
}


NEW_SESSION = "Nieuw gesprek: de assistent begint opnieuw, zonder de gegevens van hiervoor."


@dataclass(frozen=True)
class Line:
    """One message or event of the conversation."""

    kind: str  # huurder, assistent, medewerker or systeem
    speaker: str
    text: str
    at: datetime | None
    buttons: tuple[str, ...] = ()
    #: How the tenant wrote it when not in a chat ("per e-mail", "per sms").
    via: str = ""
    #: The mail as the tenant wrote it, with the first message of each mail.
    original: str = ""


def _moment(value: Any) -> datetime | None:
    if isinstance(value, int | float):
        return datetime.fromtimestamp(float(value), tz=timezone.utc)
    return None


def _tenant_text(text: str, metadata: Mapping[str, Any], table: DecisionTable) -> str:
    if metadata.get("photo"):
        return "[foto gestuurd]"
    if not text.startswith("/"):
        return text
    if text in _PAYLOAD_WORDS:
        return f"[knop] {_PAYLOAD_WORDS[text]}"
    intent, _, entities = text[1:].partition("{")
    if intent == "inform" and entities:
        try:
            chosen = json.loads("{" + entities)
        except ValueError:
            return text
        if isinstance(chosen, dict):
            labels = []
            for name, value in chosen.items():
                fact = table.facts.get(str(name))
                option = next((o for o in fact.options if o.value == value), None) if fact else None
                labels.append(option.label if option else f"{name}: {value}")
            return "[knop] " + "; ".join(labels)
    return text


def _by_mail_or_sms(
    event: Mapping[str, Any], metadata: Mapping[str, Any], seen: set[str]
) -> tuple[str, str]:
    """``(via, original)`` of a tenant message that came through the e-mail or SMS channel."""
    facts = metadata.get(METADATA_KEY)
    if not isinstance(facts, Mapping):
        return "", ""
    channel = str(event.get("input_channel") or "")
    via = f"per {CHANNEL_LABELS.get(channel, channel)}" if channel else ""
    message_id = str(facts.get("message_id") or "")
    if message_id and message_id in seen:
        # The channel answered the assistant's next question from the same mail.
        return f"{via}, uit hetzelfde bericht".lstrip(", "), ""
    seen.add(message_id)
    original = facts.get("original")
    return via, original if isinstance(original, str) else ""


def lines(events: Iterable[Mapping[str, Any]], table: DecisionTable) -> list[Line]:
    """What was said, in order: the tenant, the assistant, agents, and the hand-overs."""
    result: list[Line] = []
    messages: set[str] = set()
    for event in events:
        kind = event.get("event")
        at = _moment(event.get("timestamp"))
        metadata = event.get("metadata") or {}
        if not isinstance(metadata, dict):
            metadata = {}
        if kind == "user":
            text = str(event.get("text") or "")
            via, original = _by_mail_or_sms(event, metadata, messages)
            said = _tenant_text(text, metadata, table)
            result.append(Line("huurder", "Huurder", said, at, via=via, original=original))
        elif kind == "bot":
            data = event.get("data") or {}
            buttons = tuple(
                str(b.get("title", ""))
                for b in (data.get("buttons") or [] if isinstance(data, dict) else [])
                if isinstance(b, dict)
            )
            text = str(event.get("text") or "")
            if metadata.get("from") == "agent":
                name = str(metadata.get("agent") or "").strip()
                speaker = f"Medewerker {name}" if name else "Medewerker"
                result.append(Line("medewerker", speaker, text, at))
            elif text or buttons:
                result.append(Line("assistent", "Assistent", text, at, buttons))
        elif kind == "pause":
            result.append(
                Line("systeem", "Systeem", "De assistent zwijgt: een medewerker neemt over.", at)
            )
        elif kind == "resume":
            result.append(Line("systeem", "Systeem", "De assistent luistert weer.", at))
        elif kind == "session_started" and result:
            # After Afsluiten (or a long silence): what follows is a new conversation.
            result.append(Line("systeem", "Systeem", NEW_SESSION, at))
    return result
