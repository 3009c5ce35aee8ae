"""Reading the melding collected so far from the tracker's slots."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker

from meldkamer.intake.fields import UNKNOWN
from meldkamer.intake.language import DEFAULT_LANGUAGE
from meldkamer.intake.melding import Melding
from meldkamer.intake.validation import Address
from meldkamer.triage.table import FactValue

#: Intents that interrupt a question instead of answering it.
INTERRUPTIONS = frozenset({"vraag_medewerker", "stop", "foto", "english", "nederlands"})
#: Intents sent by the system (the console handing back), never the tenant's answer.
EXTERNAL_INTENTS = frozenset({"hervat"})
#: Below this confidence an interruption intent is read as an answer after all.
INTERRUPTION_CONFIDENCE = 0.7
#: Sentinel for an answer the bot could not read.
UNCLEAR = "__onduidelijk__"
#: The email slot's value when the tenant has or gives no e-mail address.
NO_EMAIL = "geen"


def facts(tracker: Tracker) -> dict[str, FactValue]:
    """The triage facts known so far."""
    value = tracker.get_slot("feiten")
    return dict(value) if isinstance(value, dict) else {}


def unknown_facts(tracker: Tracker) -> list[str]:
    """Facts the tenant could not answer."""
    value = tracker.get_slot("onbekende_feiten")
    return list(value) if isinstance(value, list) else []


def is_interruption(tracker: Tracker) -> bool:
    """Whether the latest message asks for something else than answering."""
    intent: dict[str, Any] = tracker.latest_message.get("intent") or {}
    if intent.get("name") in EXTERNAL_INTENTS:
        return True
    return (
        intent.get("name") in INTERRUPTIONS
        and float(intent.get("confidence") or 0.0) >= INTERRUPTION_CONFIDENCE
    )


def slot_asked(tracker: Tracker) -> str | None:
    """The slot the bot had asked for when the tenant's latest message came in.

    Not simply ``requested_slot``: within one turn Rasa runs the form validation
    again after moving on to the next slot, and the same message must not be read as
    the answer to a question that was only asked afterwards.
    """
    requested: str | None = None
    asked: str | None = None
    for event in tracker.events:
        if event.get("event") == "slot" and event.get("name") == "requested_slot":
            requested = event.get("value")
        elif event.get("event") == "user":
            asked = requested
    return asked


def language(tracker: Tracker) -> str:
    """The language the tenant is answered in (slot ``taal``; Dutch by default)."""
    return str(tracker.get_slot("taal") or DEFAULT_LANGUAGE)


def latest_text(tracker: Tracker) -> str:
    """The text of the latest user message ('' when there is none)."""
    return str(tracker.latest_message.get("text") or "")


def melding_from(tracker: Tracker) -> Melding:
    """The complete melding; raises ``KeyError`` naming a slot that is still empty."""

    def need(slot: str) -> Any:
        value = tracker.get_slot(slot)
        if value in (None, ""):
            raise KeyError(slot)
        return value

    return Melding(
        melding_id=need("melding_id"),
        conversation_id=tracker.sender_id,
        channel=tracker.get_latest_input_channel() or UNKNOWN,
        topic=need("topic"),
        address=Address(
            postcode=need("postcode"),
            huisnummer=int(need("huisnummer")),
            toevoeging=tracker.get_slot("huisnummer_toevoeging") or None,
        ),
        naam=need("naam"),
        telefoon=need("telefoon"),
        beschrijving=need("beschrijving"),
        facts=facts(tracker),
        unknown_facts=tuple(unknown_facts(tracker)),
        email=None
        if tracker.get_slot("email") in (None, "", NO_EMAIL)
        else tracker.get_slot("email"),
        client_id=tracker.get_slot("opdrachtgever") or None,
        complex_id=tracker.get_slot("complex") or None,
        taal=language(tracker),
    )
