"""A loopback fake served from a thread of its own, for tests that are not async."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager


@contextmanager
def served_in_a_thread(
    start: Callable[[], Awaitable[None]], stop: Callable[[], Awaitable[None]], name: str
) -> Iterator[None]:
    """``start()`` on an event loop in a thread called ``name``; ``stop()`` when the block ends."""
    loop = asyncio.new_event_loop()
    started = threading.Event()

    def serve() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(start())
        started.set()
        loop.run_forever()

    thread = threading.Thread(target=serve, name=name, daemon=True)
    thread.start()
    if not started.wait(10):
        raise RuntimeError(f"{name} did not start")
    try:
        yield
    finally:
        asyncio.run_coroutine_threadsafe(stop(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()
