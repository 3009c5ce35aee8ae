"""What every sender shares: the interface and the error for a failed delivery."""

from __future__ import annotations

from typing import Protocol

import aiohttp

from meldkamer.notify.models import OutboxMessage

MAX_REASON_LENGTH = 200


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
