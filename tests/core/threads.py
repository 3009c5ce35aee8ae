"""Races on purpose: run the same work in threads that are released at the same moment."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def at_once(work: Callable[[int], T], count: int = 2, timeout: float = 120) -> list[T]:
    """``work(0)`` ... ``work(count - 1)`` in threads released together; their results.

    An exception in any thread fails the test here, in the test's own thread (a thread's
    exception would otherwise only be printed).
    """
    barrier = threading.Barrier(count)
    results: list[T | None] = [None] * count
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            barrier.wait()
            results[index] = work(index)
        except BaseException as error:  # reported in the test's thread
            errors.append(error)

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not errors, errors
    return results  # type: ignore[return-value]
