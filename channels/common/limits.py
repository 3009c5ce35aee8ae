"""Limits on public intake, as the channels apply them: new conversations and photos.

A flood of fake acuut meldingen would page contractors at night, so a client IP (web
chat), a phone number (WhatsApp) or a chat (Telegram) may only start so many
conversations in a while (``MELDKAMER_NEW_CONVERSATIONS_PER_IP``, default 10 per hour;
``MELDKAMER_NEW_CONVERSATIONS_PER_SENDER``, default 5 per day; written ``AMOUNT/SECONDS``).
A message starts a conversation when the tracker has no tenant message yet, or the last
one is older than Rasa's session expiry (then Rasa starts a new session). Over the limit
the tenant reads :data:`TOO_MANY_CONVERSATIONS`, with the phone number and 112: never a
silent drop. Counts are shared in Redis when ``REDIS_URL`` is set.

Limits per IP leave out ``MELDKAMER_RATE_LIMIT_EXEMPT`` (networks, comma-separated;
default the loopback addresses, ``none`` for no exemption): behind a reverse proxy that
does not pass on the client's address every tenant would share the proxy's one address,
and one stranger could then shut the web chat for all. Configure the proxy's forwarded
header for Sanic instead; local tools and tests talk over loopback.
"""

from __future__ import annotations

import ipaddress
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from rasa.shared.core.events import UserUttered

from channels.common.bounded import Bounded
from channels.common.redis import LazyRedis
from meldkamer.attachments.quota import ConversationFacts, PhotoGate, quotas_from_env
from meldkamer.contact import EMERGENCY_PHONE, MELDKAMER_PHONE
from meldkamer.ratelimit import Clock, Limit, MemoryWindows, RateLimiter, RedisWindows, parse_limit

PER_IP_VARIABLE = "MELDKAMER_NEW_CONVERSATIONS_PER_IP"
PER_SENDER_VARIABLE = "MELDKAMER_NEW_CONVERSATIONS_PER_SENDER"
EXEMPT_VARIABLE = "MELDKAMER_RATE_LIMIT_EXEMPT"
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
LOOPBACK: tuple[Network, ...] = (
    ipaddress.ip_network("127.0.0.0/8"),
    ipaddress.ip_network("::1/128"),
)
DEFAULT_PER_IP = Limit(10, 3600)
DEFAULT_PER_SENDER = Limit(5, 24 * 3600)
#: Rasa's default session expiry, when the domain does not say (minutes in domain.yml).
DEFAULT_SESSION_SECONDS = 60 * 60.0

TOO_MANY_CONVERSATIONS = (
    "Er zijn hiervandaan in korte tijd veel nieuwe meldingen begonnen, daarom neem ik dit "
    f"bericht nu niet aan. Bel de meldkamer op {MELDKAMER_PHONE}, dan helpen we u direct. "
    f"Is er gevaar voor mensen? Bel {EMERGENCY_PHONE}."
)


def limiter_for(redis_url: str | None, clock: Clock = time.time) -> RateLimiter:
    """Counts in Redis when a URL is given (every server), else in this process."""
    client = LazyRedis(redis_url).client()
    windows = RedisWindows(client) if client is not None else MemoryWindows()
    return RateLimiter(windows, clock)


def _limit(env: Mapping[str, str], name: str, default: Limit) -> Limit:
    raw = (env.get(name) or "").strip()
    return parse_limit(raw, name) if raw else default


@dataclass
class Intake:
    """Everything a channel needs to limit public intake, built once per channel."""

    limiter: RateLimiter
    photos: PhotoGate
    per_ip: Limit = DEFAULT_PER_IP
    per_sender: Limit = DEFAULT_PER_SENDER
    exempt: tuple[Network, ...] = field(default=LOOPBACK)

    def limited_ip(self, address: str) -> str | None:
        """``address`` when limits per IP apply to it, ``None`` when it is exempt."""
        try:
            parsed = ipaddress.ip_address(address)
        except ValueError:
            return address  # not an address Sanic knows: counted under its name
        return None if any(parsed in network for network in self.exempt) else address


