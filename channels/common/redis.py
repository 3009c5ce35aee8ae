"""One lazily opened Redis client per owner, on a bounded, blocking connection pool.

Web chat event streams block on XREAD, Telegram and WhatsApp keep their de-duplication
in Redis, and Rasa's lock store uses the same server: a client without a limit would
open one connection per waiting stream until Redis refuses new ones and the locks go
with them. Here a command waits up to :data:`DEFAULT_POOL_TIMEOUT` seconds for a free
connection of a pool of at most ``MELDKAMER_REDIS_MAX_CONNECTIONS``; nothing is
imported or connected until the first command.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

#: Connections per pool (per channel and per Rasa server); small on purpose.
DEFAULT_MAX_CONNECTIONS = 8
#: Seconds a command waits for a free connection before it fails.
DEFAULT_POOL_TIMEOUT = 5.0
MAX_CONNECTIONS_VARIABLE = "MELDKAMER_REDIS_MAX_CONNECTIONS"


@dataclass(frozen=True)
class PoolSettings:
    """How big a pool may get and how long a command waits for a connection."""

    max_connections: int = DEFAULT_MAX_CONNECTIONS
    timeout: float = DEFAULT_POOL_TIMEOUT


def pool_settings(env: Mapping[str, str] | None = None) -> PoolSettings:
    """The pool size from ``MELDKAMER_REDIS_MAX_CONNECTIONS``; a bad value is an error."""
    env = os.environ if env is None else env
    raw = (env.get(MAX_CONNECTIONS_VARIABLE) or "").strip()
    if not raw:
        return PoolSettings()
    try:
        size = int(raw)
    except ValueError:
        raise ValueError(f"{MAX_CONNECTIONS_VARIABLE} is {raw!r}; give a whole number") from None
    if size < 2:
        raise ValueError(f"{MAX_CONNECTIONS_VARIABLE} is {size}; at least 2 are needed")
    return PoolSettings(max_connections=size)


class LazyRedis:
    """A ``redis.asyncio.Redis`` made on first use; ``None`` without a URL."""

    def __init__(self, url: str | None, settings: PoolSettings | None = None) -> None:
        self.url = url
        self.settings = settings or pool_settings()
        self._client: Any = None

    @property
    def max_connections(self) -> int:
        return self.settings.max_connections

    def client(self) -> Any:
        """The client (created now if needed), or ``None`` when no URL is configured."""
        if self._client is None and self.url:
            from redis import asyncio as aioredis

            pool = aioredis.BlockingConnectionPool.from_url(
                self.url,
                max_connections=self.settings.max_connections,
                timeout=self.settings.timeout,
                decode_responses=True,
            )
            self._client = aioredis.Redis(connection_pool=pool)
        return self._client

    def connections(self) -> int:
        """Connections the pool opened so far (for tests and health)."""
        if self._client is None:
            return 0
        # The blocking pool keeps every connection it made in ``_connections``.
        return len(self._client.connection_pool._connections)

    async def close(self) -> None:
        """Close the client and its pool; the next command opens a new one."""
        client, self._client = self._client, None
        if client is not None:
            await client.close()
            await client.connection_pool.disconnect()
