"""How long a tenant in the chat waits for a person, and how the bot says it (pure).

The rules and every text are in ``wachttijd.yml``, a file a supervisor reads and changes;
the texts in another language are in ``wachttijd_<taal>.yml`` next to it (the same
``berichten``; the estimate is the same in every language).
The estimate uses measured handling times (taken to closed) of recent *live*
conversations only; call-back items never count, because the tenant who was promised a
call is not in the chat and no agent serves them before a waiting chat. The number is
worded as a range and capped: a tenant is never told "152 minuten".
"""

from __future__ import annotations

import math
import statistics
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from meldkamer.clients.yamlsource import FieldPath, Reader, SourceError, compose
from meldkamer.contact import EMERGENCY_PHONE, MELDKAMER_PHONE

#: The packaged rules and texts.
DEFAULT_FILE = Path(__file__).with_name("wachttijd.yml")
#: The packaged texts of another language: ``wachttijd_en.yml`` (``berichten`` only).
TRANSLATION_FILES = "wachttijd_*.yml"

_COMMON = frozenset({"meldkamer_telefoon", "alarmnummer"})
#: Every text and the placeholders it may use.
TEXT_FIELDS: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        "wachttijd_kort": _COMMON,
        "wachttijd_ongeveer": _COMMON | {"minuten"},
        "wachttijd_plafond": _COMMON | {"plafond"},
        "verbinden": _COMMON | {"wachttijd"},
        "terugbellen": _COMMON | {"telefoon"},
        "geen_nummer": _COMMON,
        "acuut_verbinden": _COMMON | {"wachttijd"},
        "acuut_terugbellen": _COMMON | {"telefoon"},
        "acuut_geen_nummer": _COMMON,
    }
)
#: Every number of the file: the :class:`WaitingRules` field, section, key, allowed range.
_NUMBERS = (
    ("window", "meting", "venster_uren", 1, 24 * 31),
    ("sample", "meting", "aantal", 1, 1000),
    ("default_minutes", "meting", "standaard_minuten", 1, 240),
    ("longest_minutes", "meting", "langste_minuten", 1, 24 * 60),
    ("few_minutes", "bereik", "enkele_minuten", 1, 60),
    ("step_minutes", "bereik", "stap_minuten", 1, 60),
    ("cap_minutes", "bereik", "plafond_minuten", 1, 24 * 60),
)
#: The sections, each with its keys (all of them required).
_SECTIONS = {
    name: tuple(key for _, section, key, _, _ in _NUMBERS if section == name)
    for name in ("meting", "bereik")
}


class WaitingRulesError(SourceError):
    """The waiting-time file was refused; :attr:`problems` lists every reason."""


@dataclass(frozen=True)
class WaitingRules:
    """What ``wachttijd.yml`` says.

    Attributes:
        window: only conversations closed this recently are measured.
        sample: at most this many of them (the latest).
        default_minutes: the handling time while nothing was measured.
        longest_minutes: a longer handling time counts as this (one forgotten open
            conversation must not make every estimate absurd).
        few_minutes: up to this many minutes the bot says "binnen enkele minuten".
        step_minutes: above it the estimate is rounded up to a multiple of this.
        cap_minutes: above it the cap text, never a larger number.
        texts: the Dutch texts; translations: every other language's, by its code.
    """

    window: timedelta
    sample: int
    default_minutes: int
    longest_minutes: int
    few_minutes: int
    step_minutes: int
    cap_minutes: int
    texts: Mapping[str, str]
    translations: Mapping[str, Mapping[str, str]] = field(
        default_factory=lambda: MappingProxyType({})
    )

    def texts_in(self, language: str | None) -> Mapping[str, str]:
        """The texts of ``language`` (Dutch when ``None`` or without a translation)."""
        return self.translations.get(language or "", self.texts)


def _texts(reader: Reader, block: Any) -> dict[str, str]:
    path: FieldPath = ("berichten",)
    found = reader.mapping(block, path, TEXT_FIELDS, required=TEXT_FIELDS)
    texts: dict[str, str] = {}
    for key, allowed in TEXT_FIELDS.items():
        if found is None or found.get(key) is None:
            continue
        text = reader.text(found[key], (*path, key))
        if text is None:
            continue
        try:
            used = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
        except ValueError as error:
            reader.error((*path, key), f"ongeldige accolades: {error}")
            continue
        if unknown := sorted(used - allowed):
            reader.error(
                (*path, key),
                f"onbekend invulveld {{{unknown[0]}}}; hier geldig: "
                + ", ".join(f"{{{name}}}" for name in sorted(allowed)),
            )
            continue
        texts[key] = text
    return texts


