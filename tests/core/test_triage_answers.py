"""Reading facts from tenants' words: first messages and free-text answers."""

from __future__ import annotations

import pytest

from meldkamer.triage import default_engine
from meldkamer.triage.answers import facts_from_text, is_unknown, parse_answer, yes_no

TABLE = default_engine().table


@pytest.mark.parametrize(
    ("topic", "text", "expected"),
    [
        # the example: burst and cannot be shut off, both taken, neither asked again
        (
            "lekkage_waterleiding",
            "de leiding is gesprongen en ik krijg hem niet dicht",
            {"leiding_gesprongen": True, "leiding_afsluitbaar": False},
        ),
        # spraying pipe, main tap closed
        (
            "lekkage_waterleiding",
            "leiding spuit maar ik heb de hoofdkraan dichtgedraaid",
            {"leiding_gesprongen": True, "leiding_afsluitbaar": True},
        ),
        # contradicting words for one fact: nothing concluded, the bot asks
        ("lekkage_waterleiding", "eerst druppelde het, nu is hij gesprongen", {}),
        # cv: no heating and no hot water in one sentence
        (
            "cv_storing",
            "geen verwarming en geen warm water sinds vanochtend",
            {"geen_verwarming": True, "geen_warm_water": True},
        ),
        # cv with a medical reason
        (
            "cv_storing",
            "ketel kapot, mijn vrouw komt net uit het ziekenhuis",
            {"medische_noodzaak": True},
        ),
        # whole house dark
        ("elektra", "in het hele huis is de stroom uitgevallen", {"stroomuitval": "algeheel"}),
        # the whole street
        ("elektra", "stroom weg, de buren hebben ook geen stroom", {"storing_in_straat": True}),
        # break-in, door will not close
        (
            "inbraak",
            "er is ingebroken en de deur kan niet meer op slot",
            {"woning_afsluitbaar": False},
        ),
        # cracked pane only
        ("glasschade", "er zit een barst in het raam van de woonkamer", {"volledige_breuk": False}),
        # solar boiler named
        ("boiler", "de zonneboiler geeft geen warm water", {"zonneboiler": True}),
        # habitability in any topic
        (
            "calamiteit_overig",
            "het plafond is ingestort, we kunnen hier niet blijven slapen",
            {"bewoonbaarheid_in_gevaar": True},
        ),
        # accents and capitals do not matter
        ("lekkage_waterleiding", "LEIDING GÉSPRONGEN!!", {"leiding_gesprongen": True}),
        # nothing specific
        ("cv_storing", "cv doet raar", {}),
    ],
)
def test_facts_from_first_message(topic: str, text: str, expected: dict) -> None:
    assert facts_from_text(TABLE, TABLE.topic(topic), text) == expected


@pytest.mark.parametrize(
    ("fact", "text", "said_yes", "value"),
    [
        # "nee, dat lukt niet" to "Kunt u het water afsluiten?"
        ("leiding_afsluitbaar", "nee, dat lukt niet", None, False),
        # "ja hoor" to the same
        ("leiding_afsluitbaar", "ja hoor", None, True),
        # the NLU's reading wins over the words' when given
        ("leiding_afsluitbaar", "dat gaat wel", True, True),
        # question phrased the other way round: "Komt er nog warm water?" - nee means no hot water
        ("geen_warm_water", "nee", None, True),
        ("geen_warm_water", "jawel hoor", None, False),
        # words beat the bare yes/no: "nee, geen warm water" is clear on its own
        ("geen_warm_water", "nee geen warm water", None, True),
        # a button label typed as text
        ("stroomuitval", "Hele huis", None, "algeheel"),
        # a choice fact does not take a bare yes
        ("stroomuitval", "ja", None, None),
        # not an answer
        ("medische_noodzaak", "wat bedoelt u?", None, None),
        # emoji
        ("te_beperken", "👍", None, True),
    ],
)
def test_free_text_answers(fact: str, text: str, said_yes: bool | None, value: object) -> None:
    assert parse_answer(TABLE.facts[fact], text, said_yes) == value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ja", True),
        ("Jaaa", True),
        ("klopt", True),
        ("nee hoor", False),
        ("neen", False),
        ("misschien", None),
        ("", None),
    ],
)
def test_yes_no(text: str, expected: bool | None) -> None:
    assert yes_no(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("weet ik niet", True),
        ("geen idee", True),
        ("ja", False),
        ("I don't know", True),  # an English tenant
        ("I don’t know the postcode", True),
        ("no idea", True),
        ("no", False),
    ],
)
def test_unknown(text: str, expected: bool) -> None:
    assert is_unknown(text) is expected
