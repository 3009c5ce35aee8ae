"""Rate limits: a sliding window on a moved clock, in memory and shared through Redis."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

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
    # The test talks over loopback, which is exempt from limits per IP by default.
    gate = PhotoGate(limiter, PhotoQuotas())
    intake = Intake(limiter, gate, per_ip=Limit(2, 3600), exempt=())
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


def test_limits_from_the_environment_and_the_exempt_networks() -> None:
    from channels.common.limits import DEFAULT_PER_IP, intake_from_env

    intake = intake_from_env(None, {"MELDKAMER_NEW_CONVERSATIONS_PER_SENDER": "3/600"})
    assert intake.per_ip == DEFAULT_PER_IP and intake.per_sender == Limit(3, 600)
    assert intake.limited_ip("127.0.0.1") is None and intake.limited_ip("::1") is None
    assert intake.limited_ip("203.0.113.9") == "203.0.113.9"
    office = intake_from_env(None, {"MELDKAMER_RATE_LIMIT_EXEMPT": "10.1.0.0/16"})
    assert office.limited_ip("10.1.2.3") is None and office.limited_ip("127.0.0.1") == "127.0.0.1"
    strict = intake_from_env(None, {"MELDKAMER_RATE_LIMIT_EXEMPT": "none"})
    assert strict.limited_ip("127.0.0.1") == "127.0.0.1"
    with pytest.raises(ValueError, match="MELDKAMER_RATE_LIMIT_EXEMPT"):
        intake_from_env(None, {"MELDKAMER_RATE_LIMIT_EXEMPT": "kantoor"})
    with pytest.raises(ValueError, match="MELDKAMER_NEW_CONVERSATIONS_PER_IP"):
        intake_from_env(None, {"MELDKAMER_NEW_CONVERSATIONS_PER_IP": "veel"})


# --- new conversations per phone number (WhatsApp) and per chat (Telegram) ------------------

HOURS = 3600.0


def sender_intake(clock: Clock, per_sender: Limit) -> Any:
    from channels.common.limits import Intake
    from meldkamer.attachments.quota import PhotoGate, PhotoQuotas

    limiter = RateLimiter(MemoryWindows(), clock)
    return Intake(limiter, PhotoGate(limiter, PhotoQuotas()), per_sender=per_sender)


async def test_new_whatsapp_conversations_per_phone_number_are_limited() -> None:
    import json

    from rasa.core.channels.channel import UserMessage

    from channels.common.limits import TOO_MANY_CONVERSATIONS
    from channels.whatsapp import WhatsAppInput
    from channels.whatsapp.webhook import sign
    from tests.channels.test_whatsapp import settings
    from tests.fakes import graph_api as fake

    received: list[str] = []

    async def bot(message: UserMessage) -> None:
        received.append(message.text or "")
        await message.output_channel.send_response(message.sender_id, {"text": "Dank u."})

    clock = Clock()
    wa_id = "31611112222"
    with fake.running_graph_api() as graph:
        graph.clock = clock
        meta = fake.MetaWebhooks(graph=graph)
        channel = WhatsAppInput(
            settings(graph.url), clock=clock, intake=sender_intake(clock, Limit(2, 86400))
        )

        async def write(text: str) -> None:
            body = json.dumps(meta.text(wa_id, text, timestamp=clock.now)).encode()
            assert (await channel.receive(body, sign(fake.APP_SECRET, body), bot))[0] == 200
            await channel.drain(10)

        try:
            await write("er is brand")  # a conversation starts
            await write("in de keuken")  # the same conversation
            clock.now += 3 * HOURS  # the session expired: the next message starts anew
            await write("weer brand")
            clock.now += 3 * HOURS
            await write("nog een keer brand")
            assert received == ["er is brand", "in de keuken", "weer brand"]
            told = [m["text"]["body"] for m in graph.sent(wa_id)]
            assert told[-1] == TOO_MANY_CONVERSATIONS
            clock.now += 24 * HOURS
            await write("lekkage")
            assert received[-1] == "lekkage"
        finally:
            await channel.close()


async def test_new_telegram_conversations_per_chat_are_limited() -> None:
    import json

    from rasa.core.channels.channel import UserMessage

    from channels.common.limits import TOO_MANY_CONVERSATIONS, Conversations
    from channels.telegram.service import TelegramService
    from channels.telegram.settings import TelegramSettings
    from tests.fakes.telegram_api import FakeTelegram, text_update

    received: list[str] = []

    async def bot(message: UserMessage) -> None:
        received.append(message.text or "")

    clock = Clock()
    chat = 777001
    async with FakeTelegram().running() as telegram:
        service = TelegramService(
            TelegramSettings(
                token=telegram.token,
                webhook_secret="geheim",
                api_url=telegram.api_url,
                file_url=telegram.file_url,
            )
        )
        await service.start(bot)
        assert service.handler is not None
        service.handler.intake = sender_intake(clock, Limit(1, 86400))
        service.handler.conversations = Conversations(clock)
        try:
            for update_id, text in enumerate(["gaslucht", "sterk"], start=1):
                body = json.dumps(text_update(update_id, chat, text)).encode()
                assert (await service.receive("geheim", body))[0] == 200
            clock.now += 3 * HOURS
            body = json.dumps(text_update(3, chat, "weer gaslucht")).encode()
            assert (await service.receive("geheim", body))[0] == 200
            await service.stop()
            assert received == ["gaslucht", "sterk"]
            assert [m["text"] for m in telegram.sent(chat)] == [TOO_MANY_CONVERSATIONS]
        finally:
            await service.close()
