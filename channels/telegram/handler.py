"""One Telegram update to Rasa: text, a button press or a photo becomes a UserMessage."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from contextlib import suppress
from datetime import datetime, timezone
from functools import partial
from typing import Any

from rasa.core.channels.channel import UserMessage
from telegram import Bot, Update
from telegram.error import TelegramError

from channels.common.apology import ActionServer, apologise_if_silent
from channels.common.correlation import handle
from channels.common.limits import (
    TOO_MANY_CONVERSATIONS,
    Conversations,
    Intake,
    intake_from_env,
    may_start,
)
from channels.telegram.logs import logger, redact
from channels.telegram.output import TelegramOutput
from channels.telegram.shared import CallbackPayloads
from channels.telegram.updates import (
    ButtonIn,
    PhotoIn,
    TextIn,
    UnsupportedIn,
    as_rasa_text,
    parse_update,
    sender_id,
)
from meldkamer.attachments.files import MAX_BYTES, RejectedFile, check, store_file, upload_dir

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]

# What the tenant reads when the channel itself cannot pass something on.
UNSUPPORTED = "Ik kan alleen tekst en foto's lezen. Typ uw bericht of stuur een foto."
TOO_BIG = (
    f"De foto is te groot (meer dan {MAX_BYTES // (1024 * 1024)} MB). Stuur een kleinere foto."
)
FETCH_FAILED = "Het ophalen van de foto lukte niet. Stuur de foto nog een keer."
STORE_FAILED = "Het bewaren van de foto lukte niet. Probeer het later nog eens."
EXPIRED_BUTTON = "Deze knop werkt niet meer. Typ uw antwoord of kies opnieuw."


class UpdateHandler:
    """Turns updates into messages for the bot; never raises (a failure is logged)."""

    def __init__(
        self,
        bot: Bot,
        payloads: CallbackPayloads,
        on_new_message: OnNewMessage,
        entry_key: str | None = None,
        action_server: ActionServer | None = None,
        intake: Intake | None = None,
        conversations: Conversations | None = None,
    ) -> None:
        self.bot = bot
        self.payloads = payloads
        self.on_new_message = on_new_message
        #: Which client's bot this is (clients/*.yml ``entries.telegram``).
        self.entry_key = entry_key
        self.output = TelegramOutput(bot, payloads)
        self.action_server = action_server or ActionServer()
        self.intake = intake or intake_from_env(None)
        self.conversations = conversations or Conversations()

    async def handle(self, update: Update) -> None:
        try:
            incoming = parse_update(update)
            if incoming is None:
                logger.debug("Telegram update %s ignored", update.update_id)
            elif not await self._may_start(incoming.chat_id):
                await self._tell(incoming.chat_id, TOO_MANY_CONVERSATIONS)
            elif isinstance(incoming, TextIn):
                text = as_rasa_text(incoming.text)
                await self._send(incoming.chat_id, text, f"tg-{update.update_id}", named(incoming))
            elif isinstance(incoming, ButtonIn):
                await self._button(incoming, update.update_id)
            elif isinstance(incoming, PhotoIn):
                await self._photo(incoming, update.update_id)
            elif isinstance(incoming, UnsupportedIn):
                await self._tell(incoming.chat_id, UNSUPPORTED)
        except Exception:  # an update must never stop the channel; Telegram gets 200 anyway
            logger.exception("Telegram update %s could not be handled", update.update_id)

    async def _may_start(self, chat_id: int) -> bool:
        """A chat may start only so many conversations (fake meldingen page contractors)."""
        sender = sender_id(chat_id)
        key = f"tg:{self.bot.token.split(':', 1)[0]}:{chat_id}"
        return await may_start(self.intake, self.conversations, sender, key, self.intake.per_sender)

    def _entry(self) -> dict[str, Any]:
        key = self.entry_key
        if key is None:
            with suppress(RuntimeError):  # the bot never reached getMe: no username known
                key = self.bot.username
        return {"entry": {"kind": "telegram", "key": key}} if key else {}

    async def _send(
        self, chat_id: int, text: str, message_id: str, metadata: dict[str, Any] | None = None
    ) -> None:
        output = TelegramOutput(self.bot, self.payloads)  # one per turn: it counts what was sent
        await handle(
            self.on_new_message,
            UserMessage(
                text,
                output,
                sender_id(chat_id),
                input_channel="telegram",
                message_id=message_id,
                metadata={**self._entry(), **(metadata or {})},
            ),
        )
        await apologise_if_silent(
            output.sent, self.action_server, partial(self._tell, chat_id), "Telegram"
        )

    async def _tell(self, chat_id: int, text: str) -> None:
        await self.bot.send_message(chat_id, text)

    async def _button(self, button: ButtonIn, update_id: int) -> None:
        try:
            await self.bot.answer_callback_query(button.query_id)
        except TelegramError as error:
            # A query older than a few minutes cannot be answered; the press still counts.
            logger.debug("callback query not answered: %s", redact(str(error)))
        payload = await self.payloads.decode(button.data)
        if payload is None:
            await self._tell(button.chat_id, EXPIRED_BUTTON)
            return
        await self._show_choice(button)
        await self._send(button.chat_id, payload, f"tg-{update_id}", named(button))

    async def _show_choice(self, button: ButtonIn) -> None:
        """Put the choice under the question and drop its buttons (no second press)."""
        if button.message_id is None or not button.question or not button.title:
            return
        try:
            await self.bot.edit_message_text(
                f"{button.question}\n\n➡️ {button.title}",
                chat_id=button.chat_id,
                message_id=button.message_id,
            )
        except TelegramError as error:
            logger.debug("question not updated after a press: %s", redact(str(error)))

    async def _photo(self, photo: PhotoIn, update_id: int) -> None:
        if photo.size is not None and photo.size > MAX_BYTES:
            await self._tell(photo.chat_id, TOO_BIG)
            return
        try:
            file = await self.bot.get_file(photo.file_id)
            data = bytes(await file.download_as_bytearray())
        except (TelegramError, RuntimeError) as error:
            logger.warning("Telegram photo not downloaded: %s", redact(str(error)))
            await self._tell(photo.chat_id, FETCH_FAILED)
            return
        try:
            check(data)
            refused = await self.intake.photos.refusal(
                conversation=sender_id(photo.chat_id), size=len(data), root=upload_dir()
            )
            if refused is not None:
                await self._tell(photo.chat_id, refused.text)
                return
            stored = await asyncio.to_thread(
                store_file, data, upload_dir(), datetime.now(timezone.utc)
            )
        except RejectedFile as rejected:
            await self._tell(photo.chat_id, str(rejected))
            return
        except OSError:
            logger.exception("Telegram photo not stored")
            await self._tell(photo.chat_id, STORE_FAILED)
            return
        photo_metadata = {
            "photo": stored.relative,
            "content_type": stored.content_type,
            "size": stored.size,
            "sha256": stored.sha256,
            **named(photo),
        }
        await self._send(photo.chat_id, "/foto", f"tg-{update_id}", photo_metadata)
        if photo.caption and photo.caption.strip():
            # The words with a photo are the tenant's message too.
            caption = as_rasa_text(photo.caption)
            await self._send(photo.chat_id, caption, f"tg-{update_id}-caption", named(photo))


def named(incoming: TextIn | ButtonIn | PhotoIn) -> dict[str, Any]:
    """The sender's name for the message metadata; the action checks it before it is the naam."""
    return {"sender_name": incoming.sender_name} if incoming.sender_name else {}
