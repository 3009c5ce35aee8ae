"""English intake in full (issue 15): the same triage, texts, buttons and summary in English.

The language is read from the first message (or chosen with "English"); gas and fire get
their safety instructions first in English too.
"""

from __future__ import annotations

import re

import pytest

from actions.confirmation import ActionBevestigMelding, ActionVerwerkAntwoord
from actions.form import ActionAskTriageAntwoord, ValidateMeldingForm
from actions.melding import ActionStartMelding
from tests.actions.conftest import COMPLETE_MELDING, texts, user_message
from tests.actions.test_form_dialogue import extract_and_validate, tracker_after


def slots_of(events: list) -> dict:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


@pytest.mark.parametrize(
    ("text", "intent", "first_words"),
    [
        ("I smell gas in my kitchen, what do I do", "melding_gaslek", "Do you smell gas?"),
        ("there is a fire in the hallway", "melding_brand", "Is there a fire or smoke now?"),
    ],
)
async def test_english_first_message_gets_english_safety_first(
    runtime, dispatcher, make_tracker, domain, text, intent, first_words
) -> None:
    events = await ActionStartMelding().run(
        dispatcher, make_tracker(message=user_message(text, intent)), domain
    )
    said = texts(dispatcher)
    # The response would be rendered in the old language: the English text itself comes first.
    assert said[0].startswith(first_words) and "112" in said[0]
    assert said[1].startswith("I will help you with your report")
    assert slots_of(events)["taal"] == "en"


async def test_english_safety_text_is_the_domain_variation(domain) -> None:
    variants = domain["responses"]["utter_veiligheid_gas"]
    english = [v for v in variants if v.get("condition")]
    assert english[0]["condition"] == [{"type": "slot", "name": "taal", "value": "en"}]
    # The Dutch default stays first: the console reads the first variant for phone mode.
    assert variants[0]["text"].startswith("Ruikt u gas?")


async def test_dutch_first_message_keeps_dutch(runtime, dispatcher, make_tracker, domain) -> None:
    tracker = make_tracker(message=user_message("ik ruik gas in de keuken", "melding_gaslek"))
    events = await ActionStartMelding().run(dispatcher, tracker, domain)
    assert texts(dispatcher)[0] == "utter_veiligheid_gas"
    assert "taal" not in slots_of(events)


async def test_english_first_message_facts_are_read(
    runtime, dispatcher, make_tracker, domain
) -> None:
    message = user_message(
        "a pipe burst under the sink and I can't turn it off", "melding_lekkage_waterleiding"
    )
    events = await ActionStartMelding().run(dispatcher, make_tracker(message=message), domain)
    assert slots_of(events)["feiten"] == {"leiding_gesprongen": True, "leiding_afsluitbaar": False}


async def test_triage_question_and_buttons_in_english(
    runtime, dispatcher, make_tracker, domain
) -> None:
    tracker = make_tracker({"taal": "en", "topic": "lekkage_waterleiding", "feiten": {}})
    await ActionAskTriageAntwoord().run(dispatcher, tracker, domain)
    (message,) = dispatcher.messages
    assert message["text"] == "Has the pipe burst, is water spraying out?"
    titles = [b["title"] for b in message["buttons"]]
    assert titles == ["Yes, burst or spraying", "No, it drips or leaks", "I don't know"]
    # The payloads are the contract's, whatever the language.
    assert message["buttons"][0]["payload"] == '/inform{"leiding_gesprongen": true}'


@pytest.mark.parametrize(
    ("answer", "value"),
    [("it is spraying everywhere", True), ("No, it drips or leaks", False)],
)
async def test_english_free_text_answers(runtime, dispatcher, domain, answer, value) -> None:
    slots = {"taal": "en", "topic": "lekkage_waterleiding", "triage_vraag": "leiding_gesprongen"}
    tracker = tracker_after([("triage_antwoord", answer)], slots)
    result = await extract_and_validate("triage_antwoord", tracker, dispatcher, domain)
    assert result["feiten"]["leiding_gesprongen"] is value


