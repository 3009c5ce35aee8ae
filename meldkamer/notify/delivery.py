"""What every sender shares: the interface and the error for a failed delivery."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from typing import Any, Protocol

import aiohttp

from meldkamer.notify.models import OutboxMessage

MAX_REASON_LENGTH = 200
# Enough of an error response to explain it, without reading whatever else comes.
_ERROR_BODY_BYTES = 500


class DeliveryError(Exception):
    """A message could not be delivered.

    Attributes:
        reason: A short, secret-free explanation, kept on the outbox row.
        permanent: Trying again will not help (e.g. the gateway refused the number).
    """

    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


class Sender(Protocol):
    """Delivers messages of one kind."""

    async def send(self, message: OutboxMessage) -> None:
        """Deliver ``message``; raise :class:`DeliveryError` if that did not work."""

    async def close(self) -> None:
        """Release connections; the sender may be used again afterwards."""


def short(text: str | bytes) -> str:
    """Return ``text`` on one line and at most :data:`MAX_REASON_LENGTH` characters."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    line = " ".join(text.split())
    if len(line) > MAX_REASON_LENGTH:
        line = line[: MAX_REASON_LENGTH - 1] + "…"
    return line


class HttpPool:
    """The connection pool of an HTTP sender, made on first use inside the running loop.

    Never at import or set-up: an aiohttp session belongs to the event loop it is made in.
    """

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self._client: aiohttp.ClientSession | None = None

    def session(self) -> aiohttp.ClientSession:
        """The open session (a new one after :meth:`close`)."""
        if self._client is None or self._client.closed:
            self._client = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout))
        return self._client

    async def close(self) -> None:
        """Close the pool; the sender may be used again afterwards."""
        if self._client is not None:
            await self._client.close()
            self._client = None

    async def post(
        self,
        url: str,
        *,
        service: str,
        permanent: Callable[[int], bool],
        json: Any,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        """POST ``json`` to ``url``; return on 2xx.

        Redirects are not followed: a redirect of a POST is a configuration fault, and
        following it could send a token elsewhere.

        Raises:
            DeliveryError: ``service`` unreachable, or an answer other than 2xx
                (``permanent(status)`` says whether trying again can help). The reason
                names the status and the body's start, never the URL (it may carry a token).
        """
        try:
            async with self.session().post(
                url, json=json, params=params, headers=headers, allow_redirects=False
            ) as response:
                status = response.status
                if 200 <= status < 300:
                    return
                detail = short(await response.content.read(_ERROR_BODY_BYTES))
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            raise DeliveryError(f"{service} niet bereikbaar: {type(error).__name__}") from error
        reason = f"{service} antwoordde HTTP {status}" + (f": {detail}" if detail else "")
        raise DeliveryError(reason, permanent=permanent(status))
