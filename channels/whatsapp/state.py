"""What the channel remembers between messages, in memory and, with REDIS_URL, in Redis.

* which message ids were handled, so Meta's retries and duplicates are handled once;
* when each tenant last wrote, for WhatsApp's 24-hour customer-service window;
* the numbered choices a tenant may answer with a number;
* payloads too long to be a reply id, by their token.

Memory alone serves one Rasa server. With Redis every server sees the same state, so a
retry that lands on another server is still recognised; if Redis is away the channel
keeps going on its memory and logs a warning.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from channels.common.bounded import Bounded
from channels.common.redis import LazyRedis

logger = logging.getLogger(__name__)

#: Meta retries an unanswered webhook for up to seven days.
SEEN_SECONDS = 7 * 24 * 3600
#: Past the window only a template may be sent, so older times need not be kept long.
INBOUND_SECONDS = 3 * 24 * 3600
CHOICES_SECONDS = 24 * 3600
PAYLOAD_SECONDS = 30 * 24 * 3600
#: Entries kept in memory per kind; the oldest go first.
MAX_ITEMS = 10_000
_PREFIX = "meldkamer:whatsapp"
_NUMBER = re.compile(r"^\s*(\d{1,3})\s*[.)]?\s*$")

#: What :meth:`ChannelState._call` answers without Redis (or with Redis away).
UNAVAILABLE: Any = object()


class ChannelState:
    """Memory first, Redis (when configured) for what other servers did."""

    def __init__(self, redis_url: str | None = None, size: int = MAX_ITEMS) -> None:
        self.redis_url = redis_url
        # Opened on first use, on a bounded pool: nothing is connected at import or start.
        self.redis = LazyRedis(redis_url)
        self._seen: Bounded[bool] = Bounded(size)
        self._inbound: Bounded[float] = Bounded(size)
        self._choices: Bounded[list[str]] = Bounded(size)
        self._payloads: Bounded[str] = Bounded(size)

    async def _call(self, what: str, method: str, *args: Any, **kwargs: Any) -> Any:
        """A Redis command's answer; :data:`UNAVAILABLE` without Redis or when it fails."""
        client = self.redis.client()
        if client is None:
            return UNAVAILABLE
        try:
            return await getattr(client, method)(*args, **kwargs)
        except Exception as error:  # any Redis trouble: carry on from memory
            logger.warning("WhatsApp: Redis unavailable for %s (%s); using memory", what, error)
            return UNAVAILABLE

    async def first_time(self, message_id: str) -> bool:
        """True the first time ``message_id`` is seen, by this server or (with Redis) any."""
        if message_id in self._seen:
            return False
        # Marked before any await, so a duplicate arriving meanwhile is refused here too.
        self._seen.put(message_id, True)
        claimed = await self._call(
            "dedupe", "set", f"{_PREFIX}:seen:{message_id}", "1", nx=True, ex=SEEN_SECONDS
        )
        # SET NX answers None when another server set the key first; without Redis
        # (or with Redis away) memory alone decides.
        return claimed is UNAVAILABLE or bool(claimed)

    async def note_inbound(self, wa_id: str, at: float) -> None:
        """The tenant wrote at ``at`` (epoch seconds); the later of this and what was known."""
        known = await self.last_inbound(wa_id)
        latest = max(at, known or at)
        self._inbound.put(wa_id, latest)
        await self._call(
            "window", "set", f"{_PREFIX}:inbound:{wa_id}", repr(latest), ex=INBOUND_SECONDS
        )

    async def last_inbound(self, wa_id: str) -> float | None:
        """When the tenant last wrote, or ``None`` when not known."""
        stored = await self._call("window", "get", f"{_PREFIX}:inbound:{wa_id}")
        values = [v for v in (self._inbound.get(wa_id), _float(stored)) if v is not None]
        return max(values) if values else None

    async def remember_choices(self, wa_id: str, payloads: list[str]) -> None:
        """The payloads of a numbered list sent to the tenant (number 1 is the first)."""
        self._choices.put(wa_id, list(payloads))
        await self._call(
            "choices", "set", f"{_PREFIX}:choices:{wa_id}", json.dumps(payloads), ex=CHOICES_SECONDS
        )

    async def take_choice(self, wa_id: str, answer: str) -> str | None:
        """The payload when ``answer`` is the number of a choice; the list is used up either way.

        The numbers refer to the last list only for the tenant's next text, so a number
        typed later (a house number, a phone number) is never mistaken for a choice.
        """
        key = f"{_PREFIX}:choices:{wa_id}"
        payloads = self._choices.pop(wa_id)
        stored = await self._call("choices", "get", key)
        if stored is not UNAVAILABLE:
            # Redis has the last word: another server may have sent a newer list.
            payloads = _string_list(stored) if isinstance(stored, str) else None
            if stored is not None:
                await self._call("choices", "delete", key)
        match = _NUMBER.match(answer)
        if not payloads or not match:
            return None
        number = int(match.group(1))
        return payloads[number - 1] if 1 <= number <= len(payloads) else None

    async def remember_payload(self, token: str, payload: str) -> None:
        """Keep the payload a reply-id token stands for."""
        self._payloads.put(token, payload)
        await self._call(
            "payloads", "set", f"{_PREFIX}:payload:{token}", payload, ex=PAYLOAD_SECONDS
        )

    async def payload_for(self, token: str) -> str | None:
        """The payload a token stands for, or ``None`` when it is not known (any more)."""
        known = self._payloads.get(token)
        if known is not None:
            return known
        stored = await self._call("payloads", "get", f"{_PREFIX}:payload:{token}")
        return stored if isinstance(stored, str) else None

    async def close(self) -> None:
        """Release the Redis connections."""
        try:
            await self.redis.close()
        except Exception as error:  # closing a pool whose server went away
            logger.warning("WhatsApp: Redis not closed cleanly (%s)", error)


def _float(value: Any) -> float | None:
    if not isinstance(value, str):
        return None
    try:
        return float(value)
    except ValueError:
        return None


def _string_list(raw: str) -> list[str] | None:
    try:
        value = json.loads(raw)
    except ValueError:
        return None
    return [str(v) for v in value] if isinstance(value, list) else None
