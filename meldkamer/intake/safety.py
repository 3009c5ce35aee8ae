"""The bot's safety instructions (gas, fire), read where the bot reads them: ``domain.yml``.

The assistant says ``utter_veiligheid_<kind>`` for a topic whose matrix row has
``veiligheid: <kind>``. An agent on the phone must read the caller exactly the same
steps, so the console takes the text from the same response instead of a copy that
would drift; ``tests/core/test_safety_texts.py`` checks every kind has its response.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path
from types import MappingProxyType

import yaml

from meldkamer.intake.responses import pick_variant

#: The Rasa domain at the root of the project (also in the container image).
DOMAIN = Path(__file__).resolve().parents[2] / "domain.yml"
PREFIX = "utter_veiligheid_"


class SafetyTextError(RuntimeError):
    """The safety texts cannot be read: phone mode must not go on without them."""


def response_name(kind: str) -> str:
    """The domain response the bot says for a safety kind: ``gas`` -> ``utter_veiligheid_gas``."""
    return f"{PREFIX}{kind}"


def _variant_text(variants: object, language: str | None) -> str | None:
    """The text of the variation for ``language`` (``condition`` on slot taal), else the default."""
    variant = pick_variant(variants, language)
    text = variant.get("text") if variant is not None else None
    return text if isinstance(text, str) else None


@cache
def safety_texts(domain: Path = DOMAIN, language: str | None = None) -> Mapping[str, str]:
    """Every safety kind with the bot's text in ``language`` (the Dutch default without one)."""
    try:
        raw = yaml.safe_load(domain.read_text("utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise SafetyTextError(f"{domain}: veiligheidsinstructies niet te lezen: {error}") from None
    responses = raw.get("responses") if isinstance(raw, dict) else None
    if not isinstance(responses, dict):
        raise SafetyTextError(f"{domain}: geen 'responses'")
    texts: dict[str, str] = {}
    for name, variants in responses.items():
        if not str(name).startswith(PREFIX):
            continue
        text = _variant_text(variants, language)
        if not isinstance(text, str) or not text.strip():
            raise SafetyTextError(f"{domain}: {name} heeft geen tekst")
        texts[str(name).removeprefix(PREFIX)] = text.strip()
    return MappingProxyType(texts)


def safety_text(kind: str, language: str | None = None) -> str:
    """The bot's instructions for ``kind`` in ``language``, as one message."""
    texts = safety_texts(DOMAIN, language)
    if kind not in texts:
        raise SafetyTextError(f"geen veiligheidsinstructie {response_name(kind)} in {DOMAIN}")
    return texts[kind]


def safety_lines(kind: str | None, domain: Path = DOMAIN) -> tuple[str, ...]:
    """The instructions for ``kind`` line by line, as the chat shows them; none without a kind.

    Raises:
        SafetyTextError: the matrix names a kind the bot has no text for.
    """
    if kind is None:
        return ()
    texts = safety_texts(domain)
    if kind not in texts:
        raise SafetyTextError(f"geen veiligheidsinstructie {response_name(kind)} in {domain}")
    return tuple(line.strip() for line in texts[kind].splitlines() if line.strip())
