"""A bounded, insertion-ordered map: the channels' memory of what they saw and sent.

A server remembers recent message ids (to handle a retry once), button payloads and the
like without growing for ever: beyond ``size`` entries the oldest are forgotten.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Generic, TypeVar

V = TypeVar("V")

#: Entries kept per map unless the owner says otherwise.
DEFAULT_SIZE = 10_000


class Bounded(Generic[V]):
    """A dict that forgets its oldest entries beyond ``size``."""

    def __init__(self, size: int = DEFAULT_SIZE) -> None:
        if size < 1:
            raise ValueError("a bounded map needs room for at least one entry")
        self.size = size
        self._items: OrderedDict[str, V] = OrderedDict()

    def __contains__(self, key: str) -> bool:
        return key in self._items

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: str) -> V | None:
        return self._items.get(key)

    def put(self, key: str, value: V) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self.size:
            self._items.popitem(last=False)

    def pop(self, key: str) -> V | None:
        return self._items.pop(key, None)
