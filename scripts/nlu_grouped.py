"""Grouped evaluation of TopicClassifier settings without `rasa train` (issue 15).

Fits the TopicModel on data/nlu as it is and reads every held-out message through the
pipeline's decisions (FallbackClassifier threshold and ambiguity, then the
SafetyFirstClassifier), so settings are compared on sets the training data never saw,
plus a stratified k-fold cross-validation on the topic examples.

    .venv/bin/python scripts/nlu_grouped.py ['{"C": 0.5}'] [SET.yml ...]

The settings are config.yml's; the JSON overrides some of them. Without sets, it reads the
held-out sets of tests/nlu.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import yaml
from rasa.shared.nlu.training_data.loading import load_data
from sklearn.model_selection import StratifiedKFold

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from nlu_safety import Case, cases_from_yaml, is_safety_failure  # noqa: E402

from rasa_addons.nlu import SafetyFirstClassifier, safety_words_topic  # noqa: E402
from rasa_addons.topic_classifier import TopicClassifier, TopicModel  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
FALLBACK = "nlu_fallback"


def pipeline_config(path: Path = ROOT / "config.yml") -> dict[str, Any]:
    """The TopicClassifier's settings and the fallback's thresholds as config.yml has them."""
    steps = {s["name"].rsplit(".", 1)[-1]: s for s in yaml.safe_load(path.read_text())["pipeline"]}
    fallback, safety = steps["FallbackClassifier"], steps["SafetyFirstClassifier"]
    topic = {k: v for k, v in steps["TopicClassifier"].items() if k != "name"}
    return {
        **TopicClassifier.get_default_config(),
        **topic,
        "threshold": fallback["threshold"],
        "ambiguity": fallback["ambiguity_threshold"],
        "topic_threshold": safety["topic_threshold"],
        "topic_margin": safety["topic_margin"],
    }


def reading(ranking: list[tuple[str, float]], config: dict[str, Any]) -> str:
    """The intent the classifiers end with for one ranking (fallback, then safety first)."""
    best, confidence = ranking[0]
    ambiguous = len(ranking) > 1 and confidence - ranking[1][1] < config["ambiguity"]
    if confidence >= config["threshold"] and not ambiguous:
        return best
    safety = SafetyFirstClassifier(
        {
            "ambiguity_threshold": config["ambiguity"],
            "topic_threshold": config.get("topic_threshold"),
            "topic_margin": config.get("topic_margin", 0.03),
        }
    )
    chosen = safety.safer_reading([{"name": n, "confidence": c} for n, c in ranking])
    return str(chosen["name"]) if chosen else FALLBACK


def score(model: TopicModel, cases: list[Case], config: dict[str, Any]) -> tuple[int, int, int]:
    """Correct through the pipeline, correct by the best reading, safety failures."""
    return score_rankings(model.rank([c.text for c in cases], 10), cases, config)


def score_rankings(
    rankings: list[list[tuple[str, float]]], cases: list[Case], config: dict[str, Any]
) -> tuple[int, int, int]:
    """Correct through the pipeline, correct by the best reading, safety failures."""
    read = [reading(r, config) for r in rankings]
    read = [safety_words_topic(p, c.text) or p for p, c in zip(read, cases, strict=True)]
    correct = sum(p == c.intent for p, c in zip(read, cases, strict=True))
    top = sum(r[0][0] == c.intent for r, c in zip(rankings, cases, strict=True))
    unsafe = sum(is_safety_failure(c, p) for p, c in zip(read, cases, strict=True))
    if config.get("show"):
        for p, r, c in zip(read, rankings, cases, strict=True):
            if p != c.intent:
                flag = "UNSAFE " if is_safety_failure(c, p) else ""
                print(f"  {flag}{c.intent} -> {p} ({r[0][0]} {r[0][1]:.2f}): {c.text[:90]}")
    return correct, top, unsafe


def main(argv: list[str]) -> None:
    config = {**pipeline_config(), **(json.loads(argv[0]) if argv else {})}
    sets = argv[1:] or [str(p) for p in sorted((ROOT / "tests" / "nlu").glob("topic_holdout*.yml"))]
    data = load_data("data/nlu")
    examples = [e for e in data.intent_examples if e.get("intent") and e.get("text")]
    texts, intents = (
        [str(e.get("text")) for e in examples],
        [str(e.get("intent")) for e in examples],
    )
    patterns = [str(r["pattern"]) for r in data.regex_features]
    model = TopicModel(config, patterns).fit(texts, intents)
    groups = {Path(p).stem: cases_from_yaml(Path(p).read_text(), p) for p in sets}
    rankings = {name: model.rank([c.text for c in cases], 10) for name, cases in groups.items()}
    for pair in config.get("pairs") or [[config["threshold"], config["ambiguity"]]]:
        chosen = {**config, "threshold": pair[0], "ambiguity": pair[1]}
        total = [0, 0, 0, 0]
        for name, cases in groups.items():
            correct, top, unsafe = score_rankings(rankings[name], cases, chosen)
            total = [total[0] + correct, total[1] + top, total[2] + unsafe, total[3] + len(cases)]
            print(f"{pair} {name}: {correct}/{len(cases)} (best {top}) unsafe {unsafe}")
        print(f"{pair} ALL: {total[0]}/{total[3]} (best {total[1]}) unsafe {total[2]}")
    if config.get("cv"):
        cross_validate(config, patterns, texts, intents)


def cross_validate(
    config: dict[str, Any], patterns: list[str], texts: list[str], intents: list[str]
) -> None:
    """Topic accuracy through the pipeline's decisions, k folds of all intents' examples."""
    folds = StratifiedKFold(int(config["cv"]), shuffle=True, random_state=1)
    pairs = config.get("pairs") or [[config["threshold"], config["ambiguity"]]]
    correct, topics = [0] * len(pairs), 0
    for train, test in folds.split(texts, intents):
        model = TopicModel(config, patterns).fit(
            [texts[i] for i in train], [intents[i] for i in train]
        )
        cases = [Case(texts[i], intents[i]) for i in test if intents[i].startswith("melding_")]
        rankings = model.rank([c.text for c in cases], 10)
        for k, pair in enumerate(pairs):
            chosen = {**config, "threshold": pair[0], "ambiguity": pair[1]}
            correct[k] += score_rankings(rankings, cases, chosen)[0]
        topics += len(cases)
    for pair, right in zip(pairs, correct, strict=True):
        print(f"{pair} CV topics: {right}/{topics} = {right / topics:.4f}")


if __name__ == "__main__":
    main(sys.argv[1:])
