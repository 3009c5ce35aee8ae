"""One table from a melding's contact field to its check, for every way in.

The bot's form (``actions/form.py``), the phone wizard (``console/intake_wizard.py``)
and an agent's ticket edit (:func:`meldkamer.tickets.edits.edit_ticket`) check what
is typed with the same function per field, so a value one of them accepts the others
accept too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType

from meldkamer.intake.validation import (
    Invalid,
    clean_description,
    clean_name,
    normalise_email,
    normalise_phone,
)

#: The one "not known" value: a triage answer the tenant does not know ("Weet ik niet"),
#: a channel nobody named. Never shown to people as it is.
UNKNOWN = "onbekend"

#: A check: the cleaned value (``None``: "no e-mail"), or why it is refused.
Check = Callable[[str], "str | None | Invalid"]

#: The contact fields, by their slot/column name, each with its check.
CHECKS: Mapping[str, Check] = MappingProxyType(
    {
        "naam": clean_name,
        "telefoon": normalise_phone,
        "email": normalise_email,
        "beschrijving": clean_description,
    }
)


def check(field: str, text: str) -> str | None | Invalid:
    """Check ``text`` for the contact field ``field`` (``KeyError`` for another field)."""
    return CHECKS[field](text)
