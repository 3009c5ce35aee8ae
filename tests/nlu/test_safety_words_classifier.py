"""rasa_addons.nlu.SafetyWordsClassifier: gas and fire phrases overrule a milder topic."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from rasa_addons.nlu import SafetyWordsClassifier

ROTTEN_EGGS = "sis geluid achter de ketel en het stinkt hier naar rotte eieren"


def read(text: str, intent: str) -> tuple[str, list[str]]:
    """The intent and the ranking's names after the component, for a classifier's reading."""
    message = Message(data={"text": text})
    entries = [{"name": intent, "confidence": 0.58}, {"name": "melding_gaslek", "confidence": 0.2}]
    message.set("intent", entries[0])
    message.set("intent_ranking", entries)
    (out,) = SafetyWordsClassifier().process([message])
    return str(out.get("intent")["name"]), [r["name"] for r in out.get("intent_ranking")]


@pytest.mark.parametrize("intent", ["melding_cv_storing", "nlu_fallback", "melding_overig"])
def test_a_milder_topic_or_a_fallback_becomes_gas(intent: str) -> None:
    assert read(ROTTEN_EGGS, intent) == ("melding_gaslek", ["melding_gaslek", intent])


@pytest.mark.parametrize("intent", ["affirm", "inform", "melding_brand", "status_melding"])
def test_answers_and_safety_readings_keep_theirs(intent: str) -> None:
    assert read(ROTTEN_EGGS, intent)[0] == intent


def test_a_negated_phrase_changes_nothing() -> None:
    assert read("ik ruik geen gas, maar de cv doet niks", "melding_cv_storing")[0] == (
        "melding_cv_storing"
    )
