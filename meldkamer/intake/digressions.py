"""Questions a tenant asks in the middle of the melding, answered from ``vragen.yml``.

"Hoe lang gaat het duren?", "wie betaalt dit?", "wat moet ik nu doen?": the form answers
them and asks its own question again, instead of reading them as a (wrong) answer. The
questions and answers are data a supervisor edits; this module reads and checks them.

A client file may add its own questions, or its own answer to a general one (``vragen:``
in docs/CLIENTS.md): :func:`with_client` puts them before the general ones.

Only a message that reads as a question (a question mark, or a question word first) can be
a digression, so an answer such as a name or a description is never taken for one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from meldkamer.intake.catalog import languages
from meldkamer.intake.language import DEFAULT_LANGUAGE
from meldkamer.triage.answers import normalise

_QUESTION = re.compile(
    r"\?|^\W*(hoe|hoelang|wie|wat|wanneer|waarom|waar|kan|kun|kunt|mag|moet|ben|bent|is|komt|"
    r"duurt|krijg|zijn|wil|wilt|praat)\b"
)
#: Longer messages are descriptions or answers that happen to contain a question.
MAX_WORDS = 16


class DigressionFileError(ValueError):
    """``vragen.yml`` is malformed; the message names the place."""


@dataclass(frozen=True)
class Question:
    """One question tenants ask, how it is recognised and what the bot answers."""

    id: str
    patterns: tuple[re.Pattern[str], ...]
    answer: str
    #: Followed by the client's notice (mededeling) for the topic, when there is one.
    notice: bool = False
    #: The answer is the topic's advice (safety instructions for gas and fire).
    per_topic: bool = False
    #: Another answer on these channels (``sms``: no photos).
    by_channel: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def matches(self, plain: str) -> bool:
        return any(p.search(plain) for p in self.patterns)


@dataclass(frozen=True)
class Reply:
    """What the bot says: a text, and/or the topic's safety response (``gas``, ``brand``)."""

    question: str
    texts: tuple[str, ...] = ()
    safety: str | None = None


@dataclass(frozen=True)
class Digressions:
    """The questions of ``vragen.yml`` and the advice per topic."""

    questions: tuple[Question, ...]
    advice: Mapping[str, str]
    #: What makes a message read as a question: a question mark, or a question word first.
    question_words: re.Pattern[str] = _QUESTION

    def find(self, text: str) -> Question | None:
        """The question ``text`` asks, or ``None`` when it is no question of the table."""
        plain = normalise(text)
        if not plain or len(plain.split()) > MAX_WORDS or not self.question_words.search(plain):
            return None
        return next((q for q in self.questions if q.matches(plain)), None)

    def reply(
        self,
        text: str,
        *,
        topic: str | None,
        safety: str | None = None,
        notice: str | None = None,
        channel: str = "",
    ) -> Reply | None:
        """The answer to ``text`` for this melding, or ``None`` when it asks nothing known.

        Args:
            text: what the tenant wrote.
            topic: the melding's topic code (its advice answers "wat moet ik nu doen?").
            safety: the topic's safety kind (``gas``, ``brand``): those instructions come
                first, whatever else the table says.
            notice: the client's notice for the topic (who pays for a lock-out).
            channel: the input channel (some answers differ per channel).
        """
        question = self.find(text)
        if question is None:
            return None
        if question.per_topic and safety:
            return Reply(question.id, safety=safety)
        answer = question.by_channel.get(channel, question.answer)
        if question.per_topic and topic is not None and topic in self.advice:
            answer = self.advice[topic]
        texts = (answer, notice) if question.notice and notice else (answer,)
        return Reply(question.id, texts=texts)


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise DigressionFileError(f"{where}: tekst ontbreekt")
    return " ".join(value.split())


def _patterns(value: Any, where: str) -> tuple[re.Pattern[str], ...]:
    if not isinstance(value, list) or not value:
        raise DigressionFileError(f"{where}.herkenning: geef een lijst met ten minste één patroon")
    try:
        return tuple(re.compile(_text(p, f"{where}.herkenning")) for p in value)
    except re.error as error:
        raise DigressionFileError(f"{where}.herkenning: ongeldig patroon ({error})") from None


#: The fields of one question, in ``vragen.yml`` and in a client file alike.
QUESTION_FIELDS = ("herkenning", "antwoord", "mededeling", "per_onderwerp", "kanalen")


