"""The tenant's texts of a handover, from ``teksten.yml`` (a supervisor edits that file)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

TEXTS_FILE = Path(__file__).resolve().parent / "teksten.yml"
_KEYS = ("aangekondigd", "afgesloten", "terugbelnummer")


@dataclass(frozen=True)
class HandoverTexts:
    """The texts, checked: every key present and non-empty, ``{naam}`` in the announcement."""

    announced: str
    closed: str
    callback_number: str

    def announce(self, agent_name: str) -> str:
        """ "U praat nu met <naam>, ..." (a name-less agent is still a person of the meldkamer)."""
        name = " ".join(agent_name.split()) or "een collega"
        return self.announced.replace("{naam}", name)


def parse(text: str, source: str = "teksten.yml") -> HandoverTexts:
    """Read the texts; a :class:`ValueError` names what is wrong and where."""
    data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise ValueError(f"{source}: verwacht een lijst van teksten (sleutel: tekst)")
    missing = [k for k in _KEYS if not isinstance(data.get(k), str) or not data[k].strip()]
    if missing:
        raise ValueError(f"{source}: tekst ontbreekt of is leeg: {', '.join(missing)}")
    if "{naam}" not in data["aangekondigd"]:
        raise ValueError(f"{source}: 'aangekondigd' moet {{naam}} bevatten")
    return HandoverTexts(
        announced=data["aangekondigd"].strip(),
        closed=data["afgesloten"].strip(),
        callback_number=data["terugbelnummer"].strip(),
    )


@lru_cache(maxsize=1)
def handover_texts() -> HandoverTexts:
    """The texts of the installed file (read once per process)."""
    return parse(TEXTS_FILE.read_text(encoding="utf-8"), str(TEXTS_FILE))
