"""Labelled enums: each member of an enum with the words people read, next to the enum.

Pages, mails and the command line show labels, never the stored value
(``wacht_op_terugbellen``). A :class:`LabelTable` is built next to its enum from a
mapping member -> label and refuses to exist when a member has no label, so a new
status cannot reach a page raw: importing its module fails first.

A table reads like the ``dict`` it replaces (``STATUS_LABELS["nieuw"]``, ``.get``,
iteration over the stored values), and :meth:`LabelTable.label` never returns a raw
value: a value the enum does not know (a row of an older release) is made readable.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Mapping
from typing import Generic, TypeVar

E = TypeVar("E", bound=enum.Enum)

#: What a page shows for a value that is not there at all.
NONE = "-"


class LabelTable(Mapping[str, str], Generic[E]):
    """The label of every member of one ``str`` enum, by the member's stored value."""

    def __init__(self, enum_type: type[E], labels: Mapping[E, str]) -> None:
        missing = [member.name for member in enum_type if member not in labels]
        if missing:
            raise ValueError(f"{enum_type.__name__}: geen label voor {', '.join(missing)}")
        empty = [member.name for member, text in labels.items() if not text.strip()]
        if empty:
            raise ValueError(f"{enum_type.__name__}: leeg label voor {', '.join(empty)}")
        self.enum_type = enum_type
        # In the enum's order, so that a select or a filter lists them as the enum does.
        self._labels = {str(member.value): labels[member] for member in enum_type}

    def __getitem__(self, value: str) -> str:
        return self._labels[value]

    def __iter__(self) -> Iterator[str]:
        return iter(self._labels)

    def __len__(self) -> int:
        return len(self._labels)

    def label(self, value: object) -> str:
        """The label of ``value`` (a member or its stored value); readable for anything else."""
        if value is None or value == "":
            return NONE
        key = str(value.value) if isinstance(value, enum.Enum) else str(value)
        return self._labels.get(key) or readable(key)

    def choices(self) -> list[tuple[str, str]]:
        """``(value, label)`` pairs in the enum's order, for a select or a filter."""
        return list(self._labels.items())

    def __repr__(self) -> str:
        return f"LabelTable({self.enum_type.__name__}, {self._labels!r})"


def readable(value: str) -> str:
    """A stored value that has no label, made readable: ``in_behandeling`` -> ``in behandeling``."""
    return value.replace("_", " ").replace("-", " ").strip() or NONE
