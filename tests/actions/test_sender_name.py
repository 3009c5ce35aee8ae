"""What the channel knows is confirmed, not asked (issue 15): the name WhatsApp or Telegram
sends with a message becomes the naam when it passes the form's check and none is known."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.confirmation import ActionBevestigMelding, ActionVerwerkAntwoord, ActionWijzigVeld
from actions.melding import ActionStartMelding
from tests.actions.conftest import COMPLETE_MELDING, user_message

FIRST = "de leiding onder de gootsteen is gesprongen"
WHATSAPP = ("wa-31612345678", "whatsapp")
TELEGRAM = ("tg-555001", "telegram")


def tracker_with(
    metadata: Any,
    sender: tuple[str, str] = WHATSAPP,
    slots: dict[str, Any] | None = None,
    message: dict[str, Any] | None = None,
) -> Tracker:
    """A tracker whose latest user message came from ``sender`` with ``metadata``."""
    message = message or user_message(FIRST, "melding_lekkage_waterleiding")
    sender_id, channel = sender
    return Tracker.from_dict(
        {
            "sender_id": sender_id,
            "slots": {"niet_begrepen": 0, "wacht_op_bevestiging": False, **(slots or {})},
            "latest_message": {**message, "metadata": metadata},
            "events": [
                {"event": "action", "name": "action_listen"},
                {
                    "event": "user",
                    "text": message["text"],
                    "parse_data": message,
                    "input_channel": channel,
                    "metadata": metadata,
                },
            ],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        }
    )


def set_slots(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


async def start(tracker: Tracker, domain: dict[str, Any]) -> dict[str, Any]:
    events = await ActionStartMelding().run(CollectingDispatcher(), tracker, domain)
    return set_slots(events)


@pytest.mark.parametrize(
    ("sender", "metadata", "naam"),
    [
        (WHATSAPP, {"sender_name": "Fatima el Amrani"}, "Fatima el Amrani"),
        (TELEGRAM, {"sender_name": "Fatima"}, "Fatima"),
        (WHATSAPP, {"sender_name": "Fatima 🌸"}, "Fatima"),
        (WHATSAPP, {"sender_name": "🌸"}, None),  # emoji only
        (TELEGRAM, {"sender_name": "F"}, None),  # one letter
        (WHATSAPP, {"sender_name": "06 12345678"}, None),  # a phone number
        (WHATSAPP, {"sender_name": 42}, None),
        (WHATSAPP, {"entry": {"kind": "whatsapp", "key": "+31610000900"}}, None),  # no name
        (WHATSAPP, None, None),  # no metadata at all
    ],
)
async def test_the_channels_name_is_taken_when_it_is_a_name(
    runtime, domain, sender: tuple[str, str], metadata: Any, naam: str | None
) -> None:
    slots = await start(tracker_with(metadata, sender), domain)
    assert slots.get("naam") == naam
    assert ("naam" in slots) == (naam is not None)  # a bad name sets nothing: the form asks


async def test_whatsapp_takes_name_and_phone_and_the_summary_shows_both(
    runtime, dispatcher, domain
) -> None:
    slots = await start(tracker_with({"sender_name": "Fatima el Amrani"}), domain)
    assert (slots["naam"], slots["telefoon"]) == ("Fatima el Amrani", "+31612345678")
    melding = {**COMPLETE_MELDING, "naam": slots["naam"], "telefoon": slots["telefoon"]}
    await ActionBevestigMelding().run(dispatcher, tracker_with(None, slots=melding), domain)
    summary = dispatcher.messages[0]["text"]
    assert "Fatima el Amrani" in summary and "06 12345678" in summary


async def test_a_known_name_is_not_replaced_by_the_channels(runtime, domain) -> None:
    """A name the tenant gave or corrected stays, also for a second melding in the chat."""
    tracker = tracker_with({"sender_name": "Fatima"}, slots={"naam": "Fatima el Amrani"})
    assert "naam" not in await start(tracker, domain)


async def test_a_taken_name_is_corrected_in_the_summary(runtime, dispatcher, domain) -> None:
    slots = await start(tracker_with({"sender_name": "Fatima"}), domain)
    melding = {**COMPLETE_MELDING, "naam": slots["naam"], "wacht_op_bevestiging": True}
    words = user_message("nee, mijn naam is Fatima el Amrani", "deny")
    tracker = tracker_with({"sender_name": "Fatima"}, slots=melding, message=words)
    events = await ActionVerwerkAntwoord().run(dispatcher, tracker, domain)
    assert set_slots(events)["naam"] == "Fatima el Amrani"
    # "Nee, aanpassen" -> Naam: the slot is emptied so the form asks it again.
    choice = user_message(
        '/wijzig{"veld": "naam"}', "wijzig", entities=[{"entity": "veld", "value": "naam"}]
    )
    tracker = tracker_with({"sender_name": "Fatima"}, slots=melding, message=choice)
    events = await ActionWijzigVeld().run(dispatcher, tracker, domain)
    assert set_slots(events)["naam"] is None
