"""Bot and agent messages to a tenant on WhatsApp.

Inside the 24-hour customer-service window (since the tenant's last message) messages
go as text, buttons, lists or images. Outside it WhatsApp only delivers an approved
template, so every message then goes as the template with its text as the parameter.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from rasa.core.channels.channel import OutputChannel

from channels.whatsapp import messages as build
from channels.whatsapp.graph import OUTSIDE_WINDOW, GraphClient, GraphError
from channels.whatsapp.settings import WhatsAppSettings
from channels.whatsapp.state import ChannelState

logger = logging.getLogger(__name__)

#: WhatsApp's customer-service window.
WINDOW_SECONDS = 24 * 3600
SENDER_PREFIX = "wa-"

Clock = Callable[[], float]


def wa_id_of(recipient_id: str) -> str | None:
    """The WhatsApp number of a conversation id ``wa-<wa_id>``, else ``None``."""
    if recipient_id.startswith(SENDER_PREFIX) and recipient_id[len(SENDER_PREFIX) :].isdigit():
        return recipient_id[len(SENDER_PREFIX) :]
    return None


def window_open(last_inbound: float | None, now: float) -> bool:
    """Whether free messages may still be sent: the tenant wrote less than 24 hours ago."""
    return last_inbound is not None and now - last_inbound < WINDOW_SECONDS


def agent_text(message: dict[str, Any]) -> str:
    """An agent's reply, prefixed with who wrote it so the tenant knows it is a person."""
    name = " ".join(str(message.get("agent") or "").split())
    text = str(message.get("text") or "").strip()
    return f"Medewerker {name}: {text}" if name else f"Medewerker: {text}"


class WhatsAppOutput(OutputChannel):
    """Sends through the Cloud API; shares the channel's session, state and clock."""

    @classmethod
    def name(cls) -> str:
        return "whatsapp"

    def __init__(
        self, settings: WhatsAppSettings, graph: GraphClient, state: ChannelState, clock: Clock
    ) -> None:
        self.settings = settings
        self.graph = graph
        self.state = state
        self.clock = clock
        #: Messages the bot sent through this output; 0 after a turn means it stayed silent.
        self.sent = 0

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        """Agents' replies (metadata ``from: agent``) are marked as theirs."""
        self.sent += 1
        message = dict(message)
        if message.get("from") == "agent":
            message["text"] = agent_text(message)
        await super().send_response(recipient_id, message)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        to = self._to(recipient_id)
        if to is None:
            return
        for part in build.split_text(text):
            await self._deliver(to, build.text_body(part), part)

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        to = self._to(recipient_id)
        if to is None:
            return
        choices = build.choices_from_buttons(buttons)
        if not choices:
            await self.send_text_message(recipient_id, text)
            return
        if len(choices) > build.MAX_ROWS or not await self._in_window(to):
            # A numbered list fits every case, also a template's parameter.
            await self.state.remember_choices(to, [c.payload for c in choices])
            await self.send_text_message(recipient_id, build.numbered_text(text, choices))
            return
        before, body = build.interactive_parts(text)
        for part in before:
            await self._deliver(to, build.text_body(part), part)
        await self._send_interactive(to, body, choices)

    async def _send_interactive(self, to: str, body: str, choices: list[build.Choice]) -> None:
        buttons = len(choices) <= build.MAX_BUTTONS
        limit = build.MAX_BUTTON_ID if buttons else build.MAX_ROW_ID
        ids = build.reply_ids(choices, limit)
        for identifier, choice in zip(ids, choices, strict=True):
            if identifier != choice.payload:
                await self.state.remember_payload(identifier, choice.payload)
        message = (
            build.button_body(body, choices, ids)
            if buttons
            else build.list_body(body, choices, ids)
        )
        fallback = build.numbered_text(body, choices)
        await self._deliver(to, message, fallback, choices=choices)

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        to = self._to(recipient_id)
        if to is not None:
            await self._deliver(to, build.image_body(image), f"Afbeelding: {image}")

    async def send_custom_json(
        self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
    ) -> None:
        # Raw JSON means nothing to a tenant; nothing in the assistant sends it.
        logger.info("WhatsApp: custom JSON for %s not sent", recipient_id)

    def _to(self, recipient_id: str) -> str | None:
        to = wa_id_of(recipient_id)
        if to is None:
            logger.warning("WhatsApp: %r is not a WhatsApp conversation; not sent", recipient_id)
        return to

    async def _in_window(self, to: str) -> bool:
        return window_open(await self.state.last_inbound(to), self.clock())

    async def _deliver(
        self,
        to: str,
        body: dict[str, Any],
        fallback: str,
        choices: list[build.Choice] | None = None,
    ) -> None:
        """Send ``body``, or the template with ``fallback`` when the window is closed.

        Send errors are logged, not raised: a failed delivery must not lose the rest of
        the bot's turn or the conversation's record.
        """
        if await self._in_window(to):
            try:
                await self.graph.send(build.addressed(to, body))
                return
            except GraphError as error:
                if error.code != OUTSIDE_WINDOW:
                    logger.error("WhatsApp: sending a %s failed: %s", body.get("type"), error)
                    return
                # Our clock and WhatsApp's disagree (a restart without Redis): WhatsApp wins.
                logger.info("WhatsApp: window closed on WhatsApp's side; sending the template")
        if choices:
            await self.state.remember_choices(to, [c.payload for c in choices])
        await self._send_template(to, fallback)

    async def _send_template(self, to: str, text: str) -> None:
        body = build.template_body(self.settings.template, self.settings.template_language, text)
        try:
            await self.graph.send(build.addressed(to, body))
        except GraphError as error:
            logger.error("WhatsApp: sending template %s failed: %s", self.settings.template, error)
