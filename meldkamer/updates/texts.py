"""The tenant's update texts: the packaged defaults and a client's own wording."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType

from meldkamer.clients.messages import MESSAGE_FIELDS, parse_messages
from meldkamer.clients.schema import Client
from meldkamer.clients.yamlsource import Reader, SourceError, compose
from meldkamer.contact import EMERGENCY_PHONE, MELDKAMER_PHONE
from meldkamer.intake.texts import dutch_date
from meldkamer.triage.officehours import AMSTERDAM

#: The packaged defaults, a file a supervisor reads and changes.
DEFAULT_FILE = Path(__file__).with_name("texts.yml")
_BLOCK = "berichten"


class TextsFileError(SourceError):
    """The texts file was refused; :attr:`problems` lists every reason."""


def parse_texts(source: str, file: str) -> Mapping[str, str]:
    """Check the text of a texts file: every message, each with known placeholders only.

    Raises:
        TextsFileError: with every problem, each naming ``file``, line and field.
    """
    data, lines, problems = compose(source, file)
    reader = Reader(file, lines, problems)
    block = reader.mapping(data, (), (_BLOCK,), required=(_BLOCK,)) if data is not None else None
    texts = parse_messages(reader, block[_BLOCK], (_BLOCK,), True) if block else None
    if reader.problems or texts is None:
        raise TextsFileError(sorted(reader.problems, key=lambda p: p.line))
    return texts


@lru_cache(maxsize=1)
def default_texts() -> Mapping[str, str]:
    """The packaged texts, read once on first use."""
    return parse_texts(DEFAULT_FILE.read_text("utf-8"), str(DEFAULT_FILE))


def arrival(eta: datetime, now: datetime) -> str:
    """``14:30`` today, ``morgen om 08:00``, else ``dinsdag 3 december om 08:00`` (Amsterdam)."""
    local, today = eta.astimezone(AMSTERDAM), now.astimezone(AMSTERDAM).date()
    clock = local.strftime("%H:%M")
    days = (local.date() - today).days
    if days == 0:
        return clock
    if days == 1:
        return f"morgen om {clock}"
    return f"{dutch_date(local.date())} om {clock}"


@dataclass(frozen=True)
class UpdateTexts:
    """The texts in force for one client: its own where it has them, else the defaults."""

    texts: Mapping[str, str]

    @classmethod
    def for_client(cls, client: Client | None) -> UpdateTexts:
        """The defaults with ``client``'s ``berichten`` laid over them."""
        own = client.messages if client is not None else {}
        return cls(MappingProxyType({**default_texts(), **own}))

    def render(self, key: str, number: str, **values: str) -> str:
        """The text ``key`` for ticket ``number``, its placeholders filled in.

        Raises:
            KeyError: ``key`` is no known text.
        """
        if key not in MESSAGE_FIELDS:
            raise KeyError(f"onbekende tekst {key!r}")
        return self.texts[key].format(
            nummer=number,
            meldkamer_telefoon=MELDKAMER_PHONE,
            alarmnummer=EMERGENCY_PHONE,
            **values,
        )
