"""What every sender shares: the interface and the error for a failed delivery."""

from __future__ import annotations

from typing import Protocol

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
