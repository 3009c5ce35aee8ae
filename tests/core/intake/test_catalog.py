"""One source of texts per language (issue 15): a third language is data only.

Every language's catalog has every key of Dutch, with the same placeholders, and so have
its handover texts (``meldkamer/handover/teksten_<taal>.yml``, ``wachttijd_<taal>.yml``);
the matrix's translation covers every topic, fact and option; the domain has a variation
of every response the intake says in each language; and the language of a first message
is read.
"""

from __future__ import annotations

import string
from datetime import date
from pathlib import Path

import pytest
import yaml

from meldkamer.handover.texts import TEXTS_FILE, handover_texts, texts_file
from meldkamer.handover.waiting import default_rules
from meldkamer.intake.catalog import CatalogError, catalog, languages, parse_catalog
from meldkamer.intake.digressions import digressions_for, digressions_of_every_language
from meldkamer.intake.fact_labels import fact_labels
from meldkamer.intake.language import detect_language
from meldkamer.intake.safety import safety_text
from meldkamer.intake.texts import MEANING, outcome_message, summary
from meldkamer.triage import Outcome, Urgency, default_engine
from meldkamer.triage.table import TableError
from meldkamer.triage.translation import translate_table, translated_advice, translation_data

ROOT = Path(__file__).resolve().parents[3]
OTHERS = [code for code in languages() if code != "nl"]
#: The responses the intake says to a tenant; each has a variation in every language.
INTAKE_RESPONSES = (
    "utter_vraag_probleem",
    "utter_veiligheid_gas",
    "utter_veiligheid_brand",
    "utter_ask_adres",
    "utter_ask_naam",
    "utter_ask_telefoon",
    "utter_ask_email",
    "utter_ask_beschrijving",
    "utter_niet_begrepen",
    "utter_gestopt",
)


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_english_is_a_language() -> None:
    assert languages() == ("nl", "en")


@pytest.mark.parametrize("code", OTHERS)
def test_every_dutch_key_is_in_every_language(code: str) -> None:
    dutch, other = catalog("nl").texts, catalog(code).texts
    assert set(dutch) == set(other)
    for key, text in dutch.items():
        if isinstance(text, str):
            assert placeholders(text) == placeholders(str(other[key])), key
        else:
            assert len(text) == len(other[key]), key


@pytest.mark.parametrize("code", OTHERS)
def test_every_handover_text_is_in_every_language(code: str) -> None:
    assert texts_file(code) != TEXTS_FILE  # the language has its own file
    dutch = yaml.safe_load(TEXTS_FILE.read_text("utf-8"))
    other = yaml.safe_load(texts_file(code).read_text("utf-8"))
    assert set(dutch) == set(other)
    for key, text in dutch.items():
        assert placeholders(text) == placeholders(other[key]), key
    rules = default_rules()
    assert set(rules.translations[code]) == set(rules.texts)
    for key, text in rules.texts.items():
        assert placeholders(text) == placeholders(rules.translations[code][key]), key


def test_the_handover_texts_in_english() -> None:
    english = handover_texts("en")
    assert english.announce("Sanne") == (
        "You are now talking to Sanne, a colleague of the emergency service."
    )
    assert english.announce("  ").startswith("You are now talking to a colleague,")
    assert "088-3746100" in english.ask_number(acute=True)
    assert english.ask_number(acute=False).startswith("No colleague is available right now.")
    # Dutch, and any language without a file, keep the Dutch texts.
    assert handover_texts("xx") == handover_texts(None) == handover_texts("nl")
    assert handover_texts("../teksten").announce("Piet").startswith("U praat nu met Piet")


def test_an_unknown_language_is_dutch() -> None:
    assert catalog("xx") is catalog("nl")
    assert catalog(None)("ja_klopt") == "Ja, klopt"


def test_a_missing_key_names_the_file() -> None:
    with pytest.raises(CatalogError, match="teksten/nl.yml: bestaat_niet"):
        catalog("nl")("bestaat_niet")
    with pytest.raises(CatalogError, match="leeg"):
        parse_catalog("xx", {"leeg": ""})


def test_dates_in_each_language() -> None:
    day = date(2026, 12, 7)
    assert catalog("nl").date(day) == "maandag 7 december"
    assert catalog("en").date(day) == "Monday 7 December"


def test_dutch_constants_come_from_the_dutch_catalog() -> None:
    assert MEANING[Urgency.ACUUT] == catalog("nl")("betekenis_acuut")


