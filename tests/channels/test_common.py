"""What the channels share: the bounded memory, the bounded Redis pool, the background tasks."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from channels.bus import RedisBus
from channels.common.background import Background
from channels.common.bounded import Bounded
from channels.common.redis import LazyRedis, PoolSettings, pool_settings

REDIS_URL = "redis://127.0.0.1:6379/0"


def test_bounded_forgets_the_oldest_and_refreshes_on_put() -> None:
    seen: Bounded[int] = Bounded(2)
    seen.put("a", 1)
    seen.put("b", 2)
    seen.put("a", 3)  # "a" is now the newest
    seen.put("c", 4)
    assert "b" not in seen and seen.get("a") == 3 and seen.get("c") == 4 and len(seen) == 2
    assert seen.pop("a") == 3 and seen.pop("a") is None
    with pytest.raises(ValueError):
        Bounded(0)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(None, PoolSettings().max_connections), ("", 8), (" 3 ", 3)],
)
def test_pool_size_from_the_environment(raw: str | None, expected: int) -> None:
    env = {} if raw is None else {"MELDKAMER_REDIS_MAX_CONNECTIONS": raw}
    assert pool_settings(env).max_connections == expected


@pytest.mark.parametrize("raw", ["veel", "1", "-4"])
def test_a_bad_pool_size_is_a_clear_error(raw: str) -> None:
    with pytest.raises(ValueError, match="MELDKAMER_REDIS_MAX_CONNECTIONS"):
        pool_settings({"MELDKAMER_REDIS_MAX_CONNECTIONS": raw})


def test_nothing_is_opened_without_a_url_or_before_first_use() -> None:
    assert LazyRedis(None).client() is None
    lazy = LazyRedis(REDIS_URL)
    assert lazy.connections() == 0


async def test_many_event_streams_share_a_bounded_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    """40 browsers waiting at once open at most the pool's connections, and all get the message."""
    monkeypatch.setenv("MELDKAMER_REDIS_MAX_CONNECTIONS", "4")
    bus = RedisBus(REDIS_URL, poll_seconds=0.05)
    conversation = f"web-{uuid.uuid4().hex}"
    try:
        first = await bus.publish(conversation, {"text": "welkom"})
        readers = [asyncio.ensure_future(bus.read(conversation, first, wait=10)) for _ in range(40)]
        while not bus._blocking.locked():  # every blocking slot taken: the rest must poll
            await asyncio.sleep(0)
        second = await bus.publish(conversation, {"text": "een agent antwoordt"})
        results = await asyncio.wait_for(asyncio.gather(*readers), timeout=20)
        assert all(entries == [(second, {"text": "een agent antwoordt"})] for entries in results)
        assert 1 <= bus.redis.connections() <= 4
    finally:
        await bus.close()


async def test_background_keeps_its_tasks_until_done_and_drains_them() -> None:
    background = Background()
    release = asyncio.Event()
    done: list[str] = []

    async def turn(name: str) -> None:
        await release.wait()
        done.append(name)

    background.spawn(turn("a"))
    background.spawn(turn("b"))
    await asyncio.sleep(0)
    assert len(background) == 2 and len(list(background)) == 2
    await background.drain(0.01)  # nothing finished: the timeout ends the wait
    assert done == [] and len(background) == 2
    release.set()
    await background.drain()
    assert sorted(done) == ["a", "b"] and len(background) == 0
    await background.drain()  # nothing left: returns at once


async def test_background_cancels_what_is_late_only_when_asked() -> None:
    background = Background()

    async def forever() -> None:
        await asyncio.Event().wait()

    stuck = background.spawn(forever())
    await background.drain(0.01)
    assert not stuck.cancelled()
    await background.drain(0.01, cancel_late=True)
    with pytest.raises(asyncio.CancelledError):
        await stuck
    await asyncio.sleep(0)  # the done callback runs in the loop's next round
    assert stuck.cancelled() and len(background) == 0
