"""Phrases that make a message a gas or fire melding, read from ``veiligheidswoorden.yml``.

The topic model weighs every word of a message; these phrases (a smell of gas, smoke coming
out of something) decide on their own, so the safety steps come first even when the
message names the heating more often than the gas. A phrase that is negated in its clause
("ik ruik geen gas", "er komt geen rook uit") does not count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from meldkamer.triage.answers import normalise

_FILE = "veiligheidswoorden.yml"
#: Words that negate what follows them in their clause, Dutch and English (also the topic
#: model's negation marks, rasa_addons/topic_classifier.py).
NEGATORS = frozenset(
    {"geen", "niet", "niks", "niets", "nooit", "zonder", "no", "not", "never", "nor", "noch"}
)
#: Where a clause ends: a negation before it says nothing about the phrase after it.
_CLAUSE_END = re.compile(r"[.,;:!?]|\b(maar|wel|want|and|but|en)\b")
#: A negator counts this many words before the phrase, or this many after it.
_BEFORE, _AFTER = 3, 2
_WORD = re.compile(r"\w+")


class SafetyWordsFileError(ValueError):
    """``veiligheidswoorden.yml`` is malformed; the message names the place."""


@dataclass(frozen=True)
class SafetyWords:
    """Per safety topic its phrases, in the order of the file (the first found wins)."""

    topics: tuple[tuple[str, tuple[re.Pattern[str], ...]], ...]

    def topic_of(self, text: str) -> str | None:
        """The safety topic a phrase in the text names, unless negated; else None."""
        plain = normalise(text)
        for topic, patterns in self.topics:
            for pattern in patterns:
                if any(not negated(plain, m) for m in pattern.finditer(plain)):
                    return topic
        return None


def negated(plain: str, match: re.Match[str]) -> bool:
    """Whether a negator stands in the phrase or close to it within its clause."""
    before = _CLAUSE_END.split(plain[: match.start()])[-1]
    after = _CLAUSE_END.split(plain[match.end() :])[0]
    words = [
        *_WORD.findall(before)[-_BEFORE:],
        *_WORD.findall(match.group()),
        *_WORD.findall(after)[:_AFTER],
    ]
    return any(word in NEGATORS for word in words)


def parse(data: Any, source: str = _FILE) -> SafetyWords:
    """The phrases of a loaded file; a clear error for anything else."""
    if not isinstance(data, dict) or not data:
        raise SafetyWordsFileError(f"{source}: expected topics with a list of phrases each")
    topics = []
    for topic, phrases in data.items():
        if not isinstance(phrases, list) or not all(isinstance(p, str) for p in phrases):
            raise SafetyWordsFileError(f"{source}: {topic}: expected a list of phrases")
        try:
            topics.append((str(topic), tuple(re.compile(p) for p in phrases)))
        except re.error as error:
            raise SafetyWordsFileError(f"{source}: {topic}: {error}") from error
    return SafetyWords(tuple(topics))


@lru_cache(maxsize=1)
def safety_words() -> SafetyWords:
    """The phrases of the file shipped with the package (read once)."""
    text = resources.files("meldkamer.intake").joinpath(_FILE).read_text(encoding="utf-8")
    return parse(yaml.safe_load(text))
