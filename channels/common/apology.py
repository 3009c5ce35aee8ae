"""When the action server does not answer, the tenant hears an apology, not silence.

Rasa sends nothing when a custom action fails: a tenant whose message reached the bot
while the action server was down would wait for an answer that never comes. Every
channel counts what the bot sent in a turn; when it sent nothing and the action
server does not answer its health check within :data:`HEALTH_TIMEOUT` seconds, the
channel sends :data:`APOLOGY`. What the tenant told before is kept in the tracker; the
next message continues the melding.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import aiohttp

from meldkamer.contact import EMERGENCY_PHONE, MELDKAMER_PHONE

logger = logging.getLogger(__name__)

#: Seconds the action server gets to answer its health check.
HEALTH_TIMEOUT = 1.0
APOLOGY = (
    "Sorry, er ging aan onze kant iets mis. Wat u ons al vertelde is niet verloren. "
    f"Probeer het over een minuut opnieuw, of typ 'medewerker' of bel {MELDKAMER_PHONE}. "
    f"Is er gevaar voor mensen? Bel {EMERGENCY_PHONE}."
)


def health_url(action_url: str) -> str:
    """The action server's health check next to its webhook URL."""
    parts = urlsplit(action_url)
    path = parts.path.rsplit("/", 1)[0] if parts.path.endswith("/webhook") else ""
    return urlunsplit((parts.scheme, parts.netloc, f"{path}/health", "", ""))


async def action_server_answers(action_url: str | None, timeout: float = HEALTH_TIMEOUT) -> bool:
    """Whether the action server answers its health check with 200 within ``timeout``."""
    if not action_url:
        return True
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as client:
            async with client.get(health_url(action_url)) as reply:
                return reply.status == 200
    except (aiohttp.ClientError, asyncio.TimeoutError, OSError, ValueError):
        return False


def action_url_of(app: Any) -> str | None:
    """The action server's webhook URL of the Rasa server running ``app`` (a Sanic app)."""
    agent = getattr(getattr(app, "ctx", None), "agent", None)
    endpoint = getattr(agent, "action_endpoint", None)
    url = getattr(endpoint, "url", None)
    return url if isinstance(url, str) else None


class ActionServer:
    """The action server of this Rasa server, known from the app once the server runs."""

    def __init__(self, url: str | None = None) -> None:
        #: A fixed URL (tests); else the app's endpoint is used.
        self.fixed_url = url
        #: The Sanic app, set by the channel's start listener or first request.
        self.app: Any = None

    def url(self) -> str | None:
        return self.fixed_url or action_url_of(self.app)

    async def answers(self) -> bool:
        return await action_server_answers(self.url())


async def apologise_if_silent(
    sent: int, server: ActionServer, say: Callable[[str], Awaitable[None]], who: str
) -> bool:
    """Send :data:`APOLOGY` when the bot sent nothing and its action server is down."""
    if sent or await server.answers():
        return False
    logger.error("%s: no answer and the action server is down; apologised", who)
    await say(APOLOGY)
    return True