async def test_unclear_answer_is_explained_in_english(runtime, dispatcher, domain) -> None:
    slots = {"taal": "en", "topic": "lekkage_waterleiding", "triage_vraag": "leiding_gesprongen"}
    tracker = tracker_after([("triage_antwoord", "purple")], slots)
    await extract_and_validate("triage_antwoord", tracker, dispatcher, domain)
    assert texts(dispatcher) == [
        "I did not quite understand that. Choose one of the buttons, or answer yes or no."
    ]


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("06-12ab5678", "A phone number has digits only, for example 06 12345678."),
        ("06 1234", "A Dutch phone number has 10 digits; I count 6. Please check the number."),
        ("12", "A Dutch number starts with 0 or +31, for example 06 12345678."),
    ],
)
async def test_wrong_phone_gets_the_precise_reason_in_english(
    runtime, dispatcher, domain, typed: str, reason: str
) -> None:
    tracker = tracker_after([("telefoon", typed)], {"taal": "en", "topic": "gaslek"})
    result = await extract_and_validate("telefoon", tracker, dispatcher, domain)
    assert result == {"telefoon": None}
    assert texts(dispatcher) == [reason]


async def test_a_wrong_name_gets_the_precise_reason_in_english(runtime, dispatcher, domain) -> None:
    tracker = tracker_after([("naam", "Anna 12345")], {"taal": "en", "topic": "gaslek"})
    assert await extract_and_validate("naam", tracker, dispatcher, domain) == {"naam": None}
    assert texts(dispatcher) == ["A name has no digits. What is your name?"]


async def test_language_words_are_not_read_as_an_answer(runtime, dispatcher, domain) -> None:
    tracker = tracker_after([("naam", "English")], {"topic": "gaslek"}, intent="english")
    assert await ValidateMeldingForm().extract_naam(dispatcher, tracker, domain) == {}


async def test_summary_in_english(runtime, dispatcher, make_tracker, domain) -> None:
    tracker = make_tracker({**COMPLETE_MELDING, "taal": "en"})
    await ActionBevestigMelding().run(dispatcher, tracker, domain)
    (message,) = dispatcher.messages
    for part in (
        "This is what I have noted:",
        "Problem: leaking water pipe",
        "Pipe: burst or spraying",
        "Turning off the water: not possible",
        "Address: 1234 AB 12",
        "E-mail: none",
        "Is this correct?",
    ):
        assert part in message["text"]
    assert [b["title"] for b in message["buttons"]] == ["Yes, correct", "No, change"]


async def test_no_after_the_summary_offers_the_fields_in_english(
    runtime, dispatcher, make_tracker, domain
) -> None:
    tracker = make_tracker(
        {**COMPLETE_MELDING, "taal": "en", "wacht_op_bevestiging": True},
        message=user_message("no", "deny"),
    )
    await ActionVerwerkAntwoord().run(dispatcher, tracker, domain)
    (message,) = dispatcher.messages
    assert message["text"].startswith("What is not correct?")
    assert "Kind of problem" in [b["title"] for b in message["buttons"]]


async def test_outcome_in_english(runtime, dispatcher, make_tracker, domain) -> None:
    tracker = make_tracker(
        {**COMPLETE_MELDING, "taal": "en", "wacht_op_bevestiging": True},
        message=user_message("yes", "affirm"),
    )
    events = await ActionVerwerkAntwoord().run(dispatcher, tracker, domain)
    number = next(e["value"] for e in events if e["name"] == "ticket_nummer")
    reply = texts(dispatcher)[0]
    assert re.search(rf"registered under number {number}", reply)
    assert "This is an emergency (acute)." in reply and "Call 112." in reply
    assert "Uw melding" not in reply


async def test_an_address_not_found_is_asked_in_english(runtime, dispatcher, domain) -> None:
    tracker = tracker_after([("adres", "Nowhere Street 5")], {"taal": "en", "topic": "gaslek"})
    result = await extract_and_validate("adres", tracker, dispatcher, domain)
    assert result == {"adres": None}
    assert texts(dispatcher) == [
        "I cannot find Nowhere Street 5 on our list. What is the postcode? For example: "
        "1234 AB. Don't know the postcode? Then type 'I don't know'."
    ]


