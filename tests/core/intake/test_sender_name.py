"""A channel's sender name becomes the melding's naam only when it passes the form's check."""

from __future__ import annotations

import pytest

from meldkamer.intake.fields import check
from meldkamer.intake.sender_name import name_from_channel


@pytest.mark.parametrize(
    ("channel_name", "naam"),
    [
        ("Fatima el Amrani", "Fatima el Amrani"),
        ("Fatima", "Fatima"),  # a first name only: the summary shows it to confirm
        ("Jan-Willem de Vries", "Jan-Willem de Vries"),
        ("'t Hart", "'t Hart"),  # an apostrophe starts some Dutch names
        ("Fatima (De Linde)", "Fatima (De Linde)"),
        ("  Anna \n Bakker  ", "Anna Bakker"),  # spaces and new lines as one space
        ("Fatima 🌸", "Fatima"),  # the emoji of a profile are no part of the name
        ("🇳🇱 Piet Jansen", "Piet Jansen"),  # a flag (regional indicators)
        ("Anna 👩🏽‍🔧", "Anna"),  # skin tone and zero-width joiner
        ("~Fatima~", "Fatima"),  # decoration around the name
        ("*Jan*", "Jan"),
        ("Mijn naam is Jan", "Jan"),  # the form's own lead-in rule
        ("Émile", "Émile"),
        ("E\u0301mile", "Émile"),  # decomposed accents are composed
        ("सीता", "सीता"),  # a vowel sign ends the name: kept
        ("Ab", "Ab"),  # two letters are enough
        ("Jan 2", "Jan 2"),  # the form allows two digits, so does the channel
    ],
)
def test_a_usable_name_is_taken(channel_name: str, naam: str) -> None:
    assert name_from_channel(channel_name) == naam


@pytest.mark.parametrize(
    "channel_name",
    [
        "🌸",  # emoji only
        "👍🏽",
        "🌸 🌸 🌸",
        "F",  # one letter
        "J.",
        "~F~",
        "06 12345678",  # a phone number
        "+31612345678",
        "Jan 0612",  # more digits than the form allows in a name
        "x" * 101,  # longer than the form's limit
        "",
        "   ",
        "...",
    ],
)
def test_what_is_no_name_is_ignored(channel_name: str) -> None:
    assert name_from_channel(channel_name) is None


@pytest.mark.parametrize("value", [None, 5, ["Fatima"], {"name": "Fatima"}, b"Fatima"])
def test_anything_but_text_is_no_name(value: object) -> None:
    assert name_from_channel(value) is None


@pytest.mark.parametrize("channel_name", ["Fatima el Amrani", "Fatima 🌸", "~Jan~", "E\u0301mile"])
def test_a_taken_name_passes_the_forms_check_unchanged(channel_name: str) -> None:
    """The form validates the slot again when it starts: it must keep what was taken."""
    naam = name_from_channel(channel_name)
    assert naam is not None and check("naam", naam) == naam
