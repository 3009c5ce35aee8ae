"""Starting a melding: topic, safety first, facts from the first message."""

from __future__ import annotations

import pytest
from rasa_sdk.events import FollowupAction

from actions.melding import ActionStartMelding, ActionStopMelding
from actions.session import ActionSessionStart
from tests.actions.conftest import texts, user_message


def slots_of(events: list) -> dict:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


async def test_session_starts_with_the_introduction(dispatcher, make_tracker, domain) -> None:
    events = await ActionSessionStart().run(dispatcher, make_tracker(), domain)
    assert texts(dispatcher) == ["utter_intro"]
    assert events[0]["event"] == "session_started"
    intro = domain["responses"]["utter_intro"][0]["text"]
    # EU AI Act art. 50: it says it is a digital assistant, and that a person can be reached
    assert "digitale assistent" in intro and "medewerker" in intro


async def test_gas_safety_comes_before_anything_else(
    runtime, dispatcher, make_tracker, domain
) -> None:
    tracker = make_tracker(message=user_message("ik ruik gas in de keuken", "melding_gaslek"))
    events = await ActionStartMelding().run(dispatcher, tracker, domain)
    assert texts(dispatcher)[0] == "utter_veiligheid_gas"
    gas = domain["responses"]["utter_veiligheid_gas"][0]["text"]
    assert "0800-9009" in gas and "112" in gas
    assert slots_of(events)["topic"] == "gaslek"


async def test_fire_says_112_first(runtime, dispatcher, make_tracker, domain) -> None:
    tracker = make_tracker(message=user_message("er is brand in de meterkast", "melding_brand"))
    await ActionStartMelding().run(dispatcher, tracker, domain)
    assert texts(dispatcher)[0] == "utter_veiligheid_brand"


async def test_facts_in_the_first_message_are_kept(
    runtime, dispatcher, make_tracker, domain
) -> None:
    text = "de leiding is gesprongen en ik krijg hem niet dicht, overal water"
    tracker = make_tracker(message=user_message(text, "melding_lekkage_waterleiding"))
    slots = slots_of(await ActionStartMelding().run(dispatcher, tracker, domain))
    assert slots["feiten"] == {"leiding_gesprongen": True, "leiding_afsluitbaar": False}
    assert slots["beschrijving"] == text
    assert len(slots["melding_id"]) == 32


async def test_topic_button(runtime, dispatcher, make_tracker, domain) -> None:
    # the topic buttons' payloads are the topic intents themselves
    message = user_message("/melding_buitensluiting", "melding_buitensluiting")
    slots = slots_of(
        await ActionStartMelding().run(dispatcher, make_tracker(message=message), domain)
    )
    assert slots["topic"] == "buitensluiting"
    assert slots["beschrijving"] is None  # a button is no description


@pytest.mark.parametrize(
    "message",
    [
        user_message("ik wil iets melden", "kies_onderwerp"),
        user_message("x", "melding_bestaat_niet"),
    ],
)
async def test_no_topic_asks_what_is_wrong(
    runtime, dispatcher, make_tracker, domain, message
) -> None:
    events = await ActionStartMelding().run(dispatcher, make_tracker(message=message), domain)
    assert texts(dispatcher) == ["utter_vraag_probleem"]
    assert events == [FollowupAction("action_listen")]


async def test_stop_forgets_the_melding(dispatcher, make_tracker, domain) -> None:
    events = await ActionStopMelding().run(
        dispatcher, make_tracker({"topic": "cv_storing"}), domain
    )
    assert texts(dispatcher) == ["utter_gestopt"]
    assert slots_of(events)["topic"] is None
    assert any(e["event"] == "active_loop" and e["name"] is None for e in events)


def test_topic_buttons_name_existing_topic_intents(domain) -> None:
    buttons = domain["responses"]["utter_vraag_probleem"][0]["buttons"]
    assert [b["payload"].lstrip("/") for b in buttons] == [
        b["payload"].lstrip("/") for b in buttons if b["payload"].lstrip("/") in domain["intents"]
    ]
