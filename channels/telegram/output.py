"""Bot and agent messages to a Telegram chat."""

from __future__ import annotations

from typing import Any

from rasa.core.channels.channel import OutputChannel
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup

from channels.telegram.logs import logger
from channels.telegram.shared import CallbackPayloads
from channels.telegram.updates import chat_id_of

#: Telegram's limit on one text message, in characters.
MAX_MESSAGE = 4096
#: Telegram refuses a message with buttons but no text.
BUTTONS_WITHOUT_TEXT = "Maak een keuze:"


def keyboard(rows: list[tuple[str, str]]) -> InlineKeyboardMarkup:
    """One button per row (titles are long Dutch phrases); ``rows`` are (title, data)."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(title, callback_data=data)] for title, data in rows]
    )


def split_text(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """``text`` in parts Telegram accepts, cut at paragraph or line ends where possible."""
    text = text.strip()
    parts: list[str] = []
    while len(text) > limit:
        # A separator right at the limit still leaves a part of exactly ``limit``.
        cut = max(text.rfind("\n\n", 0, limit + 1), text.rfind("\n", 0, limit + 1))
        if cut <= 0:
            cut = text.rfind(" ", 0, limit + 1)
        if cut <= 0:
            cut = limit
        parts.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    return [*parts, text] if text else parts


def agent_text(message: dict[str, Any]) -> str:
    """An agent's reply, marked as the agent's so the tenant knows a person wrote it."""
    name = str(message.get("agent") or "").strip()
    prefix = f"Medewerker {name}:" if name else "Medewerker:"
    return f"{prefix} {str(message.get('text') or '').strip()}"


class TelegramOutput(OutputChannel):
    """Sends to the chat ``tg-<chat_id>`` through the Bot API."""

    @classmethod
    def name(cls) -> str:
        return "telegram"

    def __init__(self, bot: Bot, payloads: CallbackPayloads) -> None:
        self.bot = bot
        self.payloads = payloads
        #: Messages the bot sent through this output; 0 after a turn means it stayed silent.
        self.sent = 0

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        """Agents' replies (metadata ``from: agent``) get the agent's name in front."""
        self.sent += 1
        if message.get("from") == "agent":
            if message.get("text"):
                await self.send_text_message(recipient_id, agent_text(message))
            if message.get("image"):
                await self.send_image_url(recipient_id, str(message["image"]))
            return
        await super().send_response(recipient_id, message)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        chat_id = chat_id_of(recipient_id)
        for part in split_text(text):
            await self.bot.send_message(chat_id, part)

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        chat_id = chat_id_of(recipient_id)
        rows = []
        for button in buttons:
            payload = str(button.get("payload") or button.get("title") or "")
            title = str(button.get("title") or payload)
            rows.append((title, await self.payloads.encode(payload)))
        *before, last = split_text(text or "") or [BUTTONS_WITHOUT_TEXT]
        for part in before:
            await self.bot.send_message(chat_id, part)
        await self.bot.send_message(chat_id, last, reply_markup=keyboard(rows))

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self.bot.send_photo(chat_id_of(recipient_id), photo=image)

    async def send_custom_json(
        self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
    ) -> None:
        """Custom payloads are for other channels; a text in one is still sent."""
        text = json_message.get("text")
        if isinstance(text, str) and text.strip():
            await self.send_text_message(recipient_id, text)
        else:
            logger.debug("custom message not sent to Telegram: %s", sorted(json_message))
