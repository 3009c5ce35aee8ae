"""A channel's work after it answered the webhook: each message's turn in a task of its own.

The webhook answers at once (SMS gateways, Meta and Telegram retry a slow answer) and the
bot's turn runs after it. asyncio keeps only a weak reference to a running task, so the
channel holds each one until it is done, and a stopping server waits for those still
running instead of cutting a tenant's turn off.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Iterator
from typing import Any


class Background:
    """The tasks a channel started and that have not finished yet."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[None]] = set()

    def spawn(self, work: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        """Run ``work`` in a task of its own, kept until it is done."""
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def drain(self, timeout: float | None = None, *, cancel_late: bool = False) -> None:
        """Wait for the tasks still running, at most ``timeout`` seconds.

        With ``cancel_late`` the ones still running after ``timeout`` are cancelled.
        """
        if not self._tasks:
            return
        _, late = await asyncio.wait(set(self._tasks), timeout=timeout)
        if cancel_late:
            for task in late:
                task.cancel()

    def __len__(self) -> int:
        """How many tasks are still running."""
        return len(self._tasks)

    def __iter__(self) -> Iterator[asyncio.Task[None]]:
        """The tasks still running (a copy: a task that ends meanwhile leaves the set)."""
        return iter(set(self._tasks))
