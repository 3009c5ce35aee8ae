"""Leaving a former held-out set out of the training data (scripts/nlu_sets_out.py)."""

from __future__ import annotations

from pathlib import Path

import yaml
from rasa.shared.nlu.training_data.loading import load_data

from scripts.nlu_grouped import pipeline_config
from scripts.nlu_sets_out import read_set

ROOT = Path(__file__).resolve().parents[2]

GAS = ["ik ruik gas", "gaslucht in de keuken", "het stinkt naar gas", "gas lucht bij de meter"]
POWER = ["geen stroom", "de stroom is uit", "stroomstoring in huis", "alles zonder stroom"]


def nlu_file(path: Path, blocks: dict[str, list[str]]) -> Path:
    lines = ['version: "3.1"', "nlu:"]
    for intent, texts in blocks.items():
        lines += [f"- intent: {intent}", "  examples: |", *(f"    - {t}" for t in texts)]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_the_settings_are_config_yml_s():
    config = pipeline_config()
    steps = {s["name"]: s for s in yaml.safe_load((ROOT / "config.yml").read_text())["pipeline"]}
    assert config["threshold"] == steps["FallbackClassifier"]["threshold"]
    assert (
        config["regex_weight"]
        == steps["rasa_addons.topic_classifier.TopicClassifier"]["regex_weight"]
    )
    assert config["topic_margin"] == steps["rasa_addons.nlu.SafetyFirstClassifier"]["topic_margin"]


def test_the_left_out_set_is_read_by_a_model_that_never_saw_it(tmp_path):
    train = nlu_file(tmp_path / "train.yml", {"melding_gaslek": GAS, "melding_elektra": POWER})
    # Its one power message is word for word a gas example of the set itself: a model that
    # saw the set would read it as gas; one that did not reads it as a power cut.
    left = nlu_file(
        tmp_path / "set.yml",
        {"melding_gaslek": ["geen stroom meer"] * 4, "melding_elektra": ["geen stroom meer"]},
    )
    files = {f: load_data(str(f)) for f in (train, left)}
    outcomes = read_set(pipeline_config(), files, left)
    assert [o.case.intent for o in outcomes] == ["melding_gaslek"] * 4 + ["melding_elektra"]
    assert {o.predicted for o in outcomes} == {"melding_elektra"}
    assert all(o.failure for o in outcomes[:4])
