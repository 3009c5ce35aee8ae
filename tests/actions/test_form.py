"""The melding form: only the questions the matrix needs, answers read and checked."""

from __future__ import annotations

import json

import pytest

from actions.form import ActionAskTriageAntwoord, ValidateMeldingForm
from actions.state import UNCLEAR
from meldkamer.intake.fields import UNKNOWN
from tests.actions.conftest import texts, user_message

CONTACT = ["naam", "telefoon", "email", "beschrijving"]


@pytest.mark.parametrize(
    ("topic", "facts", "triage"),
    [
        ("cv_storing", {}, True),  # cv: heating, hot water, medical need may be asked
        ("gaslek", {}, False),  # gas is always acuut: no questions, straight to the address
        ("buitensluiting", {}, False),  # lock-out: always acuut
        (
            "lekkage_waterleiding",
            {"leiding_gesprongen": True, "leiding_afsluitbaar": False},
            False,
        ),  # settled by the first message
        (
            "lekkage_waterleiding",
            {"leiding_gesprongen": False},
            False,
        ),  # dripping: niet urgent, nothing more to ask
    ],
)
async def test_required_slots(
    runtime, dispatcher, make_tracker, domain, topic, facts, triage
) -> None:
    tracker = make_tracker({"topic": topic, "feiten": facts})
    slots = await ValidateMeldingForm().required_slots([], dispatcher, tracker, domain)
    assert slots == ["adres", *(["triage_antwoord"] if triage else []), *CONTACT]


async def test_question_buttons_carry_the_contract(
    runtime, dispatcher, make_tracker, domain
) -> None:
    tracker = make_tracker(
        {"topic": "lekkage_waterleiding", "feiten": {"leiding_gesprongen": True}}
    )
    events = await ActionAskTriageAntwoord().run(dispatcher, tracker, domain)
    assert events == [
        {"event": "slot", "timestamp": None, "name": "triage_vraag", "value": "leiding_afsluitbaar"}
    ]
    message = dispatcher.messages[0]
    assert "afsluiten" in message["text"]
    payloads = [b["payload"] for b in message["buttons"]]
    assert '/inform{"leiding_afsluitbaar": true}' in payloads
    assert '/inform{"leiding_afsluitbaar": false}' in payloads
    assert "/weet_niet" in payloads
    for payload in payloads[:-1]:
        assert json.loads(payload.removeprefix("/inform")).keys() == {"leiding_afsluitbaar"}


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        # the button
        (
            user_message(
                '/inform{"leiding_afsluitbaar": false}',
                "inform",
                entities=[{"entity": "leiding_afsluitbaar", "value": False}],
            ),
            False,
        ),
        # free text, NLU says deny
        (user_message("nee, dat lukt niet", "deny"), False),
        # free text, NLU says affirm
        (user_message("ja hoor", "affirm"), True),
        # words that settle it whatever the intent
        (user_message("hoofdkraan is dicht", "inform"), True),
        # does not know
        (user_message("geen idee eigenlijk", "weet_niet"), UNKNOWN),
        # not an answer
        (user_message("wat is een hoofdkraan", "inform"), UNCLEAR),
    ],
)
async def test_triage_answers(runtime, dispatcher, make_tracker, domain, message, expected) -> None:
    tracker = make_tracker(
        {
            "topic": "lekkage_waterleiding",
            "feiten": {"leiding_gesprongen": True},
            "requested_slot": "triage_antwoord",
            "triage_vraag": "leiding_afsluitbaar",
        },
        message=message,
        active_loop="melding_form",
    )
    assert await ValidateMeldingForm().extract_triage_antwoord(dispatcher, tracker, domain) == {
        "triage_antwoord": expected
    }


async def test_interruption_is_not_an_answer(runtime, dispatcher, make_tracker, domain) -> None:
    tracker = make_tracker(
        {"topic": "cv_storing", "requested_slot": "naam"},
        message=user_message("ik wil een medewerker spreken", "vraag_medewerker"),
        active_loop="melding_form",
    )
    assert await ValidateMeldingForm().extract_naam(dispatcher, tracker, domain) == {}


