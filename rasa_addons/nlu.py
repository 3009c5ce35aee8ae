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

from meldkamer.intake.digressions import digressions_of_every_language
from meldkamer.intake.safety_words import safety_words
from meldkamer.intake.validation import has_words

_MEANINGFUL_SIGNS = ("👍", "👎")


class Overruler(GraphComponent, IntentClassifier):
    """A stateless step after the classifiers that overrules some of their readings."""

    @classmethod
    def required_components(cls) -> list[type]:
        """Runs after the intent classifiers it overrules."""
        return [IntentClassifier]

    def __init__(self, config: dict[str, Any] | None = None) -> None:
        self.config = {**self.get_default_config(), **(config or {})}

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> Overruler:
        """Create the component with its configuration (no state, nothing to train)."""
        return cls(config)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class NoWordsClassifier(Overruler):
    """Sets ``nlu_fallback`` for messages with no letters or digits."""

    def process(self, messages: list[Message]) -> list[Message]:
        """Overrule the intent of messages without words."""
        for message in messages:
            text = str(message.get(TEXT) or "")
            if has_words(text) or any(sign in text for sign in _MEANINGFUL_SIGNS):
                continue
            overrule_with_fallback(message)
        return messages


def overrule_with_fallback(message: Message) -> None:
    """Make the message ``nlu_fallback``, the classifier's ranking kept after it."""
    fallback = {"name": DEFAULT_NLU_FALLBACK_INTENT_NAME, "confidence": 1.0}
    message.set(INTENT, fallback, add_to_output=True)
    message.set(
        INTENT_RANKING_KEY, [fallback, *(message.get(INTENT_RANKING_KEY) or [])], add_to_output=True
    )


#: The question of vragen.yml that does ask whether the bot is a person.
_BOT_QUESTION = "mens"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class QuestionsClassifier(Overruler):
    """A question of ``vragen.yml`` (or another language's) read as ``bot_challenge`` is a fallback.

    "wie betaalt dit?" and "kost dit mij iets?" share "wie" and "dit" with "wie ben jij" and
    "is dit een bot", and were read as bot_challenge (0.80, 0.54): outside the form the
    tenant got "Ik ben een digitale assistent". As nlu_fallback the question is answered
    from vragen.yml, by the form during the melding and by action_niet_begrepen outside it.
    Only bot_challenge is overruled: a topic or a status question keeps its reading. The
    tenant's language is not known here, so every language's table is tried ("who pays for
    this?" is ``vragen_en.yml``'s).
    """

    def process(self, messages: list[Message]) -> list[Message]:
        """Overrule bot_challenge for the table's other questions."""
        tables = digressions_of_every_language()
        for message in messages:
            if (message.get(INTENT) or {}).get("name") != "bot_challenge":
                continue
            text = str(message.get(TEXT) or "")
            question = next(filter(None, (table.find(text) for table in tables)), None)
            if question is not None and question.id != _BOT_QUESTION:
                overrule_with_fallback(message)
        return messages


