"""The bot's texts per language, one catalog file each: ``meldkamer/intake/teksten/<taal>.yml``.

Every language has the same keys as Dutch (``tests/core/intake/test_catalog.py`` checks it),
so a third language is one new file and nothing else. A language without a file falls back
to Dutch, the language of the service.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any

import yaml

from meldkamer.intake.language import DEFAULT_LANGUAGE

_PACKAGE = "meldkamer.intake.teksten"


class CatalogError(ValueError):
    """A catalog file is missing or malformed; the message names the file and key."""


@dataclass(frozen=True)
class Catalog:
    """The texts of one language, looked up by key."""

    language: str
    texts: Mapping[str, str | tuple[str, ...]]

    def __call__(self, key: str, **values: object) -> str:
        """The text for ``key`` with its ``{placeholders}`` filled in."""
        text = self.texts.get(key)
        if not isinstance(text, str):
            raise CatalogError(f"teksten/{self.language}.yml: {key} ontbreekt")
        return text.format(**values) if values else text

    def names(self, key: str) -> tuple[str, ...]:
        """A list entry: ``dagen`` (Monday first) or ``maanden`` (January first)."""
        value = self.texts.get(key)
        if not isinstance(value, tuple):
            raise CatalogError(f"teksten/{self.language}.yml: {key} is geen lijst")
        return value

    def date(self, day: date) -> str:
        """``maandag 30 november`` / ``Monday 30 November``."""
        return self(
            "datum",
            dag=self.names("dagen")[day.weekday()],
            nummer=day.day,
            maand=self.names("maanden")[day.month - 1],
        )


def parse_catalog(language: str, data: Any) -> Catalog:
    """A catalog from the parsed YAML of a ``teksten/<taal>.yml``."""
    if not isinstance(data, dict):
        raise CatalogError(f"teksten/{language}.yml: verwacht sleutels met teksten")
    texts: dict[str, str | tuple[str, ...]] = {}
    for key, value in data.items():
        if isinstance(value, list):
            texts[str(key)] = tuple(str(item) for item in value)
        elif isinstance(value, str) and value.strip():
            texts[str(key)] = value
        else:
            raise CatalogError(f"teksten/{language}.yml: {key} heeft geen tekst")
    return Catalog(language, MappingProxyType(texts))


@cache
def languages() -> tuple[str, ...]:
    """Every language with a catalog file, Dutch first."""
    found = sorted(
        entry.name.removesuffix(".yml")
        for entry in resources.files(_PACKAGE).iterdir()
        if entry.name.endswith(".yml")
    )
    return (DEFAULT_LANGUAGE, *(code for code in found if code != DEFAULT_LANGUAGE))


def catalog(language: str | None = None) -> Catalog:
    """The texts of ``language`` (Dutch when ``None`` or unknown), read once per process."""
    return _load(language if language in languages() else DEFAULT_LANGUAGE)


@cache
def _load(code: str) -> Catalog:
    source = resources.files(_PACKAGE).joinpath(f"{code}.yml").read_text("utf-8")
    return parse_catalog(code, yaml.safe_load(source))
