"""Rate limits: a sliding window on a moved clock, in memory and shared through Redis."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest

from meldkamer.ratelimit import (
    Limit,
    MemoryWindows,
    RateLimiter,
    RedisWindows,
    Windows,
    parse_limit,
)

REDIS_URL = "redis://127.0.0.1:6379/0"


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["memory", "redis"])
async def windows(request: pytest.FixtureRequest) -> AsyncIterator[Windows]:
    if request.param == "memory":
        yield MemoryWindows()
        return
    from redis import asyncio as aioredis

    client = aioredis.Redis.from_url(REDIS_URL, decode_responses=True)
    yield RedisWindows(client, prefix=f"test:{uuid.uuid4().hex}")
    await client.close()


async def test_the_window_slides_with_the_clock(windows: Windows) -> None:
    clock = Clock()
    limiter = RateLimiter(windows, clock)
    hour = Limit(3, 3600)
    assert [(await limiter.take("ip:1", hour)).allowed for _ in range(3)] == [True] * 3
    clock.now += 1000
    refused = await limiter.take("ip:1", hour)
    assert not refused.allowed and refused.used == 3
    assert refused.retry_after == pytest.approx(2600)
    assert (await limiter.take("ip:2", hour)).allowed  # another key has its own window
    clock.now += 2600  # the first three fall out of the window
    assert (await limiter.take("ip:1", hour)).allowed
    assert (await limiter.take("ip:1", hour)).used == 2


async def test_weights_count_and_a_refused_use_is_not_counted(windows: Windows) -> None:
    limiter = RateLimiter(windows, Clock())
    volume = Limit(10, 60)
    assert (await limiter.take("bytes", volume, 7)).allowed
    assert not (await limiter.take("bytes", volume, 4)).allowed
    assert (await limiter.take("bytes", volume, 3)).used == 10


async def test_two_servers_share_the_count_through_redis() -> None:
    from redis import asyncio as aioredis

    clients = [aioredis.Redis.from_url(REDIS_URL, decode_responses=True) for _ in range(2)]
    prefix = f"test:{uuid.uuid4().hex}"
    clock = Clock()
    try:
        first, second = (RateLimiter(RedisWindows(c, prefix=prefix), clock) for c in clients)
        limit = Limit(2, 60)
        assert (await first.take("wa:31600000001", limit)).allowed
        assert (await second.take("wa:31600000001", limit)).allowed
        assert not (await first.take("wa:31600000001", limit)).allowed
    finally:
        for client in clients:
            await client.close()


async def test_redis_away_counts_in_memory(caplog: pytest.LogCaptureFixture) -> None:
    from redis import asyncio as aioredis

    client = aioredis.Redis.from_url("redis://127.0.0.1:9/0", socket_connect_timeout=1)
    limiter = RateLimiter(RedisWindows(client), Clock())
    try:
        assert (await limiter.take("k", Limit(1, 60))).allowed
        assert not (await limiter.take("k", Limit(1, 60))).allowed
    finally:
        await client.close()
    assert "Redis unavailable" in caplog.text


def test_memory_forgets_the_least_recently_used_keys() -> None:
    import asyncio

    windows = MemoryWindows(max_keys=2)
    limit = Limit(1, 60)
    for key in ("a", "b", "c"):
        assert asyncio.run(windows.take(key, 0.0, limit, 1)).allowed
    # "a" was forgotten: it may be used again; "c" is still counted.
    assert asyncio.run(windows.take("a", 1.0, limit, 1)).allowed
    assert not asyncio.run(windows.take("c", 1.0, limit, 1)).allowed


@pytest.mark.parametrize(
    ("text", "limit"), [("10/3600", Limit(10, 3600)), (" 5 / 86400 ", Limit(5, 86400))]
)
def test_limits_are_written_amount_per_seconds(text: str, limit: Limit) -> None:
    assert parse_limit(text, "X") == limit


@pytest.mark.parametrize("text", ["10", "tien/3600", "10/0", "-1/60", "10/uur"])
def test_a_badly_written_limit_is_a_clear_error(text: str) -> None:
    with pytest.raises(ValueError, match="MELDKAMER_X is .*AMOUNT/SECONDS"):
        parse_limit(text, "MELDKAMER_X")


# --- new conversations in the web chat, per client IP --------------------------------------


async def test_new_web_chat_conversations_per_ip_are_limited_and_told_why() -> None:
    import aiohttp

    from channels.bus import MemoryBus
    from channels.common.limits import TOO_MANY_CONVERSATIONS, Conversations, Intake
    from channels.webchat import WebchatInput
    from meldkamer.attachments.quota import PhotoGate, PhotoQuotas
    from tests.channels.sanic_server import serving

    clock = Clock()
    limiter = RateLimiter(MemoryWindows(), clock)
    intake = Intake(limiter, PhotoGate(limiter, PhotoQuotas()), per_ip=Limit(2, 3600))
    channel = WebchatInput(MemoryBus(), intake=intake, conversations=Conversations(clock))

    async def say(url: str, session_id: str) -> tuple[int, dict[str, str]]:
        async with aiohttp.ClientSession() as client:
            body = {"session_id": session_id, "text": "gaslucht in de hal"}
            async with client.post(f"{url}/message", json=body) as reply:
                return reply.status, await reply.json()

    sessions = [f"web-{uuid.uuid4().hex}" for _ in range(4)]
    async with serving(channel, "webchat") as (url, bot):
        assert (await say(url, sessions[0]))[0] == 200
        assert (await say(url, sessions[1]))[0] == 200
        assert await say(url, sessions[2]) == (429, {"error": TOO_MANY_CONVERSATIONS})
        # Conversations already going are not hindered.
        assert (await say(url, sessions[0]))[0] == 200
        assert [m.sender_id for m in bot.received] == [sessions[0], sessions[1], sessions[0]]
        clock.now += 3601
        assert (await say(url, sessions[3]))[0] == 200
    assert "088-3746100" in TOO_MANY_CONVERSATIONS and "112" in TOO_MANY_CONVERSATIONS
