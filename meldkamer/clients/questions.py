"""Checking a client's own questions and answers (vragen, vragen_<taal>).

Each entry has the shape of an entry of ``meldkamer/intake/vragen.yml``. Every field is
checked here with the reader, so that a problem gets its file and line, and then read as
the digressions module will use it.
"""

from __future__ import annotations

import re
from typing import Any

from meldkamer.clients.yamlsource import FieldPath, Reader, kind_of
from meldkamer.intake.digressions import (
    QUESTION_FIELDS,
    DigressionFileError,
    Question,
    parse_question,
)


def parse_questions(r: Reader, raw: Any, block: str) -> tuple[Question, ...] | None:
    """The client's questions of one language block, in file order; ``None`` on a problem."""
    data = r.mapping(raw, (block,))
    if data is None:
        return None
    count = len(r.problems)
    questions: list[Question] = []
    for key, spec in data.items():
        path: FieldPath = (block, str(key))
        if not _question_shape(r, spec, path):
            continue
        try:
            questions.append(parse_question(str(key), spec, block))
        except DigressionFileError as exc:  # the shape check should have caught it
            r.error(path, str(exc))
    return tuple(questions) if len(r.problems) == count else None


def _question_shape(r: Reader, raw: Any, path: FieldPath) -> bool:
    """Check what ``parse_question`` refuses, so a problem gets its own line."""
    count = len(r.problems)
    spec = r.mapping(raw, path, QUESTION_FIELDS, required=("herkenning", "antwoord"))
    if spec is None:
        return False
    if spec.get("herkenning") is not None:
        r.each(spec["herkenning"], (*path, "herkenning"), lambda v, p: _pattern(r, v, p), True)
    if spec.get("antwoord") is not None:
        r.text(spec["antwoord"], (*path, "antwoord"))
    for flag in ("mededeling", "per_onderwerp"):
        if flag in spec and not isinstance(spec[flag], bool):
            r.error((*path, flag), f"verwacht true of false, niet {kind_of(spec[flag])}")
    if spec.get("kanalen") is not None:
        channels = r.mapping(spec["kanalen"], (*path, "kanalen"))
        for channel, text in (channels or {}).items():
            r.text(text, (*path, "kanalen", str(channel)))
    return len(r.problems) == count


def _pattern(r: Reader, raw: Any, path: FieldPath) -> str | None:
    text = r.text(raw, path)
    if text is None:
        return None
    try:
        re.compile(text)
    except re.error as exc:
        r.error(path, f"ongeldig patroon ({exc})")
        return None
    return text
