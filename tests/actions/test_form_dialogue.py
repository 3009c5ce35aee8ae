"""The form understands more tenants in fewer turns (issue 15): digressions, street
addresses, the optional e-mail, the channel's phone number, name and phone in one answer."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Tracker

from actions.confirmation import ActionBevestigMelding
from actions.form import ValidateMeldingForm
from actions.melding import ActionStartMelding
from actions.state import NO_EMAIL
from meldkamer.intake.texts import EMAIL_INVALID, EMAIL_SKIPPED, WHICH_ADDRESS
from tests.actions.conftest import COMPLETE_MELDING, texts, user_message

FORM = ValidateMeldingForm()


def tracker_after(
    turns: list[tuple[str, str]],
    slots: dict[str, Any] | None = None,
    intent: str = "inform",
    channel: str = "rest",
    sender: str = "huurder-1",
) -> Tracker:
    """A tracker in the form: each (asked slot, tenant text) a turn; the last one is latest."""
    events: list[dict[str, Any]] = [{"event": "action", "name": "action_start_melding"}]
    for asked, text in turns:
        events += [
            {"event": "slot", "name": "requested_slot", "value": asked},
            {"event": "action", "name": "action_listen"},
            {
                "event": "user",
                "text": text,
                "parse_data": user_message(text, intent),
                "input_channel": channel,
            },
        ]
    asked, text = turns[-1]
    return Tracker.from_dict(
        {
            "sender_id": sender,
            "slots": {"niet_begrepen": 0, "requested_slot": asked, **(slots or {})},
            "latest_message": user_message(text, intent),
            "events": events,
            "paused": False,
            "followup_action": None,
            "active_loop": {"name": "melding_form"},
            "latest_action_name": "action_listen",
        }
    )


async def extract_and_validate(slot: str, tracker: Tracker, dispatcher, domain) -> dict[str, Any]:
    """What the form does with the latest message for ``slot``: extract, then validate."""
    extracted = await getattr(FORM, f"extract_{slot}")(dispatcher, tracker, domain)
    if slot not in extracted:
        return {}
    return getattr(FORM, f"validate_{slot}")(extracted[slot], dispatcher, tracker, domain)


# --- Digressions: answered, then the form asks its question again -------------------------

STEPS = {
    "adres": {"topic": "cv_storing"},
    "triage_antwoord": {"topic": "cv_storing", "triage_vraag": "geen_verwarming"},
    "naam": {"topic": "cv_storing"},
    "telefoon": {"topic": "cv_storing"},
    "email": {"topic": "cv_storing"},
    "beschrijving": {"topic": "cv_storing"},
}


@pytest.mark.parametrize("slot", list(STEPS))
@pytest.mark.parametrize(
    ("question", "words"),
    [
        ("hoe lang gaat het duren voordat er iemand komt?", "precieze tijd kan ik u nu niet"),
        ("wie betaalt dit?", "huurcontract"),
        ("wat moet ik nu doen?", "thermostaat"),
        ("ben je een mens?", "digitale assistent"),
    ],
)
async def test_a_digression_at_every_step_is_answered_and_asked_again(
    runtime, dispatcher, domain, slot, question, words
) -> None:
    tracker = tracker_after([(slot, question)], STEPS[slot], intent="nlu_fallback")
    result = await extract_and_validate(slot, tracker, dispatcher, domain)
    # the slot stays empty, so the form asks its own question again; nothing else is set
    assert result == {slot: None}
    said = " ".join(texts(dispatcher))
    assert words in said
    assert "begreep ik niet" not in said and "Ik zie geen" not in said


async def test_what_to_do_with_gas_repeats_the_safety_instructions(
    runtime, dispatcher, domain
) -> None:
    tracker = tracker_after([("adres", "wat moet ik nu doen?")], {"topic": "gaslek"})
    assert await extract_and_validate("adres", tracker, dispatcher, domain) == {"adres": None}
    assert texts(dispatcher) == ["utter_veiligheid_gas"]


async def test_who_pays_adds_the_clients_notice(runtime, dispatcher, domain) -> None:
    tracker = tracker_after(
        [("naam", "moet ik dit zelf betalen?")],
        {"topic": "buitensluiting", "opdrachtgever": "de-linde"},
    )
    assert await extract_and_validate("naam", tracker, dispatcher, domain) == {"naam": None}
    said = texts(dispatcher)
    assert len(said) == 2 and "slotenmaker worden doorberekend" in said[1]


async def test_an_answer_that_mentions_a_question_word_is_still_an_answer(
    runtime, dispatcher, domain
) -> None:
    tracker = tracker_after([("naam", "Wim Wiebetaalt")], {"topic": "cv_storing"})
    assert await extract_and_validate("naam", tracker, dispatcher, domain) == {
        "naam": "Wim Wiebetaalt"
    }


# --- Street addresses without postcode -----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "postcode", "number", "addition"),
    [
        ("Lindelaan 12", "1234 AB", 12, None),
        ("lindelaan 12a", "1234 AB", 12, "A"),
        ("Lindenlaan 12 Lindendam", "1234 AB", 12, None),  # a typo, and the town
        ("ik woon op de Molenweg 8", "1234 AD", 8, None),
    ],
)
async def test_street_and_number_find_the_postcode_and_client(
    runtime, dispatcher, domain, text, postcode, number, addition
) -> None:
    tracker = tracker_after([("adres", text)], {"topic": "cv_storing"})
    result = await extract_and_validate("adres", tracker, dispatcher, domain)
    assert result["postcode"] == postcode
    assert result["huisnummer"] == number
    assert result["huisnummer_toevoeging"] == addition
    assert result["opdrachtgever"] == "de-linde"
    assert postcode in result["adres"] and "Lindendam" in result["adres"]
    assert dispatcher.messages == []


async def test_a_street_in_two_towns_offers_both(runtime, dispatcher, domain) -> None:
    tracker = tracker_after([("adres", "Kerkplein 3")], {"topic": "cv_storing"})
    assert await extract_and_validate("adres", tracker, dispatcher, domain) == {"adres": None}
    (message,) = dispatcher.messages
    assert message["text"] == WHICH_ADDRESS
    assert [(b["title"], b["payload"]) for b in message["buttons"]] == [
        ("Kerkplein 3, Lindendam", "1235 CD 3"),
        ("Kerkplein 3, Noorderstad", "9876 CE 3"),
    ]
    # the button's payload is an address the form reads as it is
    picked = tracker_after(
        [("adres", "Kerkplein 3"), ("adres", "9876 CE 3")], {"topic": "cv_storing"}
    )
    result = await extract_and_validate("adres", picked, dispatcher, domain)
    assert result["opdrachtgever"] == "vve-beheer-noord"


async def test_an_unknown_street_asks_only_the_postcode(runtime, dispatcher, domain) -> None:
    first = tracker_after([("adres", "Dorpsstraat 5 Utrecht")], {"topic": "cv_storing"})
    assert await extract_and_validate("adres", first, dispatcher, domain) == {"adres": None}
    assert "Dorpsstraat 5, Utrecht" in texts(dispatcher)[0]
    assert "Wat is de postcode?" in texts(dispatcher)[0]
    dispatcher.messages.clear()
    # the postcode alone now completes the address with the number given before
    second = tracker_after(
        [("adres", "Dorpsstraat 5 Utrecht"), ("adres", "3511 AB")], {"topic": "cv_storing"}
    )
    result = await extract_and_validate("adres", second, dispatcher, domain)
    assert (result["postcode"], result["huisnummer"]) == ("3511 AB", 5)
    # not a client's address: taken anyway, a person calls back
    assert "niet in onze lijst" in texts(dispatcher)[0]


async def test_postcode_not_known_asks_for_street_and_town(runtime, dispatcher, domain) -> None:
    tracker = tracker_after([("adres", "weet ik niet")], {"topic": "cv_storing"})
    assert await extract_and_validate("adres", tracker, dispatcher, domain) == {"adres": None}
    assert "straat en huisnummer" in texts(dispatcher)[0]


async def test_a_street_without_number_asks_the_number(runtime, dispatcher, domain) -> None:
    tracker = tracker_after([("adres", "Lindelaan")], {"topic": "cv_storing"})
    await extract_and_validate("adres", tracker, dispatcher, domain)
    assert texts(dispatcher) == [
        "Wat is uw huisnummer aan de Lindelaan? Bijvoorbeeld: Lindelaan 12."
    ]


# --- The optional e-mail -------------------------------------------------------------------


async def test_email_is_skipped_after_the_second_wrong_address(runtime, dispatcher, domain) -> None:
    first = tracker_after([("email", "fatima@")], {"topic": "cv_storing"})
    assert await extract_and_validate("email", first, dispatcher, domain) == {"email": None}
    assert texts(dispatcher) == [EMAIL_INVALID]
    dispatcher.messages.clear()
    second = tracker_after([("email", "fatima@"), ("email", "fatima@x")], {"topic": "cv_storing"})
    assert await extract_and_validate("email", second, dispatcher, domain) == {"email": NO_EMAIL}
    assert texts(dispatcher) == [EMAIL_SKIPPED]


async def test_a_digression_is_no_wrong_email(runtime, dispatcher, domain) -> None:
    tracker = tracker_after(
        [("email", "wie betaalt dit?"), ("email", "fatima@")], {"topic": "cv_storing"}
    )
    assert await extract_and_validate("email", tracker, dispatcher, domain) == {"email": None}
    assert texts(dispatcher) == [EMAIL_INVALID]


def test_the_email_step_says_one_thing(domain) -> None:
    question = domain["responses"]["utter_ask_email"][0]
    button = question["buttons"][0]["title"]
    assert f"Kies '{button}'" in question["text"]
    for text in (EMAIL_INVALID, EMAIL_SKIPPED):
        assert "Typ dan" not in text and "'geen'" not in text


# --- Fewer turns ---------------------------------------------------------------------------


async def test_name_and_phone_in_one_answer(runtime, dispatcher, domain) -> None:
    tracker = tracker_after([("naam", "Fatima el Amrani, 06 12345678")], {"topic": "cv_storing"})
    assert await extract_and_validate("naam", tracker, dispatcher, domain) == {
        "naam": "Fatima el Amrani",
        "telefoon": "+31612345678",
    }
    slots = await FORM.required_slots([], dispatcher, tracker, domain)
    assert "telefoon" in slots  # still required, but filled: the form does not ask it


@pytest.mark.parametrize(
    ("sender", "channel", "phone"),
    [
        ("wa-31612345678", "whatsapp", "+31612345678"),
        ("sms-31687654321", "sms", "+31687654321"),
        ("wa-31612345678", "rest", None),  # a REST client naming itself wa-... proves nothing
        ("huurder-1", "webchat", None),
    ],
)
async def test_the_channels_phone_number_is_not_asked(
    runtime, dispatcher, domain, sender, channel, phone
) -> None:
    text = "de leiding onder de gootsteen is gesprongen"
    tracker = tracker_after(
        [("", text)], intent="melding_lekkage_waterleiding", channel=channel, sender=sender
    )
    events = await ActionStartMelding().run(dispatcher, tracker, domain)
    set_phone = [e["value"] for e in events if e.get("name") == "telefoon"]
    assert set_phone == ([phone] if phone else [])


# --- The summary: short labels, not the questions -----------------------------------------


async def test_summary_shows_labels_not_questions(
    runtime, dispatcher, make_tracker, domain
) -> None:
    slots = {
        **COMPLETE_MELDING,
        "topic": "lekkage_afvoer",
        "feiten": {"belemmering_bewoning": True},
        "onbekende_feiten": ["groot_gevolgschade_risico"],
    }
    await ActionBevestigMelding().run(dispatcher, make_tracker(slots), domain)
    text = dispatcher.messages[0]["text"]
    assert "• Hinder bij het wonen: ernstig" in text
    assert "• Risico op schade: weet u niet" in text
    assert "?" not in text.removesuffix("Klopt dit?")
