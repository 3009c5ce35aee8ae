"""The data files and pure readers behind issue 15's dialogue: vragen.yml (digressions),
street addresses in the clients' lists, samenvatting.yml (summary labels), the channel's
phone number, name and phone in one answer."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from meldkamer.clients import ClientRegistry, load_client
from meldkamer.clients.streets import Ask, Found, find_by_street, resolve_address
from meldkamer.intake.channel import phone_from_sender
from meldkamer.intake.corrections import name_and_phone
from meldkamer.intake.digressions import (
    DigressionFileError,
    default_digressions,
    parse_digressions,
)
from meldkamer.intake.fact_labels import default_fact_labels
from meldkamer.intake.street_address import (
    StreetAddress,
    Unlisted,
    parse_street_address,
    street_without_number,
)
from meldkamer.intake.texts import summary
from meldkamer.triage import default_engine

ROOT = Path(__file__).resolve().parents[2]
TABLE = default_engine().table


@pytest.fixture(scope="module")
def registry() -> ClientRegistry:
    return ClientRegistry(load_client(p).client for p in sorted((ROOT / "clients").glob("*.yml")))


# --- vragen.yml ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "question"),
    [
        ("hoe lang gaat het duren voordat er iemand komt?", "hoe_lang"),
        ("Wanneer komt er iemand", "hoe_lang"),
        ("wie betaalt dit?", "wie_betaalt"),
        ("moet ik dat zelf betalen?", "wie_betaalt"),
        ("kost het mij iets?", "wie_betaalt"),
        ("wat moet ik nu doen?", "wat_nu"),
        ("Wat kan ik zelf doen", "wat_nu"),
        ("kan ik een foto sturen?", "foto"),
        ("ben je een robot?", "mens"),
        # answers and descriptions are no questions
        ("Fatima el Amrani", None),
        ("nee", None),
        ("1234 AB 12", None),
        ("de kosten van de cv", None),
        (
            "de leiding is gesprongen en ik weet niet hoe lang het nog goed gaat, het water loopt al "
            "in de gang en naar de buren, wat moet ik doen",
            None,
        ),
    ],
)
def test_questions_are_recognised_and_answers_are_not(text: str, question: str | None) -> None:
    found = default_digressions().find(text)
    assert (found.id if found else None) == question


def test_every_advice_names_a_topic_and_gas_and_fire_give_their_instructions() -> None:
    digressions = default_digressions()
    assert set(digressions.advice) <= set(TABLE.topics)
    for code, topic in TABLE.topics.items():
        reply = digressions.reply("wat moet ik nu doen?", topic=code, safety=topic.safety)
        assert reply is not None
        if topic.safety:
            # the instructions come from the domain's safety responses, nothing else first
            assert reply.safety == topic.safety and reply.texts == ()
        else:
            assert reply.texts and reply.safety is None


def test_no_answer_promises_a_waiting_time() -> None:
    digressions = default_digressions()
    answers = [q.answer for q in digressions.questions] + list(digressions.advice.values())
    promise = re.compile(
        r"\b(binnen|over|na) (een|\d+|half) ?(uur|minuten|kwartier|dag)|\d+ (minuten|uur)"
    )
    for answer in answers:
        assert not promise.search(answer), answer


def test_channel_answers_and_the_clients_notice() -> None:
    digressions = default_digressions()
    photo_sms = digressions.reply("kan ik een foto sturen?", topic="overig", channel="sms")
    photo_chat = digressions.reply("kan ik een foto sturen?", topic="overig", channel="whatsapp")
    assert photo_sms and "geen foto" in photo_sms.texts[0]
    assert photo_chat and photo_chat.texts[0].startswith("Ja")
    pays = digressions.reply("wie betaalt dit?", topic="buitensluiting", notice="Kosten: zelf.")
    assert pays and pays.texts[-1] == "Kosten: zelf."


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({}, "vragen"),
        ({"vragen": {"x": {"antwoord": "a"}}}, "herkenning"),
        ({"vragen": {"x": {"herkenning": ["("], "antwoord": "a"}}}, "ongeldig patroon"),
        ({"vragen": {"x": {"herkenning": ["a"], "antwoord": " "}}}, "tekst ontbreekt"),
        ({"vragen": {"x": {"herkenning": ["a"], "antwoord": "a", "prio": 1}}}, "onbekend veld"),
    ],
)
def test_a_bad_file_is_refused_with_the_place(data: object, problem: str) -> None:
    with pytest.raises(DigressionFileError, match=problem):
        parse_digressions(data)


# --- Street addresses ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Lindelaan 12", StreetAddress("Lindelaan", 12)),
        ("lindelaan 12a utrecht", StreetAddress("Lindelaan", 12, "A", "Utrecht")),
        ("Lindelaan 12-3", StreetAddress("Lindelaan", 12, "3")),
        (
            "mijn adres is Kerkplein 3 te Lindendam",
            StreetAddress("Kerkplein", 3, None, "Lindendam"),
        ),
        ("1234 AB 12", None),
        ("Fatima el Amrani", None),
        ("12", None),
    ],
)
def test_street_addresses_are_read(text: str, expected: StreetAddress | None) -> None:
    assert parse_street_address(text) == expected


def test_a_street_without_number_is_recognised_by_its_ending() -> None:
    assert street_without_number("Lindelaan") == "Lindelaan"
    assert street_without_number("Fatima el Amrani") is None


def test_find_by_street_forgives_typos_and_tells_towns_apart(registry: ClientRegistry) -> None:
    (match,) = find_by_street(registry, StreetAddress("Lindenlaan", 12))
    assert (match.client.id, match.complex.id, match.postcode) == (
        "de-linde",
        "lindehof",
        "1234 AB",
    )
    assert find_by_street(registry, StreetAddress("Lindelaan", 46)) == []  # outside 1-45
    both = find_by_street(registry, StreetAddress("Kerkplein", 3))
    assert [m.client.id for m in both] == ["de-linde", "vve-beheer-noord"]
    (north,) = find_by_street(registry, StreetAddress("Kerkplein", 3, town="noorderstad"))
    assert north.postcode == "9876 CE"


def test_resolve_address(registry: ClientRegistry) -> None:
    found = resolve_address(registry, "1234 AB 12")
    assert isinstance(found, Found) and found.place and found.place[0].id == "de-linde"
    street = resolve_address(registry, "Lindelaan 12")
    assert isinstance(street, Found) and street.label == "Lindelaan 12, 1234 AB Lindendam"
    asked = resolve_address(registry, "Dorpsstraat 5")
    assert isinstance(asked, Ask) and "postcode" in asked.message
    completed = resolve_address(registry, "3511 ab", ["Dorpsstraat 5"])
    assert isinstance(completed, Found) and str(completed.address) == "3511 AB 5"
    assert completed.place is None  # not served: still taken, a person calls back
    # no postcode known either: the address is taken as typed, a person adds the postcode
    unknown = resolve_address(registry, "weet ik niet", ["Dorpsstraat 5 Utrecht"])
    assert unknown == Unlisted(StreetAddress("Dorpsstraat", 5, None, "Utrecht"))
    assert unknown.label == "Dorpsstraat 5, Utrecht"
    # without an earlier street, "weet ik niet" asks for street and town
    assert isinstance(resolve_address(registry, "weet ik niet"), Ask)


@pytest.mark.parametrize(
    ("text", "earlier", "dutch", "english"),
    [
        ("Dorpsstraat 5", [], "Ik vind Dorpsstraat 5 niet", "I cannot find Dorpsstraat 5 on"),
        ("Kerkplein 3", [], "Welk adres is het?", "Which address is it?"),
        ("Lindelaan", [], "Wat is uw huisnummer aan de Lindelaan?", "house number in Lindelaan?"),
        ("weet ik niet", [], "Stuur dan uw straat en huisnummer", "send your street and house"),
        ("1234 AB", [], "maar geen huisnummer", "but no house number"),
    ],
)
def test_the_lookup_asks_in_the_tenants_language(
    registry: ClientRegistry, text: str, earlier: list[str], dutch: str, english: str
) -> None:
    asked = resolve_address(registry, text, earlier)
    assert isinstance(asked, Ask) and dutch in asked.message
    in_english = resolve_address(registry, text, earlier, language="en")
    assert isinstance(in_english, Ask) and english in in_english.message
    assert in_english.choices == asked.choices  # the same candidates, the same payloads
    # "I don't know" is the English "weet ik niet": the address is taken as typed.
    unlisted = resolve_address(registry, "I don't know", ["Dorpsstraat 5"], language="en")
    assert unlisted == Unlisted(StreetAddress("Dorpsstraat", 5))


# --- Summary labels ------------------------------------------------------------------------


def test_every_fact_and_value_has_summary_words() -> None:
    default_fact_labels().check(TABLE)


def test_the_summary_has_no_questions() -> None:
    facts = {name: fact.values[0] for name, fact in TABLE.facts.items()}
    text = summary(TABLE, "lekkage_afvoer", facts, {}).removesuffix("Klopt dit?")
    assert "?" not in text
    for fact in TABLE.facts.values():
        assert fact.question not in text


# --- What the channel knows, and two details in one answer ---------------------------------


def test_phone_from_the_sender() -> None:
    assert phone_from_sender("wa-31612345678", "whatsapp") == "+31612345678"
    assert phone_from_sender("sms-31612345678", "sms") == "+31612345678"
    assert phone_from_sender("wa-31612345678", "rest") is None
    assert phone_from_sender("wa-3161234", "whatsapp") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Fatima el Amrani, 06 12345678", ("Fatima el Amrani", "+31612345678")),
        (
            "mijn naam is Jan de Vries en mijn nummer is 06-12345678",
            ("Jan de Vries", "+31612345678"),
        ),
        ("Fatima el Amrani", None),
        ("0612345678", None),
        ("Jan 0612345678 of 0687654321", None),
    ],
)
def test_name_and_phone_in_one_answer(text: str, expected: tuple[str, str] | None) -> None:
    assert name_and_phone(text) == expected
