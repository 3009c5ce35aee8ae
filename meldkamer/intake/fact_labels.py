"""Short labels for the triage facts in the tenant's summary, from ``samenvatting.yml``.

The summary says "Water afsluiten: lukt niet", not the question with the button's label
after it ("Kunt u ... niet normaal wonen? Ja, ernstig" read as a double negative).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from types import MappingProxyType
from typing import Any

import yaml

from meldkamer.triage.table import DecisionTable, FactValue
from meldkamer.triage.translation import translation_data


class FactLabelError(ValueError):
    """``samenvatting.yml`` does not fit the decision table; the message names the place."""


@dataclass(frozen=True)
class FactLabels:
    """Label and answer words per fact, and the words for an answer not known."""

    labels: Mapping[str, str]
    answers: Mapping[str, Mapping[FactValue, str]]
    unknown: str

    def line(self, name: str, value: FactValue | None) -> str | None:
        """``Water afsluiten: lukt niet``; ``None`` as value: the tenant did not know.

        ``None`` for a fact or value the file does not name yet (the caller falls back).
        """
        words = self.unknown if value is None else self.answers.get(name, {}).get(value)
        return f"{self.labels[name]}: {words}" if name in self.labels and words else None

    def check(self, table: DecisionTable) -> None:
        """Every fact of ``table`` has a label and words for each of its values."""
        for name, fact in table.facts.items():
            if name not in self.labels:
                raise FactLabelError(f"feiten.{name}: ontbreekt")
            missing = [str(v) for v in fact.values if v not in self.answers[name]]
            if missing:
                raise FactLabelError(f"feiten.{name}.antwoorden: mist {', '.join(missing)}")


def _value(key: Any) -> FactValue:
    return key if isinstance(key, bool) else str(key)


def parse_fact_labels(data: Any) -> FactLabels:
    """Read the parsed YAML of a ``samenvatting.yml``."""
    if not isinstance(data, dict) or not isinstance(data.get("feiten"), dict):
        raise FactLabelError("feiten: verwacht een blok met feiten")
    labels: dict[str, str] = {}
    answers: dict[str, Mapping[FactValue, str]] = {}
    for name, spec in data["feiten"].items():
        if not isinstance(spec, dict) or not isinstance(spec.get("antwoorden"), dict):
            raise FactLabelError(f"feiten.{name}: verwacht label en antwoorden")
        labels[str(name)] = str(spec.get("label") or "").strip() or str(name)
        answers[str(name)] = MappingProxyType(
            {_value(k): str(v) for k, v in spec["antwoorden"].items()}
        )
    return FactLabels(
        MappingProxyType(labels), MappingProxyType(answers), str(data.get("onbekend") or "")
    )


@lru_cache(maxsize=1)
def default_fact_labels() -> FactLabels:
    """The package's labels, read once per process."""
    source = resources.files("meldkamer.intake").joinpath("samenvatting.yml").read_text("utf-8")
    return parse_fact_labels(yaml.safe_load(source))


@lru_cache(maxsize=8)
def fact_labels(language: str | None = None) -> FactLabels:
    """The summary labels in ``language``.

    Dutch from ``samenvatting.yml``, other languages from the matrix's translation
    (``meldkamer/triage/vertalingen/<taal>.yml``, the same keys).
    """
    data = translation_data(language) if language else None
    return default_fact_labels() if data is None else parse_fact_labels(data)