async def test_the_street_lookup_asks_in_english(runtime, dispatcher, domain) -> None:
    slots = {"taal": "en", "topic": "gaslek"}
    await extract_and_validate(
        "adres", tracker_after([("adres", "Lindelaan")], slots), dispatcher, domain
    )
    assert texts(dispatcher) == [
        "What is your house number in Lindelaan? For example: Lindelaan 12."
    ]
    dispatcher.messages.clear()
    await extract_and_validate(
        "adres", tracker_after([("adres", "Kerkplein 3")], slots), dispatcher, domain
    )
    (message,) = dispatcher.messages
    assert message["text"] == "We know that address in more than one place. Which address is it?"
    assert [b["title"] for b in message["buttons"]] == [
        "Kerkplein 3, Lindendam",
        "Kerkplein 3, Noorderstad",
    ]
    dispatcher.messages.clear()
    await extract_and_validate(
        "adres", tracker_after([("adres", "I don't know")], slots), dispatcher, domain
    )
    assert texts(dispatcher) == [
        "No problem. Then please send your street and house number, and the town, "
        "for example: Lindelaan 12, Lindendam."
    ]


async def test_an_address_refused_gets_the_precise_reason_in_english(
    runtime, dispatcher, domain
) -> None:
    tracker = tracker_after([("adres", "1234 AB")], {"taal": "en", "topic": "gaslek"})
    assert await extract_and_validate("adres", tracker, dispatcher, domain) == {"adres": None}
    assert texts(dispatcher) == [
        "I have postcode 1234 AB, but no house number. What is your house number? "
        "For example: 1234 AB 12."
    ]


async def test_a_photo_is_thanked_in_english(runtime, dispatcher, make_tracker, domain) -> None:
    from actions.photos import ActionFotoOntvangen

    tracker = make_tracker({"taal": "en"}, message=user_message("/foto", "foto"))
    await ActionFotoOntvangen().run(dispatcher, tracker, domain)
    assert texts(dispatcher) == ["I did not receive a photo. Please try again."]


@pytest.mark.parametrize(
    ("question", "words"),
    [
        ("how long will it take before someone comes?", "cannot give you an exact time"),
        ("who pays for this?", "rental contract"),
        ("what should I do now?", "Turn off the water"),
    ],
)
async def test_a_question_in_the_form_is_answered_in_english(
    runtime, dispatcher, domain, question, words
) -> None:
    slots = {"taal": "en", "topic": "lekkage_waterleiding"}
    tracker = tracker_after([("naam", question)], slots)
    result = await extract_and_validate("naam", tracker, dispatcher, domain)
    assert result == {"naam": None}  # the form asks its question again
    assert words in texts(dispatcher)[0]


async def test_who_pays_gets_the_clients_english_notice(runtime, dispatcher, domain) -> None:
    slots = {"taal": "en", "topic": "buitensluiting", "opdrachtgever": "de-linde"}
    tracker = tracker_after([("naam", "who pays for the locksmith?")], slots)
    assert await extract_and_validate("naam", tracker, dispatcher, domain) == {"naam": None}
    said = "\n".join(texts(dispatcher))
    assert "Who pays depends on your rental contract" in said
    assert "The locksmith's costs are charged to you" in said  # mededelingen_en
    assert "slotenmaker" not in said


@pytest.mark.parametrize(
    "first", ["I can smell gas in the kitchen, what should I do?", "ik ruik gas, wat moet ik doen?"]
)
async def test_a_first_message_with_a_question_stays_the_description(
    runtime, dispatcher, make_tracker, domain, first
) -> None:
    # The form validates the description start_melding set this turn; it asked nothing yet.
    tracker = make_tracker({"taal": "en", "topic": "gaslek"}, message=user_message(first))
    result = ValidateMeldingForm().validate_beschrijving(first, dispatcher, tracker, domain)
    assert result == {"beschrijving": first} and texts(dispatcher) == []


async def test_an_english_message_not_understood_is_answered_in_english(
    dispatcher, make_tracker, domain
) -> None:
    from actions.conversation import ActionNietBegrepen

    tracker = make_tracker(message=user_message("my thingy is acting weird", "nlu_fallback"))
    events = await ActionNietBegrepen().run(dispatcher, tracker, domain)
    assert texts(dispatcher)[0].startswith("Sorry, I did not understand that.")
    assert slots_of(events)["taal"] == "en"


async def test_an_english_message_without_topic_gets_the_english_buttons(
    runtime, dispatcher, make_tracker, domain
) -> None:
    message = user_message("I want to report a problem with my home", "kies_onderwerp")
    events = await ActionStartMelding().run(dispatcher, make_tracker(message=message), domain)
    (said,) = dispatcher.messages
    assert said["text"].startswith("What is wrong?")
    assert said["buttons"][4] == {"title": "I smell gas", "payload": "/melding_gaslek"}
    assert slots_of(events)["taal"] == "en"