@pytest.mark.parametrize("code", OTHERS)
def test_the_matrix_translation_covers_every_topic_and_fact(code: str) -> None:
    table = default_engine().table
    translated = translate_table(table, code)
    assert set(translated.topics) == set(table.topics)
    for name, fact in table.facts.items():
        assert translated.facts[name].question != fact.question, name
        assert translated.facts[name].values == fact.values
    # The summary's labels of the language cover every fact and value.
    fact_labels(code).check(table)


def test_a_gap_in_a_translation_fails_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    data = dict(translation_data("en") or {})
    data["feiten"] = {k: v for k, v in data["feiten"].items() if k != "zonneboiler"}
    monkeypatch.setattr("meldkamer.triage.translation.translation_data", lambda _: data)
    with pytest.raises(TableError, match="feiten.zonneboiler ontbreekt"):
        translate_table(default_engine().table, "en")


def test_the_engine_decides_the_same_in_english() -> None:
    table = default_engine().table
    translated = translate_table(table, "en")
    for code, topic in table.topics.items():
        other = translated.topics[code]
        assert [r.when for r in other.rules] == [r.when for r in topic.rules]
        assert [r.urgency for r in other.rules] == [r.urgency for r in topic.rules]
        assert other.questions == topic.questions and other.safety == topic.safety


def test_advice_is_translated() -> None:
    table = default_engine().table
    (dutch,) = [r.advice for t in table.topics.values() for r in t.rules if r.advice]
    assert translated_advice(table, "en", dutch).startswith("Call the national power")
    assert translated_advice(table, "nl", dutch) == dutch


@pytest.mark.parametrize("code", OTHERS)
def test_every_intake_response_has_a_variation_per_language(code: str) -> None:
    responses = yaml.safe_load((ROOT / "domain.yml").read_text("utf-8"))["responses"]
    for name in INTAKE_RESPONSES:
        variants = responses[name]
        # The Dutch default first: phone mode reads the first variant.
        assert not variants[0].get("condition"), name
        conditions = [v.get("condition") for v in variants]
        assert [{"type": "slot", "name": "taal", "value": code}] in conditions, name


def test_safety_texts_per_language() -> None:
    assert safety_text("gas").startswith("Ruikt u gas?")
    english = safety_text("gas", "en")
    assert english.startswith("Do you smell gas?") and "0800-9009" in english and "112" in english


def test_summary_and_outcome_in_english() -> None:
    table = default_engine().table
    text = summary(
        table,
        "lekkage_waterleiding",
        {"leiding_gesprongen": True},
        {"adres": "1234 AB 12", "naam": "Anna", "telefoon": "+31612345678"},
        ["leiding_afsluitbaar"],
        language="en",
    )
    assert text.splitlines() == [
        "This is what I have noted:",
        "• Problem: leaking water pipe",
        "• Pipe: burst or spraying",
        "• Turning off the water: you don't know",
        "• Address: 1234 AB 12",
        "• Name: Anna",
        "• Phone: 06 12345678",
        "• E-mail: none",
        "• Description: -",
        "Is this correct?",
    ]
    outcome = Outcome("lekkage_waterleiding", Urgency.URGENT, False, False, ("x",), None)
    message = outcome_message(outcome, "MK-2026-000001", language="en")
    assert message.startswith("Your report has been registered under number MK-2026-000001.")
    assert "This is urgent." in message and message.endswith("Call 112.")


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("I smell gas in my kitchen", "en"),
        ("there is a leak under the sink", "en"),
        ("no hot water", "en"),
        ("ik ruik gas", "nl"),
        ("de leiding onder de gootsteen is gesprongen", "nl"),
        ("het lekt door het plafond in de slaapkamer", "nl"),
        ("dakpannen los door storm", None),
        ("locked out, sleutels binnen, help", "nl"),
        ("gaslek", None),
        ("help", None),
    ],
)
def test_the_language_of_a_message(text: str, language: str | None) -> None:
    assert detect_language(text) == language


@pytest.mark.parametrize("code", OTHERS)
def test_every_digression_is_in_every_language(code: str) -> None:
    dutch, other = digressions_for("nl"), digressions_for(code)
    assert other is not dutch
    assert [q.id for q in other.questions] == [q.id for q in dutch.questions]
    assert set(other.advice) == set(dutch.advice)
    assert other.find("what should I do now?") is not None
    assert other.find("Anna de Vries") is None


def test_every_language_s_questions_are_read_dutch_first() -> None:
    tables = digressions_of_every_language()
    assert tables[0] is digressions_for(None)
    assert [table.find("who pays for this?") is not None for table in tables] == [
        language == "en" for language in languages()
    ]
