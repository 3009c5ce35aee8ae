"""meldkamer.intake.safety_words: a smell of gas or smoke decides the topic, unless negated."""

from __future__ import annotations

import pytest

from meldkamer.intake.safety_words import SafetyWordsFileError, parse, safety_words

GAS, FIRE = "melding_gaslek", "melding_brand"


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("sis geluid achter de ketel en het stinkt hier naar rotte eieren", GAS),
        ("Ik RUIK gas bij de meterkast", GAS),
        ("gaslucht in het trappenhuis", GAS),
        ("het is niet de boiler maar het ruikt naar gas", GAS),
        ("it smells like gas in the kitchen", GAS),
        ("de cv ketel gaf een knal en nu komt er rook uit het kastje", FIRE),
        ("de wasdroger staat in de fik", FIRE),
        ("er staat een auto in brand voor de deur", FIRE),
        ("rook kringelt uit de meterkast", FIRE),
        ("the kitchen is on fire", FIRE),
        ("rook uit de meterkast en nu is ook de stroom uitgevallen", FIRE),
        ("we zijn allemaal duizelig en de co meter geeft alarm", GAS),
        ("de koolmonoxidemelder gaat de hele tijd af", GAS),
        ("the CO detector in the living room keeps going off", GAS),
        # gas first: its steps are the stricter ones
        ("ik ruik gas en er komt rook uit de kast", GAS),
    ],
)
def test_a_phrase_names_its_topic(text: str, topic: str) -> None:
    assert safety_words().topic_of(text) == topic


@pytest.mark.parametrize(
    "text",
    [
        "ik ruik geen gas, de verwarming doet het niet",
        "het is geen gaslucht maar de verwarming is koud",
        "ik ruik het gas niet meer",
        "er komt geen rook uit",
        "no smell of gas, just no heating",
        # no fire: a detector, a flame symbol, a neighbour who smokes
        "de rookmelder piept",
        "de koolmonoxidemelder geeft af en toe een piepje, de batterij is bijna leeg",
        "de co-melder gaat niet af maar piept af en toe",
        "het vlammetje op het display van de ketel knippert",
        "mijn buurman rookt op de galerij",
        "het brandmeldpaneel in de hal geeft een storing",
        "de cv ketel doet het niet",
    ],
)
def test_no_phrase_or_a_negated_one_names_nothing(text: str) -> None:
    assert safety_words().topic_of(text) is None


def test_a_negation_in_another_clause_does_not_count() -> None:
    assert safety_words().topic_of("geen verwarming, en het ruikt naar gas") == GAS


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (None, "expected topics"),
        ({"melding_gaslek": "gas"}, "melding_gaslek: expected a list"),
        ({"melding_gaslek": ["(gas"]}, "melding_gaslek: missing"),
    ],
)
def test_a_malformed_file_is_refused_with_its_place(data: object, message: str) -> None:
    with pytest.raises(SafetyWordsFileError, match=message):
        parse(data)
