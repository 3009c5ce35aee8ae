"""An NLU pipeline step: a message without words is never classified as an intent.

DIET gives every input some intent, also an empty message or a row of emoji; with
this step such a message always becomes ``nlu_fallback``, so the bot says what it
missed instead of acting on a guess. Thumbs up/down stay meaningful answers.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from meldkamer.intake.validation import has_words

_MEANINGFUL_SIGNS = ("👍", "👎")


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class NoWordsClassifier(GraphComponent, IntentClassifier):
    """Sets ``nlu_fallback`` for messages with no letters or digits."""

    @classmethod
    def required_components(cls) -> list[type]:
        """Runs after the intent classifiers it overrules."""
        return [IntentClassifier]

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> NoWordsClassifier:
        """Create the component (no state, nothing to train)."""
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        """Overrule the intent of messages without words."""
        for message in messages:
            text = str(message.get(TEXT) or "")
            if has_words(text) or any(sign in text for sign in _MEANINGFUL_SIGNS):
                continue
            fallback = {"name": DEFAULT_NLU_FALLBACK_INTENT_NAME, "confidence": 1.0}
            message.set(INTENT, fallback, add_to_output=True)
            message.set(
                INTENT_RANKING_KEY,
                [fallback, *(message.get(INTENT_RANKING_KEY) or [])],
                add_to_output=True,
            )
        return messages
