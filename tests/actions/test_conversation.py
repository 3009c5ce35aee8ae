"""Turns outside a melding."""

from __future__ import annotations

import pytest
from rasa_sdk.events import SlotSet

from actions.conversation import ActionEnglish, ActionNederlands, ActionNietBegrepen
from tests.actions.conftest import texts, user_message


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("", "utter_leeg"),
        ("   ", "utter_leeg"),
        ("🙈🙈🙈", "Ik zie alleen tekens of emoji."),
        ("asdkj qwe", "utter_niet_begrepen"),
    ],
)
async def test_not_understood_says_why(dispatcher, make_tracker, domain, text, first) -> None:
    await ActionNietBegrepen().run(
        dispatcher, make_tracker(message=user_message(text, "nlu_fallback")), domain
    )
    assert texts(dispatcher)[0].startswith(first)


async def test_a_question_of_the_table_outside_the_form_is_answered(
    runtime, dispatcher, make_tracker, domain
) -> None:
    # At the summary (no form active) "wie betaalt dit?" read as not understood: answered.
    tracker = make_tracker(
        {"niet_begrepen": 1, "topic": "cv_storing", "wacht_op_bevestiging": True},
        message=user_message("wie betaalt dit?", "nlu_fallback"),
    )
    events = await ActionNietBegrepen().run(dispatcher, tracker, domain)
    assert "huurcontract" in texts(dispatcher)[0]
    assert events == [SlotSet("niet_begrepen", 0)]


async def test_second_miss_hands_over_to_a_person(
    runtime, dispatcher, make_tracker, domain
) -> None:
    from meldkamer.handover.service import queue

    tracker = make_tracker(
        {"niet_begrepen": 1, "telefoon": "+31612345678"},
        message=user_message("blabla", "nlu_fallback"),
    )
    events = await ActionNietBegrepen().run(dispatcher, tracker, domain)
    assert events[0]["value"] == 0
    with runtime.sessions() as session:
        (handover,) = queue(session)
    assert handover.reason == "Bot begreep de huurder twee keer niet"
    # nobody is signed in to the console: the tenant is told a person calls back
    assert handover.callback and "terug" in texts(dispatcher)[-1]


@pytest.mark.parametrize(
    ("text", "safety"),
    [
        ("I smell gas in my kitchen", "utter_veiligheid_gas"),
        ("there is a fire in the hallway", "utter_veiligheid_brand"),
        ("my heating is broken", None),
    ],
)
async def test_english(dispatcher, make_tracker, domain, text, safety) -> None:
    events = await ActionEnglish().run(
        dispatcher, make_tracker(message=user_message(text, "english")), domain
    )
    said = texts(dispatcher)
    # Safety first, then the switch, then the question what is wrong (no melding yet).
    assert said == [*([safety] if safety else []), "utter_english", "utter_vraag_probleem"]
    assert events == [SlotSet("taal", "en")]


async def test_english_during_a_melding_lets_the_form_ask_again(
    dispatcher, make_tracker, domain
) -> None:
    tracker = make_tracker(
        message=user_message("English please", "english"), active_loop="melding_form"
    )
    await ActionEnglish().run(dispatcher, tracker, domain)
    assert texts(dispatcher) == ["utter_english"]


async def test_nederlands_switches_back(dispatcher, make_tracker, domain) -> None:
    tracker = make_tracker({"taal": "en"}, message=user_message("Nederlands", "nederlands"))
    events = await ActionNederlands().run(dispatcher, tracker, domain)
    assert texts(dispatcher) == ["utter_nederlands", "utter_vraag_probleem"]
    assert events == [SlotSet("taal", "nl")]
