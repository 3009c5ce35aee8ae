"""rasa_addons.nlu.SafetyFirstClassifier: a doubt about gas or fire is settled for safety."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from rasa_addons.nlu import SafetyFirstClassifier

FALLBACK = "nlu_fallback"


def read(ranking: list[tuple[str, float]], intent: str = FALLBACK) -> str:
    """The intent after the component, for a message the FallbackClassifier read as `intent`."""
    entries = [{"name": name, "confidence": p} for name, p in ranking]
    message = Message(data={"text": "iets"})
    if intent == FALLBACK:
        entries = [{"name": FALLBACK, "confidence": 0.55}, *entries]
    message.set("intent", entries[0])
    message.set("intent_ranking", entries)
    (out,) = SafetyFirstClassifier().process([message])
    return str(out.get("intent")["name"])


@pytest.mark.parametrize(
    ("ranking", "expected"),
    [
        # gas or fire best, but below the fallback's threshold
        ([("melding_brand", 0.25), ("melding_overig", 0.14)], "melding_brand"),
        ([("melding_gaslek", 0.40), ("melding_cv_storing", 0.20)], "melding_gaslek"),
        # gas or fire the runner-up within the margin
        ([("melding_lekkage_afvoer", 0.48), ("melding_brand", 0.46)], "melding_brand"),
        ([("melding_cv_storing", 0.50), ("melding_gaslek", 0.47)], "melding_gaslek"),
        # heating or boiler: the best of the two
        ([("melding_cv_storing", 0.48), ("melding_boiler", 0.44)], "melding_cv_storing"),
        ([("melding_boiler", 0.49), ("melding_cv_storing", 0.46)], "melding_boiler"),
    ],
)
def test_a_doubt_about_safety_is_settled_for_it(
    ranking: list[tuple[str, float]], expected: str
) -> None:
    assert read(ranking) == expected


@pytest.mark.parametrize(
    "ranking",
    [
        [("melding_glasschade", 0.42), ("melding_inbraak", 0.40)],  # no safety topic in doubt
        [("melding_lekkage_woning", 0.40), ("melding_brand", 0.30)],  # fire not within margin
        [("melding_gaslek", 0.15), ("melding_overig", 0.14)],  # the ranking says nothing
        [("melding_cv_storing", 0.30), ("melding_elektra", 0.28)],
        [("melding_boiler", 0.44), ("melding_cv_storing", 0.30)],  # not a doubt between them
        [],
    ],
)
def test_other_fallbacks_stay(ranking: list[tuple[str, float]]) -> None:
    assert read(ranking) == FALLBACK


def test_a_reading_that_is_no_fallback_is_kept() -> None:
    assert read([("melding_overig", 0.60), ("melding_brand", 0.58)], "melding_overig") == (
        "melding_overig"
    )


def test_the_chosen_reading_leads_a_ranking_without_the_fallback() -> None:
    message = Message(data={"text": "de schuur staat in lichterlaaie"})
    ranking = [
        {"name": "melding_brand", "confidence": 0.25},
        {"name": "melding_overig", "confidence": 0.1},
    ]
    message.set("intent", {"name": FALLBACK, "confidence": 0.75})
    message.set("intent_ranking", [{"name": FALLBACK, "confidence": 0.75}, *ranking])
    (out,) = SafetyFirstClassifier().process([message])
    assert out.get("intent") == ranking[0]
    assert out.get("intent_ranking") == ranking


def read_with_topic_rule(ranking: list[tuple[str, float]]) -> str:
    """The intent after the component configured as in config.yml (topic rule 0.35, 0.03)."""
    entries = [{"name": name, "confidence": p} for name, p in ranking]
    message = Message(data={"text": "iets"})
    fallback = {"name": FALLBACK, "confidence": 0.6}
    message.set("intent", fallback)
    message.set("intent_ranking", [fallback, *entries])
    component = SafetyFirstClassifier({"topic_threshold": 0.35, "topic_margin": 0.03})
    (out,) = component.process([message])
    return str(out.get("intent")["name"])


@pytest.mark.parametrize(
    ("ranking", "expected"),
    [
        # a topic clear by the margin takes the topic
        ([("melding_lekkage_afvoer", 0.42), ("melding_overig", 0.20)], "melding_lekkage_afvoer"),
        ([("melding_elektra", 0.36), ("melding_overig", 0.32)], "melding_elektra"),
        ([("melding_inbraak", 0.40)], "melding_inbraak"),
        # below the topic threshold, or within the margin, or not a topic: the fallback stays
        ([("melding_elektra", 0.34), ("melding_overig", 0.10)], FALLBACK),
        ([("melding_glasschade", 0.42), ("melding_inbraak", 0.40)], FALLBACK),
        ([("affirm", 0.44), ("deny", 0.10)], FALLBACK),
        # the safety rules come first: fire the runner-up within the 0.05 margin
        ([("melding_elektra", 0.44), ("melding_brand", 0.40)], "melding_brand"),
    ],
)
def test_the_topic_rule_reads_a_clear_topic(
    ranking: list[tuple[str, float]], expected: str
) -> None:
    assert read_with_topic_rule(ranking) == expected


def test_the_topic_rule_is_off_by_default() -> None:
    assert read([("melding_lekkage_afvoer", 0.42), ("melding_overig", 0.20)]) == FALLBACK