async def test_answer_is_stored_as_a_fact(runtime, dispatcher, make_tracker, domain) -> None:
    tracker = make_tracker(
        {
            "topic": "lekkage_waterleiding",
            "feiten": {},
            "onbekende_feiten": [],
            "triage_vraag": "leiding_gesprongen",
        },
        message=user_message("ja hij spuit en ik krijg hem niet dicht", "affirm"),
    )
    result = ValidateMeldingForm().validate_triage_antwoord(True, dispatcher, tracker, domain)
    # the answer, and what else the sentence settles
    assert result == {
        "triage_antwoord": None,
        "feiten": {"leiding_gesprongen": True, "leiding_afsluitbaar": False},
        "onbekende_feiten": [],
    }


async def test_unknown_answer_is_not_asked_again(runtime, dispatcher, make_tracker, domain) -> None:
    tracker = make_tracker(
        {
            "topic": "cv_storing",
            "feiten": {"geen_warm_water": True},
            "onbekende_feiten": [],
            "triage_vraag": "medische_noodzaak",
        },
        message=user_message("weet ik niet", "weet_niet"),
    )
    result = ValidateMeldingForm().validate_triage_antwoord(UNKNOWN, dispatcher, tracker, domain)
    assert result["onbekende_feiten"] == ["medische_noodzaak"]
    assert "medische_noodzaak" != runtime.engine.next_question(
        "cv_storing", result["feiten"], runtime.clock(), skip=result["onbekende_feiten"]
    )


async def test_unclear_answer_is_asked_again(runtime, dispatcher, make_tracker, domain) -> None:
    tracker = make_tracker({"topic": "cv_storing", "triage_vraag": "geen_verwarming"})
    result = ValidateMeldingForm().validate_triage_antwoord(UNCLEAR, dispatcher, tracker, domain)
    assert result == {"triage_antwoord": None}
    assert "knoppen" in texts(dispatcher)[0]


@pytest.mark.parametrize(
    ("slot", "value", "expected"),
    [
        (
            "adres",
            "1234ab 12a",
            {
                "adres": "1234 AB 12A",
                "postcode": "1234 AB",
                "huisnummer": 12,
                "huisnummer_toevoeging": "A",
                "opdrachtgever": "de-linde",
                "complex": "lindehof",
            },
        ),
        ("adres", "0000 AA 1", {"adres": None}),
        ("telefoon", "06-12345678", {"telefoon": "+31612345678"}),
        ("telefoon", "nul zes twaalf", {"telefoon": None}),
        ("email", "geen", {"email": "geen"}),
        ("email", "jan@", {"email": None}),
        ("naam", "ik heet Jan", {"naam": "Jan"}),
        ("naam", "🙂", {"naam": None}),
        ("beschrijving", "", {"beschrijving": None}),
    ],
)
async def test_contact_validation(
    runtime, dispatcher, make_tracker, domain, slot, value, expected
) -> None:
    validate = getattr(ValidateMeldingForm(), f"validate_{slot}")
    assert validate(value, dispatcher, make_tracker(), domain) == expected
    # a refusal always says why
    assert bool(dispatcher.messages) == (None in expected.values())


async def test_message_answers_only_the_question_it_followed(
    runtime, dispatcher, make_tracker, domain
) -> None:
    # Within one turn Rasa validates again after moving on to the next slot: the
    # address the tenant just sent must not be read as their name.
    tracker = make_tracker(
        {"topic": "gaslek", "requested_slot": "adres"},
        message=user_message("1234 AB 12", "inform"),
        active_loop="melding_form",
    )
    tracker.events.append({"event": "slot", "name": "requested_slot", "value": "naam"})
    tracker.slots["requested_slot"] = "naam"
    assert await ValidateMeldingForm().extract_naam(dispatcher, tracker, domain) == {}
    assert await ValidateMeldingForm().extract_adres(dispatcher, tracker, domain) == {
        "adres": "1234 AB 12"
    }


async def test_unknown_address_is_taken_and_said(runtime, dispatcher, make_tracker, domain) -> None:
    result = ValidateMeldingForm().validate_adres("9999 ZZ 1", dispatcher, make_tracker(), domain)
    assert result["adres"] == "9999 ZZ 1" and result["complex"] is None
    assert "niet in onze lijst" in dispatcher.messages[0]["text"]
