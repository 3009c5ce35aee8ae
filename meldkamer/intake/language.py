"""English messages: a Dutch-language service still gives English safety instructions."""

from __future__ import annotations

import re

from meldkamer.triage.answers import normalise

_GAS = re.compile(r"\b(gas|smell of gas|gassy|smells? like gas|gas leak)\b")
_FIRE = re.compile(r"\b(fire|smoke|smoking socket|burning|flames?|on fire)\b")


def english_emergency(text: str) -> str | None:
    """``"gaslek"`` or ``"brand"`` when an English message is about gas or fire."""
    plain = normalise(text)
    if _GAS.search(plain):
        return "gaslek"
    if _FIRE.search(plain):
        return "brand"
    return None
