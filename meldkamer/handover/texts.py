"""The tenant's texts of a handover, from ``teksten.yml`` (a supervisor edits that file)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from meldkamer.contact import MELDKAMER_PHONE

TEXTS_FILE = Path(__file__).resolve().parent / "teksten.yml"
_KEYS = ("aangekondigd", "afgesloten", "terugbelnummer", "acuut_terugbelnummer")


@dataclass(frozen=True)
class HandoverTexts:
    """The texts, checked: every key present and non-empty, ``{naam}`` in the announcement."""

    announced: str
    closed: str
    callback_number: str
    acute_callback_number: str

    def announce(self, agent_name: str) -> str:
        """The announcement with the agent's name (a name-less agent is still a person)."""
        name = " ".join(agent_name.split()) or "een collega"
        return self.announced.replace("{naam}", name)

    def ask_number(self, *, acute: bool) -> str:
        """The question for the call-back number (acuut: the emergency numbers first)."""
        text = self.acute_callback_number if acute else self.callback_number
        return text.replace("{meldkamer_telefoon}", MELDKAMER_PHONE)


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
        acute_callback_number=data["acuut_terugbelnummer"].strip(),
    )


@lru_cache(maxsize=1)
def handover_texts() -> HandoverTexts:
    """The texts of the installed file (read once per process)."""
    return parse(TEXTS_FILE.read_text(encoding="utf-8"), str(TEXTS_FILE))
