"""A domain response's variation for a language, as Rasa would pick it (``condition`` on taal).

Rasa renders a response with the slots from before the action that says it; in the turn
that sets the language (an English first message) the action sends the new language's
variation itself, read from the same ``domain.yml``, so there is still one source.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

#: The Rasa domain at the root of the project (also in the container image).
DOMAIN = Path(__file__).resolve().parents[2] / "domain.yml"
#: The slot whose value picks a response's language variation (``condition``).
LANGUAGE_SLOT = "taal"


def pick_variant(variants: object, language: str | None) -> Mapping[str, Any] | None:
    """The variation for ``language``, else the default (the first without a condition)."""
    if not isinstance(variants, list):
        return None
    default: Mapping[str, Any] | None = None
    for variant in variants:
        if not isinstance(variant, dict):
            continue
        conditions = variant.get("condition") or []
        if not conditions and default is None:
            default = variant
        elif language and any(
            c.get("name") == LANGUAGE_SLOT and c.get("value") == language for c in conditions
        ):
            return variant
    return default


@cache
def _responses(domain: Path) -> Mapping[str, Any]:
    raw = yaml.safe_load(domain.read_text("utf-8"))
    responses = raw.get("responses") if isinstance(raw, dict) else None
    return MappingProxyType(responses if isinstance(responses, dict) else {})


def response_in(name: str, language: str | None, domain: Path = DOMAIN) -> dict[str, Any]:
    """``text`` and ``buttons`` of response ``name`` in ``language``, for ``utter_message``."""
    variant = pick_variant(_responses(domain).get(name), language)
    if variant is None:
        raise KeyError(f"{domain}: geen response {name}")
    said: dict[str, Any] = {"text": str(variant.get("text") or "")}
    if variant.get("buttons"):
        said["buttons"] = list(variant["buttons"])
    return said