#: Topics whose safety steps come first (gas, fire): in doubt, the bot takes them, since the
#: topic buttons are the milder reading (scripts/nlu_safety.py, docs/NLU.md).
SAFETY_TOPICS = frozenset({"melding_gaslek", "melding_brand"})
#: Heating and hot water: both readings are safe for a medical need (cv_storing asks it, the
#: boiler row is acuut, and the matrix's safety net keeps a named need acuut on either).
HEAT_TOPICS = frozenset({"melding_cv_storing", "melding_boiler"})
#: The intents that are a topic (a melding's first message).
TOPIC_PREFIX = "melding_"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class SafetyFirstClassifier(Overruler):
    """A fallback whose doubt is about gas or fire becomes that topic.

    Runs right after the FallbackClassifier. When the classifier was unsure (below the
    threshold, or two intents within the ambiguity margin) and its best reading is gas or
    fire, or gas or fire is the runner-up within the margin, the message is read as gas or
    fire: over-caution costs a contractor, the buttons can cost the safety steps. A doubt
    between heating and the boiler is settled for the best reading (both are safe for a
    medical need). Below ``min_confidence`` the ranking says nothing and the fallback stays.

    With ``topic_threshold`` set, a fallback whose best reading is a topic (``melding_*``)
    of at least that confidence, ``topic_margin`` ahead of the runner-up, takes that topic:
    the first message's topic is then read by a margin on the calibrated probabilities,
    while answers in the conversation keep the FallbackClassifier's threshold (docs/NLU.md).
    """

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """The FallbackClassifier's ambiguity margin, the floor, the topic rule (off)."""
        return {
            "ambiguity_threshold": 0.05,
            "min_confidence": 0.2,
            "topic_threshold": None,
            "topic_margin": 0.03,
        }

    def process(self, messages: list[Message]) -> list[Message]:
        """Overrule a fallback for gas, fire or a heating/boiler doubt."""
        for message in messages:
            if (message.get(INTENT) or {}).get("name") != DEFAULT_NLU_FALLBACK_INTENT_NAME:
                continue
            ranking = [
                r
                for r in message.get(INTENT_RANKING_KEY) or []
                if r.get("name") != DEFAULT_NLU_FALLBACK_INTENT_NAME
            ]
            chosen = self.safer_reading(ranking)
            if chosen is not None:
                message.set(INTENT, chosen, add_to_output=True)
                message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages

    def safer_reading(self, ranking: list[dict[str, Any]]) -> dict[str, Any] | None:
        """The reading to take instead of the fallback, or None to keep the fallback."""
        if (
            not ranking
            or float(ranking[0].get("confidence") or 0.0) < self.config["min_confidence"]
        ):
            return None
        best = ranking[0]
        if best.get("name") in SAFETY_TOPICS:
            return best
        second = ranking[1] if len(ranking) > 1 else {}
        margin = float(best.get("confidence") or 0.0) - float(second.get("confidence") or 0.0)
        if margin < self.config["ambiguity_threshold"]:
            if second.get("name") in SAFETY_TOPICS:
                return second
            if {best.get("name"), second.get("name")} == HEAT_TOPICS:
                return best
        return best if self.clear_topic(best, margin) else None

    def clear_topic(self, best: dict[str, Any], margin: float) -> bool:
        """Whether the best reading is a topic clear enough by the topic rule."""
        threshold = self.config["topic_threshold"]
        return (
            threshold is not None
            and str(best.get("name") or "").startswith(TOPIC_PREFIX)
            and float(best.get("confidence") or 0.0) >= float(threshold)
            and margin >= float(self.config["topic_margin"])
        )


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class SafetyWordsClassifier(Overruler):
    """A first message with a phrase of ``veiligheidswoorden.yml`` is that gas or fire topic.

    "sis geluid achter de ketel en het stinkt naar rotte eieren" was read as a cv-storing
    (0.58): more heating words than gas words. A smell of gas or smoke coming out of
    something decides on its own, unless negated ("ik ruik geen gas"). Only a reading that is
    a topic or a fallback is overruled: answers in the form (affirm, inform) keep theirs, and
    a gas reading is never turned into fire or back.
    """

    def process(self, messages: list[Message]) -> list[Message]:
        """Overrule a milder topic (or a fallback) for the topic the safety words name."""
        for message in messages:
            name = str((message.get(INTENT) or {}).get("name") or "")
            topic = safety_words_topic(name, str(message.get(TEXT) or ""))
            if topic is not None:
                chosen = {"name": topic, "confidence": 1.0}
                others = [
                    r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != topic
                ]
                message.set(INTENT, chosen, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [chosen, *others], add_to_output=True)
        return messages


def safety_words_topic(reading: str, text: str) -> str | None:
    """The gas or fire topic to take instead of this reading of the text, or None."""
    if reading in SAFETY_TOPICS:
        return None
    if not (reading.startswith(TOPIC_PREFIX) or reading == DEFAULT_NLU_FALLBACK_INTENT_NAME):
        return None
    return safety_words().topic_of(text)
