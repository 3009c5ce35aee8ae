"""Checking what tenants type: every refusal explains itself, in Dutch and in English."""

from __future__ import annotations

import pytest

from meldkamer.intake.catalog import catalog, languages
from meldkamer.intake.corrections import parse_correction
from meldkamer.intake.validation import (
    Address,
    Invalid,
    clean_description,
    clean_name,
    format_phone,
    normalise_email,
    normalise_phone,
    normalise_postcode,
    parse_address,
    parse_house_number,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1234 AB 12", Address("1234 AB", 12)),  # the plain form
        ("1234ab12", Address("1234 AB", 12)),  # no spaces at all
        ("1234AB, 12a", Address("1234 AB", 12, "A")),  # addition letter
        ("postcode 3511 LN huisnummer 4 bis", Address("3511 LN", 4, "BIS")),  # spelled out
        ("12-3 2512CE", Address("2512 CE", 12, "3")),  # number first, addition with dash
        ("Kerkstraat 5, 9999 zz", Address("9999 ZZ", 5)),  # street name before it
    ],
)
def test_addresses(text: str, expected: Address) -> None:
    assert parse_address(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0123 AB 5", "bestaat niet"),  # postcodes never start with 0
        ("1234 SS 5", "bestaat niet"),  # SS, SA and SD are never issued
        ("1234 AB", "geen huisnummer"),  # number missing: the postcode is named back
        ("Kerkstraat 5", "geen postcode"),  # no postcode at all
        ("x" * 10_000, "te lang"),  # 10,000 characters
        ("🏠🏠🏠", "geen postcode"),  # emoji only
    ],
)
def test_bad_addresses(text: str, message: str) -> None:
    result = parse_address(text)
    assert isinstance(result, Invalid)
    assert message in result.message


def test_address_display() -> None:
    assert str(Address("1234 AB", 12, "A")) == "1234 AB 12A"
    assert str(Address("1234 AB", 12, "3")) == "1234 AB 12-3"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0612345678", "+31612345678"),
        ("06-12345678", "+31612345678"),
        ("06 1234 5678", "+31612345678"),
        ("+31 6 12345678", "+31612345678"),
        ("+31 (0)6 12345678", "+31612345678"),
        ("0031612345678", "+31612345678"),
        ("020-1234567", "+31201234567"),
        ("+32 470 12 34 56", "+32470123456"),  # a Belgian mobile is kept
    ],
)
def test_phone_numbers(text: str, expected: str) -> None:
    assert normalise_phone(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("06-1234abcd", "alleen uit cijfers"),  # letters
        ("06123", "10 cijfers"),  # too short
        ("061234567890", "10 cijfers"),  # too long
        ("612345678", "begint met 0"),  # no leading 0
        ("😀", "geen telefoonnummer"),  # emoji only
    ],
)
def test_bad_phone_numbers(text: str, message: str) -> None:
    result = normalise_phone(text)
    assert isinstance(result, Invalid)
    assert message in result.message


def test_phone_display() -> None:
    assert format_phone("+31612345678") == "06 12345678"
    assert format_phone("+31201234567") == "0201234567"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Jan@Voorbeeld.nl", "jan@voorbeeld.nl"),
        ("geen", None),
        ("nee heb ik niet", None),
        ("-", None),
        ("none", None),  # an English tenant
        ("no, I don't have one", None),
    ],
)
def test_email(text: str, expected: str | None) -> None:
    assert normalise_email(text) == expected


@pytest.mark.parametrize("text", ["jan@", "jan@voorbeeld", "jan voorbeeld.nl", "a" * 300 + "@x.nl"])
def test_bad_email(text: str) -> None:
    assert isinstance(normalise_email(text), Invalid)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mijn naam is Fatima el Amrani", "Fatima el Amrani"),
        ("Ik heet Piet.", "Piet"),
        ("  jan   de vries ", "jan de vries"),
        ("my name is Anna de Vries", "Anna de Vries"),  # an English tenant
        ("I'm Tom.", "Tom"),
    ],
)
def test_names(text: str, expected: str) -> None:
    assert clean_name(text) == expected


@pytest.mark.parametrize("text", ["12345", "🙂", "", "x" * 101, "Jan 0612345678"])
def test_bad_names(text: str) -> None:
    assert isinstance(clean_name(text), Invalid)


def test_description_is_cut_not_refused() -> None:
    description = clean_description("lekkage " * 2000)
    assert isinstance(description, str)
    assert len(description) <= 1002
    assert isinstance(clean_description("👍"), Invalid)


@pytest.mark.parametrize(
    ("text", "changes"),
    [
        # the example
        ("nee, het is nummer 12", {"huisnummer": 12, "huisnummer_toevoeging": None}),
        ("huisnummer moet 14a zijn", {"huisnummer": 14, "huisnummer_toevoeging": "A"}),
        ("mijn postcode is 1012 AB", {"postcode": "1012 AB"}),
        ("het telefoonnummer klopt niet, het is 06-87654321", {"telefoon": "+31687654321"}),
        ("verkeerd mailadres het is jan@voorbeeld.nl", {"email": "jan@voorbeeld.nl"}),
        ("mijn naam is Anouk Jansen", {"naam": "Anouk Jansen"}),
        ("nee", {}),
        ("klopt niet", {}),
    ],
)
def test_corrections(text: str, changes: dict) -> None:
    assert parse_correction(text).changes == changes


def test_correction_with_a_bad_phone_number_explains() -> None:
    correction = parse_correction("mijn nummer is 06-1234")
    assert not correction.changes.get("telefoon")


#: One refused input per reason the checks give.
REFUSED = [
    (parse_address, "0123 AB 5"),
    (parse_address, "waar is dit"),
    (parse_address, "x" * 201),
    (parse_address, "1234 AB"),
    (parse_house_number, "geen"),
    (normalise_postcode, "1234"),
    (normalise_phone, "06 abc"),
    (normalise_phone, "06#123"),
    (normalise_phone, "0012"),
    (normalise_phone, "12"),
    (normalise_phone, "06 1234"),
    (normalise_email, "jan@"),
    (clean_name, "🙂"),
    (clean_name, "x" * 101),
    (clean_name, "Jan 0612345678"),
    (clean_description, "!!"),
]


@pytest.mark.parametrize(("check", "text"), REFUSED)
def test_every_reason_is_in_every_language(check, text: str) -> None:
    refused = check(text)
    assert isinstance(refused, Invalid) and refused.key is not None
    # Dutch is the catalog's text, as the bot has always said it.
    assert refused.in_language("nl") == refused.in_language(None) == refused.message
    for code in languages()[1:]:
        assert refused.in_language(code) == catalog(code)(refused.key, **dict(refused.values))
        assert refused.in_language(code) != refused.message


def test_the_reasons_are_precise_in_english() -> None:
    assert isinstance(short := normalise_phone("06 1234"), Invalid)
    assert short.message == (
        "Een Nederlands telefoonnummer heeft 10 cijfers; ik tel er 6. Controleer het nummer."
    )
    assert short.in_language("en") == (
        "A Dutch phone number has 10 digits; I count 6. Please check the number."
    )
    assert isinstance(no_number := parse_address("1234 ab"), Invalid)
    assert "I have postcode 1234 AB, but no house number." in no_number.in_language("en")


def test_a_reason_without_a_key_stays_as_it_is() -> None:
    # The console's own steps refuse in Dutch only (the agents work in Dutch).
    assert Invalid("Kies een onderwerp.").in_language("en") == "Kies een onderwerp."
