"""The TopicClassifier's fitted model as plain numbers and words, and its predictions.

A saved model is a JSON file (vocabularies, classes, regexes) and a NumPy ``.npz`` of
numbers (idf weights, the SVM's weights, the sigmoid calibrations), read with
``allow_pickle=False``: loading runs no code from the file. It replaced skops, whose import
scans every loaded module for NumPy's and SciPy's functions (its default trust list): 10 s
of CPU at every start of a Rasa server, whatever the model.

`CalibratedLinear` predicts as scikit-learn's ``CalibratedClassifierCV`` with a LinearSVC
and sigmoid calibration does, from the same numbers (tests/nlu/test_topic_store.py
compares the two on the project's own data).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse
from scipy.special import expit
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer

WORDS_FILE, NUMBERS_FILE = "topic_model.json", "topic_model.npz"
#: Bumped when the files' layout changes: an older model is refused, not misread.
FORMAT = 1


Numbers = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Fold:
    """One calibration fold: a linear SVM's weights and a sigmoid per class it knows."""

    coef: Numbers  # (scores, features); one row for two classes
    intercept: Numbers  # (scores,)
    a: Numbers  # (scores,) sigmoid slope per score
    b: Numbers  # (scores,)
    positions: npt.NDArray[np.int64]  # (scores,) the class of each score, its place in classes


class CalibratedLinear:
    """Probabilities per class, the mean over the folds of calibrated SVM scores."""

    def __init__(self, classes: list[str], folds: list[Fold]) -> None:
        self.classes_ = np.array(classes)
        self.folds = folds

    @classmethod
    def of(cls, fitted: CalibratedClassifierCV) -> CalibratedLinear:
        classes = [str(c) for c in fitted.classes_]
        folds = []
        for calibrated in fitted.calibrated_classifiers_:
            svm = calibrated.base_estimator
            # As scikit-learn pairs scores and classes: with two classes in all, the one
            # score is for the second; otherwise score i is for the fold's class i.
            known = [classes.index(str(c)) for c in svm.classes_]
            known = [1] if len(classes) == 2 else known[: len(calibrated.calibrators)]
            folds.append(
                Fold(
                    np.asarray(svm.coef_, dtype=np.float64),
                    np.asarray(svm.intercept_, dtype=np.float64),
                    np.array([c.a_ for c in calibrated.calibrators], dtype=np.float64),
                    np.array([c.b_ for c in calibrated.calibrators], dtype=np.float64),
                    np.array(known, dtype=np.int64),
                )
            )
        return cls(classes, folds)

    def predict_proba(self, features: scipy.sparse.csr_matrix) -> Numbers:
        return np.mean([self._fold(f, features) for f in self.folds], axis=0)  # type: ignore[no-any-return]

    def _fold(self, fold: Fold, features: scipy.sparse.csr_matrix) -> Numbers:
        scores = np.asarray(features @ fold.coef.T) + fold.intercept  # (messages, scores)
        n = len(self.classes_)
        proba = np.zeros((features.shape[0], n))
        for column, position in enumerate(fold.positions):
            proba[:, position] = expit(-(fold.a[column] * scores[:, column] + fold.b[column]))
        if n == 2:
            proba[:, 0] = 1.0 - proba[:, 1]
        else:
            total = proba.sum(axis=1)[:, np.newaxis]
            proba = np.divide(proba, total, out=np.full_like(proba, 1 / n), where=total != 0)
        proba[(proba > 1.0) & (proba <= 1.0 + 1e-5)] = 1.0
        return proba


def save(
    folder: Path,
    vectorizers: dict[str, TfidfVectorizer],
    classifier: CalibratedLinear,
    patterns: list[str],
) -> None:
    """Write the fitted vectorizers, classifier and regexes into `folder`."""
    words = {
        "format": FORMAT,
        "classes": [str(c) for c in classifier.classes_],
        "patterns": patterns,
        "vocabularies": {
            k: {t: int(i) for t, i in v.vocabulary_.items()} for k, v in vectorizers.items()
        },
    }
    numbers = {f"idf_{k}": v.idf_ for k, v in vectorizers.items()}
    for i, fold in enumerate(classifier.folds):
        for field in ("coef", "intercept", "a", "b", "positions"):
            numbers[f"fold{i}_{field}"] = getattr(fold, field)
    (folder / WORDS_FILE).write_text(json.dumps(words, ensure_ascii=False))
    np.savez(folder / NUMBERS_FILE, **numbers)


def load(
    folder: Path, vectorizers: dict[str, TfidfVectorizer]
) -> tuple[CalibratedLinear, list[str]]:
    """The classifier and the regexes of the model saved in `folder`.

    `vectorizers` (unfitted, as configured) get their vocabularies and idf weights.
    ValueError when the files are missing or of another format.
    """
    try:
        words: dict[str, Any] = json.loads((folder / WORDS_FILE).read_text())
        numbers = np.load(folder / NUMBERS_FILE, allow_pickle=False)
    except (OSError, json.JSONDecodeError) as error:
        raise ValueError(f"no topic model in {folder}: {error}") from error
    if words.get("format") != FORMAT:
        raise ValueError(f"topic model of format {words.get('format')}, expected {FORMAT}")
    for name, vectorizer in vectorizers.items():
        vectorizer.vocabulary = words["vocabularies"][name]
        vectorizer.idf_ = numbers[f"idf_{name}"]
    count = sum(1 for key in numbers.files if key.endswith("_coef"))
    folds = [
        Fold(*(numbers[f"fold{i}_{f}"] for f in ("coef", "intercept", "a", "b", "positions")))
        for i in range(count)
    ]
    return CalibratedLinear(list(words["classes"]), folds), list(words["patterns"])
