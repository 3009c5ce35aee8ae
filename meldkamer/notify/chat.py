"""Sending outbox ``chat`` messages into the tenant's own conversation, through Rasa.

Rasa's HTTP API takes a bot event for the conversation and sends it through the channel
the tenant last wrote on (``output_channel=latest``): the web chat's stream (so a reload
shows it too), WhatsApp (its output sends the approved template outside the 24-hour
window), Telegram. The same call the console makes for an agent's reply.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

from meldkamer.notify.delivery import DeliveryError, HttpPool
from meldkamer.notify.models import MessageKind, OutboxMessage
from meldkamer.notify.sms import is_permanent

#: Rasa's ``--auth-token`` (rasa_addons/rasa_server.py starts Rasa with the same variable).
RASA_TOKEN_ENV = "MELDKAMER_RASA_TOKEN"
RASA_URL_ENV = "RASA_URL"
DEFAULT_TIMEOUT_S = 30.0
#: Marks the message as the meldkamer's update (not the bot's answer, not an agent's).
SENDER_METADATA = {"from": "meldkamer"}


@dataclass(frozen=True)
class ChatSettings:
    """Where Rasa's HTTP API is.

    Attributes:
        rasa_url: base URL, e.g. ``http://127.0.0.1:5005``.
        token: Rasa's ``--auth-token``, sent as ``?token=``.
        timeout: Seconds allowed for the whole request.
    """

    rasa_url: str
    token: str | None = field(default=None, repr=False)
    timeout: float = DEFAULT_TIMEOUT_S

    def __post_init__(self) -> None:
        parts = urlsplit(self.rasa_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"{RASA_URL_ENV} is geen http(s)-adres")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> ChatSettings | None:
        """``RASA_URL`` and ``MELDKAMER_RASA_TOKEN``; ``None`` (chat off) without ``RASA_URL``.

        Raises:
            ValueError: The URL is malformed.
        """
        environ = os.environ if env is None else env
        url = environ.get(RASA_URL_ENV, "").strip()
        if not url:
            return None
        return cls(rasa_url=url, token=environ.get(RASA_TOKEN_ENV, "").strip() or None)


class ChatSender:
    """Posts outbox chat messages to Rasa; one HTTP connection pool until :meth:`close`."""

    def __init__(self, settings: ChatSettings) -> None:
        self.settings = settings
        self._http = HttpPool(settings.timeout)

    def url(self, conversation_id: str) -> str:
        """The tracker-events URL of one conversation."""
        base = self.settings.rasa_url.rstrip("/")
        return f"{base}/conversations/{quote(conversation_id, safe='')}/tracker/events"

    async def send(self, message: OutboxMessage) -> None:
        """Add ``message`` as a bot message to its conversation; Rasa sends it on.

        Raises:
            DeliveryError: Rasa was unreachable or did not answer 2xx; permanent for a
                4xx that is not about the set-up (token, URL).
        """
        if message.kind != MessageKind.CHAT.value:
            raise DeliveryError(f"geen chatbericht maar {message.kind}", permanent=True)
        params = {"output_channel": "latest", "execute_side_effects": "true"}
        if self.settings.token:
            params["token"] = self.settings.token
        event = {"event": "bot", "text": message.body, "metadata": dict(SENDER_METADATA)}
        await self._http.post(
            self.url(message.recipient),
            service="Rasa",
            permanent=is_permanent,
            json=[event],
            params=params,
        )

    async def close(self) -> None:
        """Close the connection pool."""
        await self._http.close()
