"""The urgency matrix in another language: ``vertalingen/<taal>.yml``, keyed by the matrix's codes.

The engine decides on codes (topics, facts, values) and never reads a text, so a
translation only replaces what people read: topic names, questions, button labels and
advice, and adds recognition patterns in the language. :func:`translated_table` gives
the same table with those texts; Dutch, the matrix's own language, is the table itself.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from functools import cache
from importlib import resources
from typing import Any

import yaml

from meldkamer.triage.table import DecisionTable, Fact, FactValue, Option, TableError, Topic

_PACKAGE = "meldkamer.triage.vertalingen"
#: The matrix's own language.
SOURCE_LANGUAGE = "nl"


def _value(key: Any) -> FactValue:
    return key if isinstance(key, bool) else str(key)


@cache
def translation_data(language: str) -> Mapping[str, Any] | None:
    """The parsed ``vertalingen/<language>.yml``; ``None`` when there is none (or Dutch)."""
    if language == SOURCE_LANGUAGE:
        return None
    entry = resources.files(_PACKAGE).joinpath(f"{language}.yml")
    if not entry.is_file():
        return None
    data = yaml.safe_load(entry.read_text("utf-8"))
    if not isinstance(data, dict):
        raise TableError(f"vertalingen/{language}.yml: verwacht onderwerpen en feiten")
    return data


def _fact(fact: Fact, spec: Any, where: str) -> Fact:
    if not isinstance(spec, dict) or not spec.get("vraag"):
        raise TableError(f"{where}: verwacht een vraag")
    labels = {_value(k): str(v) for k, v in (spec.get("opties") or {}).items()}
    missing = [str(o.value) for o in fact.options if o.value not in labels]
    if missing:
        raise TableError(f"{where}.opties: mist {', '.join(missing)}")
    patterns = dict(fact.patterns)
    for key, regexes in (spec.get("herkenning") or {}).items():
        value = _value(key)
        if value not in labels:
            raise TableError(f"{where}.herkenning: onbekende waarde {value!r}")
        extra = tuple(re.compile(r, re.IGNORECASE) for r in regexes or ())
        # The Dutch patterns stay: a tenant may mix the languages.
        patterns[value] = (*extra, *patterns.get(value, ()))
    options = tuple(Option(o.value, labels[o.value]) for o in fact.options)
    return replace(fact, question=str(spec["vraag"]), options=options, patterns=patterns)


def _topic(topic: Topic, name: Any, advice: Mapping[str, str], where: str) -> Topic:
    if not isinstance(name, str) or not name.strip():
        raise TableError(f"{where}: geen naam")
    rules = tuple(replace(r, advice=advice.get(r.id, r.advice)) for r in topic.rules)
    return replace(topic, name=name, rules=rules)


def translate_table(table: DecisionTable, language: str) -> DecisionTable:
    """``table`` with the texts of ``language``; raises ``TableError`` for a gap in the file."""
    data = translation_data(language)
    if data is None:
        return table
    where = f"vertalingen/{language}.yml"
    facts, names = data.get("feiten") or {}, data.get("onderwerpen") or {}
    advice = {str(k): str(v) for k, v in (data.get("advies") or {}).items()}
    for name in table.facts:
        if name not in facts:
            raise TableError(f"{where}: feiten.{name} ontbreekt")
    return replace(
        table,
        facts={n: _fact(f, facts[n], f"{where}: feiten.{n}") for n, f in table.facts.items()},
        topics={
            code: _topic(t, names.get(code), advice, f"{where}: onderwerpen.{code}")
            for code, t in table.topics.items()
        },
    )


_CACHE: dict[str, tuple[DecisionTable, DecisionTable]] = {}


def translated_table(table: DecisionTable, language: str | None) -> DecisionTable:
    """:func:`translate_table`, once per language and table (the runtime keeps one table)."""
    code = language or SOURCE_LANGUAGE
    cached = _CACHE.get(code)
    if cached is None or cached[0] is not table:
        cached = (table, translate_table(table, code))
        _CACHE[code] = cached
    return cached[1]


def translated_advice(table: DecisionTable, language: str | None, advice: str) -> str:
    """One line of an outcome's advice (the matrix's Dutch) in ``language``."""
    target = translated_table(table, language)
    for code, topic in table.topics.items():
        for rule, translated in zip(topic.rules, target.topics[code].rules, strict=True):
            if rule.advice == advice and translated.advice:
                return translated.advice
    return advice
