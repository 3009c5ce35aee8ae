"""The parts of a client file a client may change, and splicing a changed part into the file.

A part is one or more top-level keys of the YAML file (``kantoortijden`` with
``sluitingsdagen``, ...). Splicing works on the text, not on parsed data, so the
comments and layout of every other part stay exactly as the meldkamer wrote them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml


@dataclass(frozen=True)
class Part:
    """A part of the client file: its code, its Dutch label and its top-level keys."""

    code: str
    label: str
    keys: tuple[str, ...]


PARTS: tuple[Part, ...] = (
    Part("contact", "Contactgegevens en meldadressen", ("contact", "notificatie_email")),
    Part("kantoortijden", "Kantoortijden en sluitingsdagen", ("kantoortijden", "sluitingsdagen")),
    Part("stookseizoen", "Stookseizoen", ("stookseizoen",)),
    Part("protocol", "Afwijkingen van de urgentiematrix", ("protocol",)),
    Part("mededelingen", "Mededelingen aan huurders", ("mededelingen",)),
    Part("aannemers", "Aannemers", ("aannemers", "standaard_aannemers")),
    Part("complexen", "Complexen en roosters", ("complexen",)),
    Part("piket", "Piketdienst", ("piket",)),
)
PARTS_BY_CODE = {part.code: part for part in PARTS}
#: A change request bigger than this is not a part of a client file.
MAX_PART_CHARS = 100_000

_TOP_KEY = re.compile(r"^([A-Za-z_][\w-]*)\s*:")


class PartError(ValueError):
    """A changed part cannot be read; the message is Dutch, for the client."""


def part_of(code: str) -> Part:
    """The part with this code.

    Raises:
        PartError: no such part.
    """
    try:
        return PARTS_BY_CODE[code]
    except KeyError:
        raise PartError("dit onderdeel van het klantdossier kan niet worden gewijzigd") from None


def _blocks(source: str) -> tuple[list[str], dict[str, tuple[int, int]]]:
    """The lines, and per top-level key the line range ``[start, end)`` of its block.

    Comment and blank lines right above a key are in no block: they stay in the file.
    """
    lines = source.splitlines()
    starts = [(i, m.group(1)) for i, line in enumerate(lines) if (m := _TOP_KEY.match(line))]
    ranges: dict[str, tuple[int, int]] = {}
    for index, (start, key) in enumerate(starts):
        end = starts[index + 1][0] if index + 1 < len(starts) else len(lines)
        while end > start + 1 and end < len(lines) and _loose(lines[end - 1]):
            end -= 1
        ranges[key] = (start, end)
    return lines, ranges


def _loose(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith("#")


def current_text(source: str, part: Part) -> str:
    """The part's keys as they stand in ``source`` (what the client starts editing from)."""
    lines, ranges = _blocks(source)
    chunks = ["\n".join(lines[slice(*ranges[key])]).rstrip() for key in part.keys if key in ranges]
    return "\n\n".join(chunks) + "\n" if chunks else ""


def check_part_text(text: str, part: Part) -> str:
    """The part's text, normalised; refuses what is not a mapping of only this part's keys.

    Raises:
        PartError: unreadable YAML, other keys, or too long.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if len(text) > MAX_PART_CHARS:
        raise PartError(f"een onderdeel heeft hoogstens {MAX_PART_CHARS} tekens")
    if "\t" in text:
        raise PartError("gebruik spaties om in te springen, geen tabs")
    try:
        data = yaml.safe_load(text) if text.strip() else {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (regel {mark.line + 1})" if mark is not None else ""
        raise PartError(f"de tekst is geen geldige YAML{where}") from None
    if not isinstance(data, dict):
        raise PartError(f"het onderdeel begint met {' of '.join(part.keys)}:")
    others = sorted(str(key) for key in data if key not in part.keys)
    if others:
        raise PartError(
            f"dit onderdeel bevat alleen {', '.join(part.keys)}; niet: {', '.join(others)}"
        )
    return text


def splice(source: str, part: Part, text: str) -> str:
    """``source`` with the part's keys replaced by those of ``text`` (a checked part).

    A key missing from ``text`` is removed from the file; a new key goes at the end.
    """
    new_lines, new_ranges = _blocks(check_part_text(text, part))
    lines, ranges = _blocks(source)
    replacement = {key: new_lines[slice(*new_ranges[key])] for key in new_ranges}
    out: list[str] = []
    skip_until = -1
    placed: set[str] = set()
    for index, line in enumerate(lines):
        if index < skip_until:
            continue
        key = next((k for k in part.keys if k in ranges and ranges[k][0] == index), None)
        if key is None:
            out.append(line)
            continue
        skip_until = ranges[key][1]
        if key in replacement:
            out.extend(replacement[key])
            placed.add(key)
    for key in part.keys:
        if key in replacement and key not in placed:
            out.extend(["", *replacement[key]])
    return "\n".join(out).rstrip("\n") + "\n"
