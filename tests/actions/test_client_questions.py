"""The form answers a client's own question (vragen: in clients/de-linde.yml) and asks its
own question again; before the address names the client, only the general questions count."""

from __future__ import annotations

from tests.actions.conftest import texts
from tests.actions.test_form_dialogue import extract_and_validate, tracker_after

PLUMBER = "Mag ik zelf een loodgieter bellen?"


async def test_the_form_answers_the_clients_question_and_asks_again(
    runtime, dispatcher, domain
) -> None:
    tracker = tracker_after(
        [("naam", PLUMBER)],
        {"topic": "lekkage_waterleiding", "opdrachtgever": "de-linde"},
        intent="nlu_fallback",
    )
    # the slot stays empty, so the form asks its own question again
    assert await extract_and_validate("naam", tracker, dispatcher, domain) == {"naam": None}
    said = texts(dispatcher)
    assert len(said) == 1 and "De Linde stuurt zelf een vakman" in said[0]


async def test_before_the_client_is_known_its_question_is_no_digression(
    runtime, dispatcher, domain
) -> None:
    tracker = tracker_after(
        [("adres", PLUMBER)], {"topic": "lekkage_waterleiding"}, intent="nlu_fallback"
    )
    assert await extract_and_validate("adres", tracker, dispatcher, domain) == {"adres": None}
    # read as an address answer (without a postcode), not answered with De Linde's words
    said = texts(dispatcher)
    assert len(said) == 1 and said[0].startswith("Ik zie geen postcode")
