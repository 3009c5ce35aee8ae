"""asks_for_person: a request for a person anywhere in a message, not a letter's salutation."""

from __future__ import annotations

import pytest

from meldkamer.intake.person import asks_for_person


@pytest.mark.parametrize(
    "text",
    [
        "ik ruik gas en wil iemand spreken",
        "kan iemand mij bellen, er lekt water uit het plafond",
        "Mijn verwarming doet het niet, ik wil een MEDEWERKER",
        "ik ben buitengesloten en wil graag iemand spreken",
        "er is ingebroken, ik wil met een echt mens praten",
        "bel me alsjeblieft terug",
        "medewerker",
        "mens",
    ],
)
def test_a_request_for_a_person_is_found_anywhere(text: str) -> None:
    assert asks_for_person(text)


@pytest.mark.parametrize(
    "text",
    [
        "Geachte medewerker, hierbij meld ik glasschade aan het raam",
        "Beste medewerker, er is vandaag bij mij ingebroken",
        "mijn verwarming doet het niet",
        "er is iemand binnen geweest",
        "mijn buurman is een aardig mens",
        "de persoon boven mij lekt door",
        "geen medewerker nodig, dank u",
        "Dank u, de sleutels liggen binnen.",
    ],
)
def test_no_request_in_a_salutation_or_a_story(text: str) -> None:
    assert not asks_for_person(text)
