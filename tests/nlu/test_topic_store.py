"""The topic model saved as numbers and words (rasa_addons/topic_store.py)."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest
from rasa.shared.nlu.training_data.loading import load_data
from sklearn.calibration import CalibratedClassifierCV
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import LinearSVC

from rasa_addons import topic_store
from rasa_addons.topic_classifier import TopicClassifier, TopicModel

ROOT = Path(__file__).resolve().parents[2]
CONFIG = {**TopicClassifier.get_default_config(), "negation": True, "regex_weight": 2.0}


@pytest.fixture(scope="module")
def sample() -> tuple[list[str], list[str], list[str]]:
    """Up to 30 examples of every intent of the project's own data, and its regexes."""
    data = load_data(str(ROOT / "data" / "nlu"))
    chosen: dict[str, list[str]] = defaultdict(list)
    for example in data.intent_examples:
        intent, text = example.get("intent"), example.get("text")
        if intent and text and len(chosen[intent]) < 30:
            chosen[intent].append(str(text))
    texts = [t for ts in chosen.values() for t in ts]
    intents = [i for i, ts in chosen.items() for _ in ts]
    return texts, intents, [str(r["pattern"]) for r in data.regex_features]


def sklearn_proba(model: TopicModel, texts: list[str], intents: list[str], probe: list[str]):
    """What scikit-learn's own calibrated SVM says, fitted exactly as TopicModel.fit fits."""
    pairs = sorted(zip(intents, texts, strict=True))
    svm = LinearSVC(C=1.0, class_weight="balanced", max_iter=2000, random_state=7)
    folds = StratifiedKFold(3, shuffle=True, random_state=7)
    fitted = CalibratedClassifierCV(svm, cv=folds).fit(
        model._matrix([t for _, t in pairs]), np.array([i for i, _ in pairs])
    )
    return fitted.predict_proba(model._matrix(probe))


PROBE = ["ik ruik gas in de gang", "geen stroom meer", "de wc is verstopt", "hallo", "xyz"]


def test_predicts_as_scikit_learn_does(sample):
    texts, intents, patterns = sample
    model = TopicModel(CONFIG, patterns).fit(texts, intents)
    ours = model.classifier.predict_proba(model._matrix(PROBE))
    np.testing.assert_allclose(ours, sklearn_proba(model, texts, intents, PROBE), atol=1e-12)


def test_two_intents_predict_as_scikit_learn_does():
    texts = ["ik ruik gas", "gaslucht", "stinkt naar gas", "gas lekt"] * 2
    texts += ["geen stroom", "stroom uit", "stroomstoring", "alles donker"] * 2
    intents = ["melding_gaslek"] * 8 + ["melding_elektra"] * 8
    model = TopicModel(CONFIG, []).fit(texts, intents)
    ours = model.classifier.predict_proba(model._matrix(PROBE))
    np.testing.assert_allclose(ours, sklearn_proba(model, texts, intents, PROBE), atol=1e-12)


def test_a_saved_model_loads_back_to_the_same_rankings(sample, tmp_path):
    texts, intents, patterns = sample
    model = TopicModel(CONFIG, patterns).fit(texts, intents)
    model.save(tmp_path)
    loaded = TopicModel.load(CONFIG, tmp_path)
    assert loaded.patterns == patterns
    assert loaded.rank(PROBE, 10) == model.rank(PROBE, 10)


def test_the_numbers_are_read_without_pickle(sample, tmp_path):
    texts, intents, patterns = sample
    TopicModel(CONFIG, patterns).fit(texts, intents).save(tmp_path)
    numbers = np.load(tmp_path / topic_store.NUMBERS_FILE, allow_pickle=False)
    assert all(numbers[k].dtype != object for k in numbers.files)


def test_a_model_of_another_format_or_none_is_refused(sample, tmp_path):
    with pytest.raises(ValueError, match="no topic model"):
        TopicModel.load(CONFIG, tmp_path)
    texts, intents, patterns = sample
    TopicModel(CONFIG, patterns).fit(texts, intents).save(tmp_path)
    words = json.loads((tmp_path / topic_store.WORDS_FILE).read_text())
    (tmp_path / topic_store.WORDS_FILE).write_text(json.dumps({**words, "format": 0}))
    with pytest.raises(ValueError, match="format 0"):
        TopicModel.load(CONFIG, tmp_path)


def test_an_unfitted_model_is_not_saved(tmp_path):
    with pytest.raises(ValueError, match="unfitted"):
        TopicModel(CONFIG, []).save(tmp_path)
