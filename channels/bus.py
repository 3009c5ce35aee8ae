"""Per-conversation message streams for the web chat.

Every message of a web chat conversation (the tenant's, the bot's, an agent's) is
appended to the conversation's stream; the browser reads the stream from where it was.
That gives two things Rasa's socket.io channel cannot: the history after a page reload,
and delivery of messages that do not come from the bot (an agent's reply, sent through
Rasa's HTTP API on whichever server) to a browser connected to any server.

With ``REDIS_URL`` the stream is a Redis stream shared by all Rasa servers; without it
an in-memory stream serves a single server (the newcomer's default).
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections import defaultdict
from collections.abc import Mapping
from typing import Any, Protocol

from channels.common.redis import LazyRedis

#: Messages kept per conversation; a melding takes about 20.
MAX_MESSAGES = 500
#: A conversation's stream is kept this long after its last message.
RETENTION_SECONDS = 7 * 24 * 3600
#: How often a stream without a blocking slot asks Redis for new messages.
POLL_SECONDS = 1.0

Entry = tuple[str, dict[str, Any]]


class MessageBus(Protocol):
    """Append-only message streams, one per conversation."""

    async def publish(self, conversation_id: str, message: dict[str, Any]) -> str:
        """Append a message; returns its id in the stream."""
        ...

    async def read(self, conversation_id: str, after: str | None, wait: float) -> list[Entry]:
        """Messages after ``after`` (all when ``None``), waiting up to ``wait`` s for one."""
        ...

    async def close(self) -> None:
        """Release connections."""
        ...


class MemoryBus:
    """A bus for one server process."""

    def __init__(self) -> None:
        self._streams: dict[str, list[Entry]] = defaultdict(list)
        self._changed = asyncio.Condition()
        self._counter = 0

    async def publish(self, conversation_id: str, message: dict[str, Any]) -> str:
        async with self._changed:
            self._counter += 1
            entry_id = f"{self._counter}-0"
            stream = self._streams[conversation_id]
            stream.append((entry_id, message))
            del stream[:-MAX_MESSAGES]
            self._changed.notify_all()
            return entry_id

    def _after(self, conversation_id: str, after: str | None) -> list[Entry]:
        stream = self._streams.get(conversation_id, [])
        if after is None:
            return list(stream)
        number = _sequence(after)
        return [entry for entry in stream if _sequence(entry[0]) > number]

    async def read(self, conversation_id: str, after: str | None, wait: float) -> list[Entry]:
        async with self._changed:
            entries = self._after(conversation_id, after)
            if entries or wait <= 0:
                return entries
            try:
                await asyncio.wait_for(
                    self._changed.wait_for(lambda: bool(self._after(conversation_id, after))), wait
                )
            except asyncio.TimeoutError:
                return []
            return self._after(conversation_id, after)

    async def close(self) -> None:
        return None


class RedisBus:
    """A bus shared by every server, on Redis streams, with a bounded connection pool.

    Each waiting browser would hold a connection for its blocking XREAD; at most
    ``max_connections - 2`` do (two stay free for publishing), the others poll without
    blocking every :data:`POLL_SECONDS` until a blocking slot is free again.
    """

    def __init__(self, url: str, *, poll_seconds: float = POLL_SECONDS) -> None:
        self.redis = LazyRedis(url)
        self.poll_seconds = poll_seconds
        self._blocking = asyncio.Semaphore(max(1, self.redis.max_connections - 2))

    @staticmethod
    def _key(conversation_id: str) -> str:
        return f"meldkamer:webchat:{conversation_id}"

    async def publish(self, conversation_id: str, message: dict[str, Any]) -> str:
        key = self._key(conversation_id)
        client = self.redis.client()
        entry_id = await client.xadd(
            key, {"m": json.dumps(message)}, maxlen=MAX_MESSAGES, approximate=True
        )
        await client.expire(key, RETENTION_SECONDS)
        return str(entry_id)

    async def read(self, conversation_id: str, after: str | None, wait: float) -> list[Entry]:
        key = self._key(conversation_id)
        if after is None:
            rows = await self.redis.client().xrange(key, "-", "+")
            if rows or wait <= 0:
                return [(entry_id, json.loads(fields["m"])) for entry_id, fields in rows]
            after = "0-0"
        if wait <= 0:
            return await self._xread(key, after, None)
        if self._blocking.locked():
            return await self._poll(key, after, wait)
        async with self._blocking:
            return await self._xread(key, after, max(1, int(wait * 1000)))

    async def _poll(self, key: str, after: str, wait: float) -> list[Entry]:
        """Read without holding a connection while waiting (all blocking slots are taken)."""
        deadline = time.monotonic() + wait
        while True:
            entries = await self._xread(key, after, None)
            remaining = deadline - time.monotonic()
            if entries or remaining <= 0:
                return entries
            await asyncio.sleep(min(self.poll_seconds, remaining))

    async def _xread(self, key: str, after: str, block: int | None) -> list[Entry]:
        result = await self.redis.client().xread({key: after}, block=block)
        return [
            (entry_id, json.loads(fields["m"])) for _, rows in result for entry_id, fields in rows
        ]

    async def close(self) -> None:
        await self.redis.close()


def bus_from_env(env: Mapping[str, str] | None = None) -> MessageBus:
    """A Redis bus when ``REDIS_URL`` is set, else an in-memory one."""
    env = os.environ if env is None else env
    url = env.get("REDIS_URL")
    return RedisBus(url) if url else MemoryBus()


def _sequence(entry_id: str) -> int:
    try:
        return int(entry_id.split("-", 1)[0])
    except ValueError:
        return 0