def _exempt(env: Mapping[str, str]) -> tuple[Network, ...]:
    raw = (env.get(EXEMPT_VARIABLE) or "").strip()
    if not raw:
        return LOOPBACK
    if raw.lower() == "none":
        return ()
    try:
        return tuple(ipaddress.ip_network(part.strip()) for part in raw.split(",") if part.strip())
    except ValueError as error:
        raise ValueError(f"{EXEMPT_VARIABLE}: {error}") from None


def intake_from_env(
    redis_url: str | None, env: Mapping[str, str] | None = None, clock: Clock = time.time
) -> Intake:
    """The limits from the environment; a badly written one is an error at start."""
    env = os.environ if env is None else env
    limiter = limiter_for(redis_url, clock)
    return Intake(
        limiter=limiter,
        photos=PhotoGate(limiter, quotas_from_env(env)),
        per_ip=_limit(env, PER_IP_VARIABLE, DEFAULT_PER_IP),
        per_sender=_limit(env, PER_SENDER_VARIABLE, DEFAULT_PER_SENDER),
        exempt=_exempt(env),
    )


class Conversations:
    """What Rasa's tracker store says about a conversation; the app is set at start."""

    def __init__(self, clock: Clock = time.time) -> None:
        self.app: Any = None
        self.clock = clock
        #: Conversations seen active here, by when: spares the tracker store a lookup.
        self._active: Bounded[float] = Bounded()

    def _agent(self) -> Any:
        return getattr(getattr(self.app, "ctx", None), "agent", None)

    def session_seconds(self) -> float:
        config = getattr(getattr(self._agent(), "domain", None), "session_config", None)
        minutes = getattr(config, "session_expiration_time", None)
        return float(minutes) * 60 if isinstance(minutes, (int, float)) else DEFAULT_SESSION_SECONDS

    async def _tracker(self, sender_id: str) -> Any:
        store = getattr(self._agent(), "tracker_store", None)
        # Without a Rasa server (a channel on its own) nothing is known: a new conversation.
        return await store.retrieve(sender_id) if store is not None else None

    async def facts(self, sender_id: str) -> ConversationFacts:
        """Whether the tenant wrote already, and whether the melding was passed on."""
        tracker = await self._tracker(sender_id)
        if tracker is None:
            return ConversationFacts(started=False, passed_on=False)
        started = tracker.get_last_event_for(UserUttered) is not None
        return ConversationFacts(started, tracker.get_slot("ticket_nummer") is not None)

    async def starts(self, sender_id: str) -> bool:
        """Whether a message now starts a (new) conversation for ``sender_id``."""
        now, window = self.clock(), self.session_seconds()
        last = self._active.get(sender_id)
        if last is None:
            tracker = await self._tracker(sender_id)
            event = tracker.get_last_event_for(UserUttered) if tracker is not None else None
            last = float(event.timestamp) if event is not None else None
        return last is None or (window > 0 and now - last > window)

    def active(self, sender_id: str) -> None:
        """The tenant's message goes to the bot now."""
        self._active.put(sender_id, self.clock())


def client_ip(request: Any) -> str:
    """The client's address as Sanic sees it (behind a proxy: per its forwarding settings)."""
    return str(request.remote_addr or request.ip or "unknown")


async def may_start(
    intake: Intake, conversations: Conversations, sender: str, key: str, limit: Limit
) -> bool:
    """False when ``sender`` would start a conversation and ``key`` is over ``limit``.

    A refused message does not reach the bot and is not counted: the next one asks again.
    """
    if await conversations.starts(sender):
        if not (await intake.limiter.take(f"start:{key}", limit)).allowed:
            return False
    conversations.active(sender)
    return True
