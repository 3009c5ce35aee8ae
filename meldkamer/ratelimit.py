"""Sliding-window limits: how much of something a key may use within a window of time.

A key (a client IP, a phone number, a conversation) may use ``amount`` units (a new
conversation, a photo, its bytes) within any ``window`` seconds. The limiter is pure
logic on an injected clock; the windows live in memory (one server) or in Redis (every
server sees the same counts). When Redis is away the memory decides, with a warning: a
limit that briefly counts per server beats refusing tenants.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

logger = logging.getLogger(__name__)

Clock = Callable[[], float]
#: Keys kept in memory; the least recently used go first (their windows are old anyway).
MAX_KEYS = 50_000
_LIMIT = re.compile(r"^\s*(\d{1,9})\s*/\s*(\d{1,9})\s*$")


@dataclass(frozen=True)
class Limit:
    """At most ``amount`` units within any ``window`` seconds."""

    amount: int
    window: float


@dataclass(frozen=True)
class Decision:
    """Whether the use was allowed (and counted), what is used, when to try again."""

    allowed: bool
    used: int
    retry_after: float = 0.0


def parse_limit(text: str, name: str) -> Limit:
    """A limit written ``AMOUNT/SECONDS`` (``10/3600``); ValueError naming ``name``."""
    found = _LIMIT.match(text)
    if not found or int(found.group(2)) == 0:
        raise ValueError(f"{name} is {text!r}; write it as AMOUNT/SECONDS, e.g. 10/3600")
    return Limit(int(found.group(1)), float(found.group(2)))


class Windows(Protocol):
    """Where the windows are kept."""

    async def take(self, key: str, now: float, limit: Limit, weight: int) -> Decision:
        """Count ``weight`` for ``key`` at ``now`` if it fits in ``limit``."""
        ...


class MemoryWindows:
    """Windows of one process."""

    def __init__(self, max_keys: int = MAX_KEYS) -> None:
        self.max_keys = max_keys
        self._uses: dict[str, deque[tuple[float, int]]] = {}

    async def take(self, key: str, now: float, limit: Limit, weight: int) -> Decision:
        uses = self._uses.pop(key, None) or deque()
        self._uses[key] = uses  # re-inserted: the most recently used key is the last
        while uses and uses[0][0] <= now - limit.window:
            uses.popleft()
        used = sum(amount for _, amount in uses)
        if used + weight > limit.amount:
            oldest = uses[0][0] if uses else now
            return Decision(False, used, max(0.0, oldest + limit.window - now))
        uses.append((now, weight))
        while len(self._uses) > self.max_keys:
            del self._uses[next(iter(self._uses))]
        return Decision(True, used + weight)


# A sorted set per key: members "<weight>:<uuid>" scored by time; expired ones go first.
_TAKE = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', tonumber(ARGV[1]) - tonumber(ARGV[2]))
local entries = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
local used, oldest = 0, ARGV[1]
for i = 1, #entries, 2 do
  used = used + tonumber(string.match(entries[i], '^(%d+):'))
  if i == 1 then oldest = entries[i + 1] end
end
if used + tonumber(ARGV[4]) > tonumber(ARGV[3]) then return {0, used, oldest} end
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[4] .. ':' .. ARGV[5])
redis.call('PEXPIRE', KEYS[1], math.ceil(tonumber(ARGV[2]) * 1000))
return {1, used + tonumber(ARGV[4]), oldest}
"""


class RedisWindows:
    """Windows shared by every server, in Redis; ``client`` is a ``redis.asyncio.Redis``."""

    def __init__(self, client: Any, prefix: str = "meldkamer:limit") -> None:
        self.client = client
        self.prefix = prefix
        self.fallback = MemoryWindows()

    async def take(self, key: str, now: float, limit: Limit, weight: int) -> Decision:
        args = (repr(now), repr(limit.window), limit.amount, weight, uuid.uuid4().hex)
        try:
            allowed, used, oldest = await self.client.eval(_TAKE, 1, f"{self.prefix}:{key}", *args)
        except Exception as error:  # any Redis trouble: count in memory meanwhile
            logger.warning("rate limits: Redis unavailable (%s); counting in memory", error)
            return await self.fallback.take(key, now, limit, weight)
        if allowed:
            return Decision(True, int(used))
        return Decision(False, int(used), max(0.0, float(oldest) + limit.window - now))


class RateLimiter:
    """Sliding-window limits on an injected clock."""

    def __init__(self, windows: Windows, clock: Clock) -> None:
        self.windows = windows
        self.clock = clock

    async def take(self, key: str, limit: Limit, weight: int = 1) -> Decision:
        """Count ``weight`` for ``key`` if it fits; a refused use is not counted."""
        if weight < 0:
            raise ValueError("a use cannot weigh less than nothing")
        return await self.windows.take(key, self.clock(), limit, weight)
