"""An NLU intent classifier that trains in seconds: tf-idf n-grams into a linear SVM.

DIET needed 80 epochs (most of `rasa train`'s 480 s on the 2-core machine) for what a
linear SVM on sublinear tf-idf of words and character n-grams (2-4, within words, so
typos and WhatsApp spelling still share most n-grams) does as well on the held-out sets
and in cross-validation (docs/NLU.md), in about two seconds. Its scores become
probabilities by sigmoid calibration on 3 folds, so the FallbackClassifier's thresholds
keep their meaning. The regexes of the NLU data (`- regex:` blocks, e.g. gas and fire
words) are one extra feature each. With ``negation``, a word up to three after geen, niet,
no or not (within its clause) is ``neg_<word>`` for the word features, so "geen lek of gas"
no longer has the word gas; the character n-grams see the text as written. Deterministic:
the same data gives the same model.

Saved as plain numbers and words, never pickled (rasa_addons/topic_store.py).
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import LinearSVC

from meldkamer.intake.safety_words import NEGATORS

from . import topic_store

logger = logging.getLogger(__name__)
#: The intent of a message nothing can be said about (Rasa's own convention).
NO_INTENT = {"name": None, "confidence": 0.0}


#: Words as scikit-learn's default finds them, and the negation marks below.
_WORD = r"(?u)\b\w\w+\b"
#: Words that end a negation's scope ("geen gas, gewoon geen verwarming").
_SCOPE_ENDS = frozenset(
    {"maar", "wel", "gewoon", "alleen", "want", "en", "dus", "but", "just", "only", "and", "so"}
)
#: At most this many words after a negator are negated ("geen lek of gas").
_SCOPE = 3
_TOKEN = re.compile(r"\w+|[^\w\s]")


def mark_negations(text: str) -> str:
    """The text for the word features: a word negated within its clause becomes ``neg_word``.

    "geen lek of gas, gewoon geen verwarming" -> "geen neg_lek neg_of neg_gas , gewoon geen
    neg_verwarming": ``gas`` and ``neg_gas`` are different words, so a negated gas word no
    longer counts as one (the character n-grams still see the text as written).
    """
    out: list[str] = []
    scope = 0
    for token in _TOKEN.findall(text.lower()):
        if not (token[0].isalnum() or token[0] == "_") or token in _SCOPE_ENDS:
            scope = 0
            out.append(token)
        elif token in NEGATORS:
            scope = _SCOPE
            out.append(token)
        elif scope:
            scope -= 1
            out.append(f"neg_{token}")
        else:
            out.append(token)
    return " ".join(out)


class TopicModel:
    """The pure part: features and the classifier, fitted on (text, intent) pairs."""

    def __init__(self, config: dict[str, Any], patterns: list[str]) -> None:
        low, high = config["char_ngrams"]
        self.negation = bool(config.get("negation", False))
        self.regex_weight = float(config.get("regex_weight", 1.0))
        self.words = TfidfVectorizer(sublinear_tf=True, token_pattern=_WORD)
        self.chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(low, high), sublinear_tf=True)
        self.patterns = patterns
        self.regexes = [re.compile(p, re.IGNORECASE) for p in patterns]
        # liblinear visits the examples in a random order: a fixed seed, the same model.
        svm = LinearSVC(
            C=config["C"], class_weight="balanced", max_iter=config["max_iter"], random_state=7
        )
        # Calibration folds drawn with a fixed seed from the sorted examples (see fit).
        folds = StratifiedKFold(config["folds"], shuffle=True, random_state=7)
        self.calibration = CalibratedClassifierCV(svm, cv=folds)
        #: The fitted calibrated SVM as numbers (`fit` or `load` sets it).
        self.classifier: topic_store.CalibratedLinear | None = None

    def _matrix(self, texts: list[str], fit: bool = False) -> scipy.sparse.csr_matrix:
        marked = [mark_negations(t) for t in texts] if self.negation else texts
        if fit:
            words, chars = self.words.fit_transform(marked), self.chars.fit_transform(texts)
        else:
            words, chars = self.words.transform(marked), self.chars.transform(texts)
        blocks = [words, chars]
        if self.regexes:
            weight = self.regex_weight
            flags = [[weight if r.search(t) else 0.0 for r in self.regexes] for t in texts]
            blocks.append(scipy.sparse.csr_matrix(flags))
        return scipy.sparse.hstack(blocks).tocsr()

    def fit(self, texts: list[str], intents: list[str]) -> TopicModel:
        """Fit on the examples as a set: their order (files, place in a file) changes nothing.

        Unsorted, the calibration folds and liblinear's visiting order followed the order of
        the files, so moving or adding one example anywhere reshuffled every fold: held-out
        figures moved by up to four messages and the safety count between 0 and 3.
        """
        pairs = sorted(zip(intents, texts, strict=True))
        texts, intents = [t for _, t in pairs], [i for i, _ in pairs]
        # An array, not a list: the calibration checks every class per fold with ==.
        fitted = self.calibration.fit(self._matrix(texts, fit=True), np.array(intents))
        # Its numbers, predicting as it does: what is saved is what answers from now on.
        self.classifier = topic_store.CalibratedLinear.of(fitted)
        return self

    def rank(self, texts: list[str], length: int) -> list[list[tuple[str, float]]]:
        """Per text the intents with their probability, most likely first."""
        if self.classifier is None:
            raise ValueError("an unfitted topic model cannot rank")
        probabilities = self.classifier.predict_proba(self._matrix(texts))
        classes = [str(c) for c in self.classifier.classes_]
        rankings = []
        for row in probabilities:
            order = np.argsort(-row)[:length]
            rankings.append([(classes[i], float(row[i])) for i in order])
        return rankings

    def save(self, folder: Path) -> None:
        if self.classifier is None:
            raise ValueError("an unfitted topic model cannot be saved")
        vectorizers = {"words": self.words, "chars": self.chars}
        topic_store.save(folder, vectorizers, self.classifier, self.patterns)

    @classmethod
    def load(cls, config: dict[str, Any], folder: Path) -> TopicModel:
        """The model saved in `folder`; ValueError when there is none or it is unreadable."""
        model = cls(config, [])
        vectorizers = {"words": model.words, "chars": model.chars}
        model.classifier, patterns = topic_store.load(folder, vectorizers)
        model.patterns, model.regexes = patterns, [re.compile(p, re.IGNORECASE) for p in patterns]
        return model


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class TopicClassifier(GraphComponent, IntentClassifier):
    """Sets the intent and its ranking from the message text."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """The settings; config.yml says why it sets the ones it sets (docs/NLU.md).

        C: inverse regularisation; negation: neg_ marks on the word features; regex_weight:
        the value of a regex feature that matched (a word's tf-idf is at most 1).
        """
        return {
            "C": 1.0,
            "negation": False,
            "regex_weight": 1.0,
            "max_iter": 2000,
            "char_ngrams": [2, 4],
            "folds": 3,
            "ranking_length": 10,
        }

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: TopicModel | None = None,
    ) -> None:
        self.config = {**self.get_default_config(), **config}
        self.model = model
        self._model_storage = model_storage
        self._resource = resource

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> TopicClassifier:
        """A new, untrained component."""
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        """Fit on the intent examples; persist the fitted model."""
        examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)]
        if len({e.get(INTENT) for e in examples}) < 2:
            logger.debug("TopicClassifier: fewer than two intents, nothing to train")
            return self._resource
        patterns = [str(r["pattern"]) for r in training_data.regex_features]
        self.model = TopicModel(self.config, patterns).fit(
            [str(e.get(TEXT)) for e in examples], [str(e.get(INTENT)) for e in examples]
        )
        self.persist()
        return self._resource

    def process(self, messages: list[Message]) -> list[Message]:
        """Set `intent` and `intent_ranking` on every message; one without text gets none.

        The same for every message while the model is untrained (too little data).

        A message without text still gets an (empty) intent, as Rasa's own classifiers do:
        the FallbackClassifier after this step reads it and fails on a message without one.
        """
        todo = []
        for message in messages:
            if self.model is not None and str(message.get(TEXT) or "").strip():
                todo.append(message)
            else:
                message.set(INTENT, NO_INTENT, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [], add_to_output=True)
        if self.model is None or not todo:
            return messages
        rankings = self.model.rank([str(m.get(TEXT)) for m in todo], self.config["ranking_length"])
        for message, ranking in zip(todo, rankings, strict=True):
            entries = [{"name": name, "confidence": p} for name, p in ranking]
            message.set(INTENT, entries[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, entries, add_to_output=True)
        return messages

    def persist(self) -> None:
        if self.model is None:
            return
        with self._model_storage.write_to(self._resource) as folder:
            self.model.save(folder)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> TopicClassifier:
        """The trained component; untrained (no intents set) when nothing was saved."""
        merged = {**cls.get_default_config(), **config}
        try:
            with model_storage.read_from(resource) as folder:
                model = TopicModel.load(merged, folder)
        except ValueError as error:
            logger.warning("TopicClassifier not loaded (%s): no intents from it", error)
            return cls(merged, model_storage, resource)
        return cls(merged, model_storage, resource, model)
