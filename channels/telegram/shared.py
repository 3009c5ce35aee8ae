"""State that more than one Rasa server must agree on: updates seen, long button payloads.

Each server keeps a bounded memory of its own; with ``REDIS_URL`` Redis is asked too, so
an update that reaches two servers (Telegram retrying after a timeout) is handled once
and a button sent by one server works when its press reaches another. When Redis is
away the memory alone decides: a rare double answer beats no answer.
"""

from __future__ import annotations

import asyncio
import hashlib
from typing import Any, Protocol

from channels.common.bounded import Bounded
from channels.telegram.logs import logger

#: Telegram's limit on an inline button's callback_data.
CALLBACK_DATA_BYTES = 64
#: Marks callback data that stands for a longer payload kept here.
LONG_PAYLOAD_PREFIX = "~p:"


class KeyValue(Protocol):
    """The two Redis commands used (redis.asyncio.Redis has them)."""

    async def set(self, name: str, value: str, ex: int | None = None, nx: bool = False) -> Any: ...

    async def get(self, name: str) -> Any: ...


# Redis errors are ConnectionError/TimeoutError subclasses of redis.exceptions.RedisError;
# OSError covers a refused socket before redis wraps it.
def _redis_errors() -> tuple[type[BaseException], ...]:
    from redis.exceptions import RedisError

    return (RedisError, OSError, asyncio.TimeoutError)


class RecentUpdates:
    """Which update ids were handled already (Telegram may deliver one more than once)."""

    def __init__(
        self,
        namespace: str,
        *,
        capacity: int = 10_000,
        redis: KeyValue | None = None,
        ttl_seconds: int = 24 * 3600,
    ) -> None:
        self.namespace = namespace
        self.redis = redis
        self.ttl_seconds = ttl_seconds
        self._seen: Bounded[str] = Bounded(capacity)

    async def first_time(self, update_id: int) -> bool:
        """True exactly once per update id (per server, and across servers with Redis)."""
        key = f"meldkamer:telegram:{self.namespace}:update:{update_id}"
        if key in self._seen:
            return False
        self._seen.put(key, "1")
        if self.redis is None:
            return True
        try:
            return bool(await self.redis.set(key, "1", ex=self.ttl_seconds, nx=True))
        except _redis_errors() as error:
            logger.warning("Redis not reachable for Telegram de-duplication: %s", error)
            return True


class CallbackPayloads:
    """Button payloads as callback data, with a short stand-in for ones over 64 bytes.

    All payloads of domain.yml and the triage questions fit (tests/channels checks);
    the stand-in keeps a longer one from breaking the whole message.
    """

    def __init__(
        self,
        *,
        capacity: int = 5_000,
        redis: KeyValue | None = None,
        ttl_seconds: int = 30 * 24 * 3600,
    ) -> None:
        self.redis = redis
        self.ttl_seconds = ttl_seconds
        self._long: Bounded[str] = Bounded(capacity)

    @staticmethod
    def fits(payload: str) -> bool:
        """Whether ``payload`` can be the callback data itself."""
        return len(payload.encode()) <= CALLBACK_DATA_BYTES and not payload.startswith(
            LONG_PAYLOAD_PREFIX
        )

    @staticmethod
    def _key(short: str) -> str:
        return f"meldkamer:telegram:payload:{short}"

    async def encode(self, payload: str) -> str:
        """The callback data for ``payload``."""
        if self.fits(payload):
            return payload
        # Derived from the payload, so every server makes the same stand-in for it.
        short = LONG_PAYLOAD_PREFIX + hashlib.sha256(payload.encode()).hexdigest()[:32]
        self._long.put(short, payload)
        if self.redis is not None:
            try:
                await self.redis.set(self._key(short), payload, ex=self.ttl_seconds)
            except _redis_errors() as error:
                logger.warning("Redis not reachable to keep a long button payload: %s", error)
        return short

    async def decode(self, data: str) -> str | None:
        """The payload for callback data; ``None`` for a stand-in nobody remembers."""
        if not data.startswith(LONG_PAYLOAD_PREFIX):
            return data
        payload = self._long.get(data)
        if payload is None and self.redis is not None:
            try:
                found = await self.redis.get(self._key(data))
            except _redis_errors() as error:
                logger.warning("Redis not reachable to look up a button payload: %s", error)
                return None
            payload = found.decode() if isinstance(found, bytes) else found
        return payload if isinstance(payload, str) else None
