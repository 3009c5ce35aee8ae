"""The console's client for Rasa's HTTP API (``rasa run --enable-api``).

Three things: read a conversation's tracker, put an agent's reply into the
conversation (Rasa sends it through the tenant's channel), and hand the conversation
back to the assistant. The :class:`aiohttp.ClientSession` is made on application
startup (see :func:`rasa_context`), never at import.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping
from typing import Any
from urllib.parse import quote

import aiohttp
from aiohttp import web

from console.keys import RASA, SETTINGS
from meldkamer.handover.texts import handover_texts

logger = logging.getLogger(__name__)

#: The intent whose rule runs ``action_hervat``: the bot picks up where it was.
RESUME_INTENT = "hervat"
TIMEOUT = aiohttp.ClientTimeout(total=30, connect=5)
#: Un-pause, and close the turn the pause interrupted (see :meth:`RasaClient.resume`).
RESUME_EVENTS = [{"event": "resume"}, {"event": "action", "name": "action_listen"}]


class RasaError(RuntimeError):
    """Rasa did not do what was asked; the message is Dutch, for the agent."""


class RasaClient:
    """Calls to one Rasa server."""

    def __init__(self, http: aiohttp.ClientSession, base_url: str, token: str | None) -> None:
        self._http = http
        self._base = base_url.rstrip("/")
        self._token = token

    def _url(self, conversation_id: str, tail: str) -> str:
        return f"{self._base}/conversations/{quote(conversation_id, safe='')}/{tail}"

    def _params(self, **extra: str) -> dict[str, str]:
        return {**extra, **({"token": self._token} if self._token else {})}

    async def _call(
        self, method: str, url: str, params: Mapping[str, str], body: Any | None = None
    ) -> Any:
        try:
            async with self._http.request(method, url, params=params, json=body) as response:
                if response.status >= 400:
                    detail = (await response.text())[:300]
                    # The URL carries the token: log the path only.
                    logger.warning(
                        "Rasa answered %s to %s %s: %s",
                        response.status,
                        method,
                        response.url.path,
                        detail,
                    )
                    raise RasaError(f"de assistent weigerde het verzoek ({response.status})")
                return await response.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError) as error:
            logger.warning("Rasa unreachable for %s: %s", method, type(error).__name__)
            raise RasaError("de assistent (Rasa) is niet bereikbaar") from error

    async def tracker(self, conversation_id: str) -> dict[str, Any]:
        """The conversation's tracker: slots and events since the last restart."""
        found = await self._call("GET", self._url(conversation_id, "tracker"), self._params())
        if not isinstance(found, dict):
            raise RasaError("de assistent gaf geen geldig gesprek terug")
        return found

    async def send_agent_reply(self, conversation_id: str, text: str, agent_name: str) -> None:
        """The agent's message, sent to the tenant through the channel they wrote on."""
        await self._call(
            "POST",
            self._url(conversation_id, "tracker/events"),
            self._params(output_channel="latest", execute_side_effects="true"),
            [
                {
                    "event": "bot",
                    "text": text,
                    "metadata": {"from": "agent", "agent": agent_name},
                }
            ],
        )

    async def resume(self, conversation_id: str) -> None:
        """Un-pause: the bot answers the tenant's next message again.

        Rasa stops its prediction loop right after ``ConversationPaused``, so the
        tracker never got the ``action_listen`` that ends a normal turn. Without it the
        rules do not recognise the next user turn (the triggered ``hervat`` or a new
        message) and the bot answers with its fallback; so the console adds it.
        """
        await self._call(
            "POST",
            self._url(conversation_id, "tracker/events"),
            self._params(),
            RESUME_EVENTS,
        )

    async def close_session(self, conversation_id: str) -> None:
        """Un-pause and end the session: the tenant's next message starts a clean one.

        ``session_started`` empties the slots, and Rasa runs ``action_session_start``
        (the introduction) before the next message, as for a new chat; so a tenant who
        writes again is neither misunderstood nor put back in the queue.
        """
        await self._call(
            "POST",
            self._url(conversation_id, "tracker/events"),
            self._params(),
            [*RESUME_EVENTS, {"event": "session_started"}],
        )

    async def set_slots(self, conversation_id: str, slots: Mapping[str, Any]) -> None:
        """Put an agent's corrections into the conversation (before handing back)."""
        if not slots:
            return
        await self._call(
            "POST",
            self._url(conversation_id, "tracker/events"),
            self._params(),
            [{"event": "slot", "name": name, "value": value} for name, value in slots.items()],
        )

    async def hand_back(self, conversation_id: str) -> None:
        """Un-pause and let the bot continue where it was (intent ``hervat``)."""
        await self.resume(conversation_id)
        await self._call(
            "POST",
            self._url(conversation_id, "trigger_intent"),
            self._params(output_channel="latest"),
            {"name": RESUME_INTENT},
        )


async def announce_agent(
    app: web.Application, conversation_id: str, agent_name: str, language: str | None = None
) -> None:
    """Tell the tenant who took over ("U praat nu met <naam>, ..."), as the agent's message.

    In the tenant's ``language`` (the handover summary's), Dutch when ``None``.

    A Rasa failure is logged and does not undo the take: the agent's replies carry the
    name as well.
    """
    try:
        await app[RASA].send_agent_reply(
            conversation_id, handover_texts(language).announce(agent_name), agent_name
        )
    except RasaError:
        logger.warning("could not announce the agent in %s", conversation_id)


async def rasa_context(app: web.Application) -> AsyncIterator[None]:
    """Cleanup context: one HTTP client session for the application's lifetime."""
    settings = app[SETTINGS]
    async with aiohttp.ClientSession(timeout=TIMEOUT) as http:
        app[RASA] = RasaClient(http, settings.rasa_url, settings.rasa_token)
        yield
