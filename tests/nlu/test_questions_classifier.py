"""rasa_addons.nlu.QuestionsClassifier: a question of vragen.yml is never a bot challenge."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from rasa_addons.nlu import QuestionsClassifier


def read(text: str, intent: str) -> str:
    message = Message(data={"text": text})
    message.set("intent", {"name": intent, "confidence": 0.8})
    message.set("intent_ranking", [{"name": intent, "confidence": 0.8}])
    (out,) = QuestionsClassifier().process([message])
    return str(out.get("intent")["name"])


@pytest.mark.parametrize(
    "text",
    [
        "wie betaalt dit?",
        "kost dit mij iets?",
        "wat moet ik nu doen?",
        # vragen_en.yml's: the tenant's language is not known to the NLU
        "who pays for this?",
        "how long will it take?",
        "what should i do now?",
    ],
)
def test_a_question_of_the_table_read_as_bot_challenge_is_a_fallback(text: str) -> None:
    assert read(text, "bot_challenge") == "nlu_fallback"


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("ben je een mens?", "bot_challenge"),  # the table's own bot question
        ("is dit een robot?", "bot_challenge"),
        ("wie betaalt dit?", "melding_overig"),  # only bot_challenge is overruled
        ("ik ruik gas, wie betaalt dit?", "melding_gaslek"),
        ("wie ben jij eigenlijk", "bot_challenge"),  # no question of the table
        ("are you a real person?", "bot_challenge"),  # vragen_en.yml's bot question
        ("who pays for this?", "melding_overig"),
    ],
)
def test_other_readings_are_kept(text: str, intent: str) -> None:
    assert read(text, intent) == intent