def parse_question(key: str, spec: Any, block: str = "vragen") -> Question:
    """One entry of a ``vragen`` block; errors name ``block``, the key and the field."""
    where = f"{block}.{key}"
    if not isinstance(spec, dict):
        raise DigressionFileError(f"{where}: verwacht een blok")
    unknown = set(spec) - set(QUESTION_FIELDS)
    if unknown:
        raise DigressionFileError(f"{where}: onbekend veld {', '.join(sorted(unknown))}")
    channels = spec.get("kanalen") or {}
    if not isinstance(channels, dict):
        raise DigressionFileError(f"{where}.kanalen: verwacht kanaal: antwoord")
    return Question(
        id=key,
        patterns=_patterns(spec.get("herkenning"), where),
        answer=_text(spec.get("antwoord"), f"{where}.antwoord"),
        notice=bool(spec.get("mededeling", False)),
        per_topic=bool(spec.get("per_onderwerp", False)),
        by_channel=MappingProxyType(
            {str(k): _text(v, f"{where}.kanalen.{k}") for k, v in channels.items()}
        ),
    )


def parse_digressions(data: Any) -> Digressions:
    """Check and read the parsed YAML of a ``vragen.yml``."""
    if not isinstance(data, dict) or not isinstance(data.get("vragen"), dict):
        raise DigressionFileError("vragen: verwacht een blok met vragen")
    advice = data.get("advies") or {}
    if not isinstance(advice, dict):
        raise DigressionFileError("advies: verwacht onderwerp: tekst")
    words = data.get("vraagwoorden")
    if words is not None and (not isinstance(words, list) or not words):
        raise DigressionFileError("vraagwoorden: verwacht een lijst met woorden")
    return Digressions(
        questions=tuple(parse_question(str(k), v) for k, v in data["vragen"].items()),
        advice=MappingProxyType({str(k): _text(v, f"advies.{k}") for k, v in advice.items()}),
        # A language's own question words (vragen_<taal>.yml); the Dutch ones by default.
        question_words=re.compile(r"\?|^\W*(" + "|".join(re.escape(str(w)) for w in words) + r")\b")
        if words
        else _QUESTION,
    )


def load_digressions(path: Path | None = None) -> Digressions:
    """Read ``path``, by default the package's ``vragen.yml``."""
    if path is None:
        source = resources.files("meldkamer.intake").joinpath("vragen.yml").read_text("utf-8")
    else:
        source = path.read_text("utf-8")
    return parse_digressions(yaml.safe_load(source))


@lru_cache(maxsize=1)
def default_digressions() -> Digressions:
    """The package's questions, read once per process."""
    return load_digressions()


@lru_cache(maxsize=8)
def digressions_for(language: str | None) -> Digressions:
    """The questions in ``language``: ``vragen_<taal>.yml`` beside ``vragen.yml`` (Dutch)."""
    entry = resources.files("meldkamer.intake").joinpath(f"vragen_{language}.yml")
    if not language or not entry.is_file():
        return default_digressions()
    return parse_digressions(yaml.safe_load(entry.read_text("utf-8")))


@lru_cache(maxsize=1)
def digressions_of_every_language() -> tuple[Digressions, ...]:
    """The questions of every language with a text catalog, Dutch first, each table once.

    For a reader that does not know the tenant's language yet, such as the NLU pipeline. A
    language without its own ``vragen_<taal>.yml`` gets Dutch's cached table, the same object.
    """
    tables = [digressions_for(language) for language in languages()]
    return tuple({id(table): table for table in tables}.values())


def question_block(language: str) -> str:
    """The key of the questions in ``language`` in a client file, as the package's file names."""
    return "vragen" if language == DEFAULT_LANGUAGE else f"vragen_{language}"


def question_blocks() -> tuple[str, ...]:
    """Every question block a client file may have: one per language with a ``vragen`` file."""
    names = sorted(
        entry.name.removesuffix(".yml").removeprefix("vragen_")
        for entry in resources.files("meldkamer.intake").iterdir()
        if entry.name.startswith("vragen_") and entry.name.endswith(".yml")
    )
    return ("vragen", *(question_block(name) for name in names))


def with_client(general: Digressions, own: Sequence[Question]) -> Digressions:
    """``general`` with a client's questions tried first.

    A client question with the id of a general one replaces it, recognition and answer,
    so the client's answer is the one given. Without client questions: ``general`` itself.
    """
    if not own:
        return general
    ids = {question.id for question in own}
    kept = tuple(question for question in general.questions if question.id not in ids)
    return replace(general, questions=(*own, *kept))
