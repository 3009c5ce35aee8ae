"""Password checks off the event loop, on a small pool with a bounded queue.

scrypt costs about a tenth of a second of CPU on purpose. Inside the event loop every
sign-in would freeze the whole console (queues, live transcripts, the contractor's
link) for that long; on a thread pool the loop keeps serving. The pool is small, and
at most :attr:`PasswordChecks.max_pending` checks wait or run at once: a flood gets a
quick "too busy" instead of piling up work without end.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from aiohttp import web

T = TypeVar("T")


class TooBusy(RuntimeError):
    """Too many password checks at once; the caller asks to try again shortly."""


class PasswordChecks:
    """A bounded thread pool for the sign-in's database lookup and scrypt."""

    def __init__(self, workers: int = 2, max_pending: int = 8) -> None:
        self.max_pending = max_pending
        self._pending = 0
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="inloggen")

    async def run(self, check: Callable[..., T], *args: object) -> T:
        """Run ``check(*args)`` on the pool.

        Raises:
            TooBusy: :attr:`max_pending` checks are already waiting or running.
        """
        if self._pending >= self.max_pending:
            raise TooBusy
        self._pending += 1
        try:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self._executor, functools.partial(check, *args))
        finally:
            self._pending -= 1

    def close(self) -> None:
        """Stop the pool (checks not yet started are dropped)."""
        self._executor.shutdown(wait=True, cancel_futures=True)


PASSWORD_CHECKS: web.AppKey[PasswordChecks] = web.AppKey("password_checks")


async def password_checks(app: web.Application) -> AsyncIterator[None]:
    """Cleanup context: the pool lives as long as the application."""
    app[PASSWORD_CHECKS] = PasswordChecks()
    yield
    app[PASSWORD_CHECKS].close()