def parse_rules(source: str, file: str) -> WaitingRules:
    """Check a waiting-time file.

    Raises:
        WaitingRulesError: with every problem, each naming ``file``, line and field.
    """
    data, lines, problems = compose(source, file)
    reader = Reader(file, lines, problems)
    top = reader.mapping(data, (), ("meting", "bereik", "berichten"), ("meting", "bereik"))
    top = top or {}
    blocks = {
        name: reader.mapping(top.get(name), (name,), keys, keys) or {}
        for name, keys in _SECTIONS.items()
    }
    numbers: dict[str, Any] = {}
    for attribute, section, key, low, high in _NUMBERS:
        block = blocks[section]
        value = reader.integer(block.get(key), (section, key), low, high) if key in block else None
        numbers[attribute] = value if value is not None else 0
    few, cap = numbers["few_minutes"], numbers["cap_minutes"]
    if few and cap and cap <= few:
        reader.error(("bereik", "plafond_minuten"), "moet groter zijn dan enkele_minuten")
    texts = _texts(reader, top.get("berichten")) if "berichten" in top else {}
    if "berichten" not in top:
        reader.error(("berichten",), "verplicht veld ontbreekt")
    if reader.problems:
        raise WaitingRulesError(sorted(reader.problems, key=lambda p: p.line))
    window = timedelta(hours=numbers.pop("window"))
    return WaitingRules(window=window, texts=MappingProxyType(texts), **numbers)


def parse_translation(source: str, file: str) -> Mapping[str, str]:
    """Check the texts of another language: ``berichten`` with every text of Dutch.

    Raises:
        WaitingRulesError: with every problem, each naming ``file``, line and field.
    """
    data, lines, problems = compose(source, file)
    reader = Reader(file, lines, problems)
    top = reader.mapping(data, (), ("berichten",), ("berichten",)) or {}
    texts = _texts(reader, top["berichten"]) if top.get("berichten") is not None else {}
    if reader.problems:
        raise WaitingRulesError(sorted(reader.problems, key=lambda p: p.line))
    return MappingProxyType(texts)


@lru_cache(maxsize=1)
def default_rules() -> WaitingRules:
    """The packaged rules with every packaged translation, read once on first use."""
    rules = parse_rules(DEFAULT_FILE.read_text("utf-8"), str(DEFAULT_FILE))
    translations = {
        file.stem.removeprefix("wachttijd_"): parse_translation(file.read_text("utf-8"), str(file))
        for file in sorted(DEFAULT_FILE.parent.glob(TRANSLATION_FILES))
    }
    return replace(rules, translations=MappingProxyType(translations))


def handling_minutes(measured: Sequence[float], rules: WaitingRules) -> float:
    """The typical handling time: the median of ``measured`` (each capped), or the default.

    The median, not the mean: one long conversation says little about the next one.
    """
    if not measured:
        return float(rules.default_minutes)
    return float(statistics.median(min(m, rules.longest_minutes) for m in measured))


def estimate_minutes(*, handling: float, agents: int, busy: int, ahead: int) -> float:
    """Minutes until an agent takes this conversation; ``math.inf`` with no agent present.

    ``ahead``: live conversations waiting that an agent takes first; ``busy``: agents
    present who are in a live conversation now. With a free agent left over the wait is
    nil; otherwise one of the ``agents`` frees up every ``handling / agents`` minutes.
    """
    if agents <= 0:
        return math.inf
    free = max(0, agents - busy)
    position = ahead - free + 1
    if position <= 0:
        return 0.0
    return position * handling / agents


def _fill(rules: WaitingRules, language: str | None, key: str, **values: object) -> str:
    return rules.texts_in(language)[key].format(
        meldkamer_telefoon=MELDKAMER_PHONE, alarmnummer=EMERGENCY_PHONE, **values
    )


def rounded(minutes: float, rules: WaitingRules) -> int:
    """The number the tenant may hear: rounded up to a step, at most the cap."""
    if minutes <= rules.few_minutes:
        return rules.few_minutes
    if minutes > rules.cap_minutes:
        return rules.cap_minutes
    return min(rules.cap_minutes, math.ceil(minutes / rules.step_minutes) * rules.step_minutes)


def wording(minutes: float, rules: WaitingRules, language: str | None = None) -> str:
    """``binnen enkele minuten``, ``ongeveer 10 minuten`` or the cap text."""
    if minutes <= rules.few_minutes:
        return _fill(rules, language, "wachttijd_kort")
    if minutes > rules.cap_minutes:
        return _fill(rules, language, "wachttijd_plafond", plafond=rules.cap_minutes)
    return _fill(rules, language, "wachttijd_ongeveer", minuten=rounded(minutes, rules))


def tenant_message(
    rules: WaitingRules,
    *,
    available: bool,
    minutes: float,
    phone: str | None,
    acute: bool,
    language: str | None = None,
) -> str:
    """What the bot tells a tenant who asked for a person, in ``language``.

    Acute: the emergency numbers come first. A call back is promised only with a number
    to call; without one the tenant gets the meldkamer's number instead.
    """
    prefix = "acuut_" if acute else ""
    if available:
        waiting = wording(minutes, rules, language)
        return _fill(rules, language, f"{prefix}verbinden", wachttijd=waiting)
    if phone:
        return _fill(rules, language, f"{prefix}terugbellen", telefoon=phone)
    return _fill(rules, language, f"{prefix}geen_nummer")
