"""A contractor's SMS reply read as a work-order step: ``ONDERWEG 30``, ``GEREED``, ...

Pure: text in, :class:`Command` out (or :class:`KeywordError` with the help text to send
back). The first words are the keyword, in any case and with or without the accents
and spaces phones add; what follows is the arrival time in minutes (``ONDERWEG 30``) or
the report / reason (``GEREED lekkage verholpen``, ``NIET GELUKT onderdeel besteld``).
A ticket number anywhere (``MK-2026-000123``) says which work order, for a contractor
with more than one open.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from meldkamer.dispatch.lifecycle import DECLINE
from meldkamer.dispatch.models import WorkOrderStatus as S

#: Keyword (as normalised: upper case, single spaces, no accents) -> status.
KEYWORDS: dict[str, S] = {
    "BEVESTIGD": S.BEVESTIGD,
    "BEVESTIG": S.BEVESTIGD,
    "AKKOORD": S.BEVESTIGD,
    "ONDERWEG": S.ONDERWEG,
    "TER PLAATSE": S.TER_PLAATSE,
    "TERPLAATSE": S.TER_PLAATSE,
    "AANGEKOMEN": S.TER_PLAATSE,
    "GEREED": S.GEREED,
    "KLAAR": S.GEREED,
    "NIET GELUKT": S.NIET_GELUKT,
    "IK KAN NIET": DECLINE,
    "KAN NIET": DECLINE,
}
#: What the contractor is told when the reply is not understood (and in the work order).
HELP = (
    "Antwoord met: ONDERWEG 30 (minuten tot aankomst), TER PLAATSE, GEREED (met kort verslag), "
    "NIET GELUKT (met reden) of KAN NIET. Bij meer werkbonnen: zet het MK-nummer erachter."
)

_TICKET_RE = re.compile(r"MK-\d{4}-\d{6,}")
_PUNCTUATION = ":.,;!?-"
_MINUTES_RE = re.compile(r"^(\d{1,4})\s*(?:MIN(?:UTEN|UUT)?\.?|M)?(?:\s+|$)")
_MAX_TEXT = 1000


class KeywordError(ValueError):
    """The reply is no keyword we know; the message is the help to send back."""


@dataclass(frozen=True)
class Command:
    """A contractor's reply, understood.

    Attributes:
        status: the step to set.
        eta_minutes: minutes until arrival (``ONDERWEG 30``), else ``None``.
        note: the report or reason after the keyword, else ``None``.
        ticket_number: the MK number in the reply, if any.
    """

    status: S
    eta_minutes: int | None = None
    note: str | None = None
    ticket_number: str | None = None


def _normalise(word: str) -> str:
    plain = unicodedata.normalize("NFKD", word)
    return "".join(c for c in plain if not unicodedata.combining(c)).upper().strip(_PUNCTUATION)


def parse_reply(text: str) -> Command:
    """Read a contractor's SMS.

    Raises:
        KeywordError: no known keyword at the start (the message is :data:`HELP`).
    """
    words = text[:_MAX_TEXT].split()
    found = next((w for w in words if _TICKET_RE.fullmatch(_normalise(w))), None)
    number = _normalise(found) if found else None
    words = [w for w in words if w is not found]
    plain = [_normalise(w) for w in words]
    # Longest keyword first: "IK KAN NIET" before "KAN NIET".
    for keyword in sorted(KEYWORDS, key=len, reverse=True):
        size = len(keyword.split())
        if plain[:size] == keyword.split():
            rest = " ".join(words[size:]).strip(_PUNCTUATION + " ")
            return _command(KEYWORDS[keyword], rest, number)
    raise KeywordError(HELP)


def _command(status: S, rest: str, number: str | None) -> Command:
    eta: int | None = None
    if status is S.ONDERWEG:
        minutes = _MINUTES_RE.match(rest.upper())
        if minutes:
            eta = int(minutes.group(1))
            rest = rest[minutes.end() :].strip()
    return Command(status, eta_minutes=eta, note=rest or None, ticket_number=number)
