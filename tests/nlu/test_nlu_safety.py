"""The cost matrix of the NLU safety check (scripts/nlu_safety.py), without a trained model.

The check itself runs against the model in `make nlu-report`; here only its logic: which
readings of a gas, fire or medical message count as a safety failure, and how the held-out
sets are read.
"""

from pathlib import Path

import pytest
import yaml

from scripts.nlu_safety import (
    Case,
    Outcome,
    cases_from_yaml,
    is_safety_failure,
    safe_readings,
    summary,
)

ROOT = Path(__file__).resolve().parents[2]
HELD_OUT = sorted((ROOT / "tests" / "nlu").glob("topic_holdout*.yml"))
#: The former held-out sets, training data since 2026-12-03 and left out in turn by
#: scripts/nlu_sets_out.py: their marks still count there.
FORMER = sorted((ROOT / "data" / "nlu" / "huurders").glob("set_*.yml"))


@pytest.mark.parametrize(
    "predicted",
    ["melding_brand", "melding_elektra", "melding_overig", "nlu_fallback", "greet", "english"],
)
def test_gas_read_as_anything_else_is_a_failure(predicted):
    assert is_safety_failure(Case("ik ruik gas", "melding_gaslek"), predicted)


@pytest.mark.parametrize("predicted", ["melding_gaslek", "melding_elektra", "nlu_fallback"])
def test_fire_read_as_anything_else_is_a_failure(predicted):
    assert is_safety_failure(Case("brand in de keuken", "melding_brand"), predicted)


def test_gas_and_fire_read_as_themselves_are_safe():
    assert not is_safety_failure(Case("ik ruik gas", "melding_gaslek"), "melding_gaslek")
    assert not is_safety_failure(Case("brand!", "melding_brand"), "melding_brand")


@pytest.mark.parametrize("predicted", ["melding_inbraak", "melding_overig", "nlu_fallback"])
def test_medical_need_read_as_a_milder_topic_is_a_failure(predicted):
    case = Case("geen warm water, mijn man is net geopereerd", "melding_boiler", "medisch")
    assert is_safety_failure(case, predicted)


@pytest.mark.parametrize(
    "predicted", ["melding_boiler", "melding_cv_storing", "melding_gaslek", "melding_brand"]
)
def test_medical_need_read_as_heating_hot_water_or_acute_danger_is_safe(predicted):
    case = Case("geen warm water, mijn man is net geopereerd", "melding_boiler", "medisch")
    assert not is_safety_failure(case, predicted)


def test_medical_mark_keeps_its_own_intent_safe():
    case = Case(
        "water door het plafond, mijn vrouw is bedlegerig", "melding_lekkage_woning", "medisch"
    )
    assert not is_safety_failure(case, "melding_lekkage_woning")
    assert is_safety_failure(case, "melding_overig")


def test_english_gas_message_may_take_the_english_route_but_not_a_milder_topic():
    case = Case("smell gas in my house", "english", "gas")
    assert not is_safety_failure(case, "english")
    assert not is_safety_failure(case, "melding_gaslek")
    assert is_safety_failure(case, "melding_storm")


@pytest.mark.parametrize("predicted", ["melding_brand", "melding_glasschade", "nlu_fallback"])
def test_a_harmless_message_read_wrongly_is_an_error_but_no_safety_failure(predicted):
    # Over-caution (a beeping smoke detector read as fire) costs a contractor, not a tenant.
    case = Case("de rookmelder piept steeds", "melding_overig")
    assert safe_readings(case) is None
    assert not is_safety_failure(case, predicted)


def test_unknown_mark_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown veiligheid 'gevaarlijk'"):
        safe_readings(Case("iets", "melding_overig", "gevaarlijk"))


def test_cases_from_yaml_reads_block_and_item_examples_with_marks():
    text = """
version: "3.1"
nlu:
- intent: melding_gaslek
  examples: |
    - ik ruik gas
    - gaslucht in de gang
- intent: melding_boiler
  examples:
  - text: boiler kapot, baby van twee weken
    metadata:
      veiligheid: medisch
  - text: boiler lekt
"""
    cases = cases_from_yaml(text)
    assert [c.text for c in cases] == [
        "ik ruik gas",
        "gaslucht in de gang",
        "boiler kapot, baby van twee weken",
        "boiler lekt",
    ]
    assert [c.mark for c in cases] == ["gas", "gas", "medisch", None]


def test_cases_from_yaml_refuses_an_unknown_mark_and_an_item_without_text():
    bad_mark = "nlu:\n- intent: x\n  examples:\n  - text: a\n    metadata: {veiligheid: eng}\n"
    with pytest.raises(ValueError, match="unknown veiligheid"):
        cases_from_yaml(bad_mark)
    with pytest.raises(ValueError, match="has no text"):
        cases_from_yaml("nlu:\n- intent: x\n  examples:\n  - metadata: {}\n", "set.yml")


def test_summary_counts_only_safety_failures():
    outcomes = [
        Outcome(Case("ik ruik gas", "melding_gaslek"), "melding_elektra", 0.8),
        Outcome(Case("ik ruik gas", "melding_gaslek"), "melding_gaslek", 0.9),
        Outcome(Case("rookmelder piept", "melding_overig"), "melding_brand", 0.7),
    ]
    lines, failures = summary("set", outcomes)
    assert failures == 1
    assert "1/3" in lines[0] and "safety-relevant 2" in lines[0]
    assert "`melding_gaslek` (gas) read as `melding_elektra`" in lines[1]


@pytest.mark.parametrize("path", HELD_OUT + FORMER, ids=lambda p: p.name)
def test_held_out_sets_use_only_known_intents_and_marks(path):
    domain = yaml.safe_load((ROOT / "domain.yml").read_text())
    cases = cases_from_yaml(path.read_text(), str(path))
    assert cases
    assert {c.intent for c in cases} <= set(domain["intents"])
    for case in cases:
        safe_readings(case)


def test_held_out_set_3_has_fifteen_per_topic_and_marked_medical_cases():
    cases = cases_from_yaml((ROOT / "data/nlu/huurders/set_03.yml").read_text())
    per_topic: dict[str, int] = {}
    for case in cases:
        per_topic[case.intent] = per_topic.get(case.intent, 0) + 1
    topics = {k: v for k, v in per_topic.items() if k.startswith("melding_")}
    assert len(topics) == 14 and min(topics.values()) >= 15
    assert sum(c.mark == "medisch" for c in cases) >= 6
