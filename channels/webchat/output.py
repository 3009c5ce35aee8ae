"""Bot and agent messages to the web chat: appended to the conversation's stream."""

from __future__ import annotations

import time
from typing import Any

from rasa.core.channels.channel import OutputChannel

from channels.bus import MessageBus


class WebchatOutput(OutputChannel):
    """Publishes every outgoing message on the bus; the browser reads it from there."""

    @classmethod
    def name(cls) -> str:
        return "webchat"

    def __init__(self, bus: MessageBus) -> None:
        self.bus = bus
        #: Messages sent through this output; 0 after a turn means the bot stayed silent.
        self.sent = 0

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        """Agents' replies (metadata ``from: agent``) are shown as the agent's, not the bot's."""
        if message.get("from") == "agent":
            await self.bus.publish(
                recipient_id,
                {
                    "from": "agent",
                    "text": str(message.get("text") or ""),
                    "agent": str(message.get("agent") or ""),
                    "ts": time.time(),
                },
            )
            return
        await super().send_response(recipient_id, message)

    async def _publish(self, recipient_id: str, message: dict[str, Any]) -> None:
        self.sent += 1
        await self.bus.publish(recipient_id, {"from": "bot", "ts": time.time(), **message})

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        for part in text.strip().split("\n\n"):
            await self._publish(recipient_id, {"text": part})

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        await self._publish(
            recipient_id,
            {
                "text": text,
                "buttons": [
                    {"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))}
                    for b in buttons
                ],
            },
        )

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self._publish(recipient_id, {"image": image})

    async def send_custom_json(
        self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
    ) -> None:
        await self._publish(recipient_id, {"custom": json_message})
