"""The bot's buttons as numbered options in a mail or SMS, and the tenant's answer to them.

A mail or SMS has no buttons: the options are written out ("1. Ja", "2. Nee") and an
answer "2", "2.", "nee" or "Nee, dat lukt niet" is mapped back to the button's payload.
Anything else is the tenant's own words and goes to the assistant as it is.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

#: The line under a numbered list of options.
ANSWER_BY_NUMBER = "Antwoord met het nummer van uw keuze."

_NUMBER = re.compile(r"^\s*(\d{1,2})\s*[.)]?\s*$")


def numbered(buttons: Sequence[Mapping[str, str]]) -> str:
    """``1. Ja`` / ``2. Nee`` lines, then how to answer; empty without buttons."""
    if not buttons:
        return ""
    lines = [f"{index}. {button.get('title', '')}" for index, button in enumerate(buttons, 1)]
    return "\n".join([*lines, ANSWER_BY_NUMBER])


def _norm(text: str) -> str:
    return re.sub(r"[^\w]+", " ", text.lower()).strip()


def chosen(answer: str, buttons: Sequence[Mapping[str, str]]) -> str | None:
    """The payload the tenant chose with ``answer``, or ``None`` when it is no choice."""
    if not buttons:
        return None
    first_line = next((line for line in answer.splitlines() if line.strip()), "")
    number = _NUMBER.match(first_line)
    if number:
        index = int(number.group(1))
        return buttons[index - 1].get("payload") if 1 <= index <= len(buttons) else None
    said = _norm(first_line)
    if not said:
        return None
    for button in buttons:
        if _norm(button.get("title", "")) == said:
            return button.get("payload")
    return None
