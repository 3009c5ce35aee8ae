"""The tenant's texts of a handover, from ``teksten.yml`` (a supervisor edits that file).

Every other language has the same keys in ``teksten_<taal>.yml`` next to it
(``teksten_en.yml``); a language without a file gets the Dutch texts.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from meldkamer.contact import MELDKAMER_PHONE
from meldkamer.intake.language import DEFAULT_LANGUAGE

TEXTS_FILE = Path(__file__).resolve().parent / "teksten.yml"
#: Every key of a texts file (all of them required, in every language).
KEYS = ("aangekondigd", "collega", "afgesloten", "terugbelnummer", "acuut_terugbelnummer")


@dataclass(frozen=True)
class HandoverTexts:
    """The texts, checked: every key present and non-empty, ``{naam}`` in the announcement."""

    announced: str
    colleague: str
    closed: str
    callback_number: str
    acute_callback_number: str

    def announce(self, agent_name: str) -> str:
        """The announcement with the agent's name (a name-less agent is still a person)."""
        name = " ".join(agent_name.split()) or self.colleague
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
    missing = [k for k in KEYS if not isinstance(data.get(k), str) or not data[k].strip()]
    if missing:
        raise ValueError(f"{source}: tekst ontbreekt of is leeg: {', '.join(missing)}")
    if "{naam}" not in data["aangekondigd"]:
        raise ValueError(f"{source}: 'aangekondigd' moet {{naam}} bevatten")
    return HandoverTexts(
        announced=data["aangekondigd"].strip(),
        colleague=data["collega"].strip(),
        closed=data["afgesloten"].strip(),
        callback_number=data["terugbelnummer"].strip(),
        acute_callback_number=data["acuut_terugbelnummer"].strip(),
    )


def texts_file(language: str | None = None) -> Path:
    """The file of ``language``: ``teksten_<taal>.yml``, or the Dutch one without it."""
    if language and language.isalpha() and language != DEFAULT_LANGUAGE:
        other = TEXTS_FILE.with_name(f"teksten_{language}.yml")
        if other.is_file():
            return other
    return TEXTS_FILE


@lru_cache(maxsize=8)
def handover_texts(language: str | None = None) -> HandoverTexts:
    """The texts of the installed file of ``language`` (Dutch when ``None`` or unknown).

    Found and read once per language and process: a handover does not look for files.
    """
    file = texts_file(language)
    return parse(file.read_text(encoding="utf-8"), str(file))
