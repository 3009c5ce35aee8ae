"""Checking what tenants type: every refusal explains itself in Dutch."""

from __future__ import annotations

import pytest

from meldkamer.intake.corrections import parse_correction
from meldkamer.intake.validation import (
    Address,
    Invalid,
    clean_description,
    clean_name,
    format_phone,
    normalise_email,
    normalise_phone,
    parse_address,
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
