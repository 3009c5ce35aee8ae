"""Retention terms (bewaartermijnen): the data classes, what can be done with each, checks.

The defaults are in ``meldkamer/privacy/retention.yml``; a client file may override them
per data class (``bewaartermijnen:`` in docs/CLIENTS.md), as the client, the controller
under the AVG, instructs. Both are checked here with the same reader, so a mistake gets
its file and line in either.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from meldkamer.clients.yamlsource import FieldPath, Reader, has


class RetentionAction(str, enum.Enum):
    """What happens to data past its term."""

    VERWIJDEREN = "verwijderen"
    ANONIMISEREN = "anonimiseren"


_DELETE = (RetentionAction.VERWIJDEREN,)
_ANONYMISE = (RetentionAction.ANONIMISEREN,)
_EITHER = (RetentionAction.VERWIJDEREN, RetentionAction.ANONIMISEREN)

#: Every data class and the actions it allows. A ticket is only anonymised (the monthly
#: report counts it); conversation text, photos and spool files have nothing worth
#: keeping once the personal data is gone, so they are only deleted.
DATA_CLASSES: Mapping[str, tuple[RetentionAction, ...]] = MappingProxyType(
    {
        "gesprekken": _DELETE,
        "contactgegevens": _ANONYMISE,
        "fotos": _DELETE,
        "notities": _EITHER,
        "berichten": _EITHER,
        "overdrachten": _EITHER,
        "spool": _DELETE,
    }
)

#: Ten years: longer than any term the AVG allows for this kind of data.
MAX_DAYS = 3650


@dataclass(frozen=True)
class RetentionTerm:
    """A term as written; in a client file ``action`` and ``explanation`` may be left out."""

    days: int
    action: RetentionAction | None = None
    explanation: str | None = None


def parse_terms(
    r: Reader, raw: Any, path: FieldPath, complete: bool
) -> Mapping[str, RetentionTerm] | None:
    """The retention terms by data class.

    With ``complete`` (the settings file) every class with ``dagen``, ``actie`` and
    ``uitleg``; otherwise (a client file) any classes, each with at least ``dagen``.
    """
    return r.keyed(
        raw, path, DATA_CLASSES, lambda v, p, allowed: _term(r, v, p, allowed, complete), complete
    )


def _term(
    r: Reader,
    raw: Any,
    path: FieldPath,
    allowed: tuple[RetentionAction, ...],
    complete: bool,
) -> RetentionTerm | None:
    keys = ("dagen", "actie", "uitleg")
    fields = r.mapping(raw, path, keys, required=keys if complete else ("dagen",))
    if fields is None:
        return None
    count = len(r.problems)
    days = (
        r.integer(fields["dagen"], (*path, "dagen"), 1, MAX_DAYS) if has(fields, "dagen") else None
    )
    action = None
    if has(fields, "actie"):
        text = r.choice(fields["actie"], (*path, "actie"), [a.value for a in allowed], "e actie")
        action = RetentionAction(text) if text is not None else None
    explanation = r.text(fields["uitleg"], (*path, "uitleg")) if has(fields, "uitleg") else None
    if days is None or len(r.problems) != count:
        return None
    return RetentionTerm(days, action, explanation)
