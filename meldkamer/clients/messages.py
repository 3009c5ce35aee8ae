"""The tenant's update texts (berichten): which exist, what each may fill in, checks.

The defaults are in ``meldkamer/updates/texts.yml``; a client file may replace any of
them (``berichten:`` in docs/CLIENTS.md). Both are checked here with the same reader,
so a misspelt key or placeholder gets its file and line in either.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from meldkamer.clients.yamlsource import FieldPath, Reader

_TICKET = frozenset({"nummer", "meldkamer_telefoon", "alarmnummer"})

#: Every text and the placeholders it may use ({nummer} is the ticket number).
MESSAGE_FIELDS: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        "bevestigd": _TICKET | {"aannemer"},
        "onderweg": _TICKET | {"aannemer", "tijd"},
        "onderweg_zonder_tijd": _TICKET | {"aannemer"},
        "ter_plaatse": _TICKET | {"aannemer"},
        "gereed": _TICKET | {"aannemer"},
        "verslag": _TICKET | {"verslag"},
        "niet_gelukt": _TICKET | {"aannemer"},
        "geannuleerd": _TICKET,
        "na_gereed_chat": _TICKET,
        "na_gereed_sms": _TICKET,
        "heropend": _TICKET,
        "vervolg": _TICKET | {"oud"},
        "niets_heropend": _TICKET,
        # What a status lookup says where no step above fits.
        "status_open": _TICKET,
        "status_verstuurd": _TICKET | {"aannemer"},
        "status_afgerond": _TICKET,
        "status_geannuleerd": _TICKET,
    }
)

#: A tenant's SMS should fit in a few parts; the longest default is well below this.
MAX_TEXT = 480


def placeholders(text: str) -> set[str] | None:
    """The ``{names}`` in ``text``; ``None`` when its braces do not pair up."""
    try:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError:
        return None


def _message(r: Reader, raw: Any, path: FieldPath, allowed: frozenset[str]) -> str | None:
    text = r.text(raw, path, MAX_TEXT)
    if text is None:
        return None
    names = placeholders(text)
    if names is None:
        r.error(path, "accolades kloppen niet; schrijf een invulveld als {nummer}")
        return None
    unknown = sorted(names - allowed)
    if unknown:
        r.error(
            path,
            f"onbekend invulveld {{{unknown[0]}}}; mogelijk zijn: "
            + ", ".join(f"{{{name}}}" for name in sorted(allowed)),
        )
        return None
    return text


def parse_messages(
    r: Reader, raw: Any, path: FieldPath, complete: bool
) -> Mapping[str, str] | None:
    """The tenant texts by key: every one when ``complete`` (the defaults file), else any."""
    return r.keyed(
        raw, path, MESSAGE_FIELDS, lambda v, p, allowed: _message(r, v, p, allowed), complete
    )
