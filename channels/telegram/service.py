"""The running channel: the Bot API client, webhook checks, polling, start and stop."""

from __future__ import annotations

import asyncio
import hmac
import json
import time
from typing import Any

from telegram import Bot, Update
from telegram.error import InvalidToken, TelegramError

from channels.common.apology import ActionServer
from channels.common.background import Background
from channels.common.inbox import Inbox, inbox_dir
from channels.common.limits import Conversations, intake_from_env
from channels.common.redis import LazyRedis
from channels.telegram.handler import OnNewMessage, UpdateHandler
from channels.telegram.logs import hide_token, logger, redact
from channels.telegram.output import TelegramOutput
from channels.telegram.polling import ALLOWED_UPDATES, Poller
from channels.telegram.settings import TelegramSettings
from channels.telegram.shared import CallbackPayloads, KeyValue, RecentUpdates
from channels.telegram.updates import to_update

#: Telegram waits for the webhook's answer and retries when none comes; a message that
#: takes longer than this is finished after answering.
ANSWER_WITHIN = 10.0
#: At stop, messages still being handled get this long to finish.
DRAIN_SECONDS = 10.0
#: After a failed getMe, the next update tries again, but not sooner than this.
RETRY_GETME_SECONDS = 60.0


def secret_matches(given: str | None, expected: str | None) -> bool:
    """Compare the secret header in constant time; no secret configured matches nothing."""
    if not given or not expected:
        return False
    return hmac.compare_digest(given.encode(), expected.encode())


class TelegramService:
    """Everything the channel does once the server runs."""

    def __init__(self, settings: TelegramSettings) -> None:
        self.settings = settings
        self.bot: Bot | None = None
        self.handler: UpdateHandler | None = None
        self.redis = LazyRedis(settings.redis_url)
        self.recent = RecentUpdates(settings.bot_id)
        self.payloads = CallbackPayloads()
        self.poller: Poller | None = None
        #: Asked when the bot stays silent; the channel's start listener gives it the app.
        self.action_server = ActionServer()
        self.conversations = Conversations()
        #: Updates received and not yet handled: on disk before Telegram gets its 200.
        self.inbox = Inbox(inbox_dir("telegram", settings.bot_id))
        self._ready = False
        self._next_getme = 0.0
        self._pending = Background()

    def output(self) -> TelegramOutput | None:
        """An output channel for Rasa's API; ``None`` before the server started."""
        return self.handler.output if self.handler is not None else None

    async def start(self, on_new_message: OnNewMessage) -> None:
        hide_token(self.settings.token)
        self.bot = Bot(
            self.settings.token,
            base_url=self.settings.api_url,
            base_file_url=self.settings.file_url,
        )
        redis: KeyValue | None = self.redis.client()
        if redis is not None:
            self.recent.redis = self.payloads.redis = redis
        self.handler = UpdateHandler(
            self.bot,
            self.payloads,
            on_new_message,
            entry_key=self.settings.bot_username,
            action_server=self.action_server,
            intake=intake_from_env(self.settings.redis_url),
            conversations=self.conversations,
        )
        await self._initialise()
        await self._resume()
        if self.settings.mode == "polling":
            await self._drop_webhook()
            self.poller = Poller(self.bot, self.accept)
            self.poller.start()
        elif self.settings.webhook_url:
            await self._register_webhook()
        logger.info(
            "Telegram channel on: %s mode, bot %s",
            self.settings.mode,
            f"@{self._username()}" if self._username() else "(username not known yet)",
        )

    def _username(self) -> str | None:
        if self.settings.bot_username:
            return self.settings.bot_username
        try:
            return self.bot.username if self.bot is not None else None
        except RuntimeError:
            return None

    async def _initialise(self) -> None:
        """getMe: checks the token and learns the username; a failure is retried later."""
        assert self.bot is not None
        self._next_getme = time.monotonic() + RETRY_GETME_SECONDS
        try:
            await self.bot.initialize()
            self._ready = True
        except InvalidToken:
            # python-telegram-bot's message has the token in it: say it without.
            logger.error("Telegram refused TELEGRAM_BOT_TOKEN; check the token with BotFather")
        except TelegramError as error:
            logger.warning(
                "Telegram Bot API not reachable (%s); trying again with a later update",
                redact(str(error)),
            )

    async def _drop_webhook(self) -> None:
        """Remove a webhook: getUpdates refuses to work while one is set."""
        assert self.bot is not None
        try:
            await self.bot.delete_webhook(drop_pending_updates=False)
        except TelegramError as error:
            logger.warning("Telegram webhook not removed for polling: %s", redact(str(error)))

    async def _register_webhook(self) -> None:
        assert self.bot is not None and self.settings.webhook_url
        try:
            await self.bot.set_webhook(
                self.settings.webhook_url,
                secret_token=self.settings.webhook_secret,
                allowed_updates=ALLOWED_UPDATES,
            )
            logger.info("Telegram webhook registered: %s", self.settings.webhook_url)
        except TelegramError as error:
            logger.error("Telegram webhook not registered: %s", redact(str(error)))

    async def receive(self, secret: str | None, body: bytes) -> tuple[int, dict[str, Any]]:
        """A webhook call: the status and JSON body to answer Telegram with."""
        if self.settings.mode != "webhook":
            return 409, {"error": "het Telegram-kanaal haalt berichten op (polling)"}
        if not secret_matches(secret, self.settings.webhook_secret):
            logger.warning(
                "Telegram webhook call refused: %s secret token",
                "wrong" if secret else "missing",
            )
            return 403, {"error": "geheim ontbreekt of klopt niet"}
        try:
            data = json.loads(body or b"")
        except (ValueError, UnicodeDecodeError):
            return 400, {"error": "geen geldige JSON"}
        update = to_update(data, self.bot)
        if update is None:
            return 400, {"error": "geen Telegram-update"}
        try:
            await self.accept(update, wait=ANSWER_WITHIN)
        except OSError:
            # Not on disk, so no 200: Telegram sends it again later.
            logger.exception("Telegram update %s not queued", update.update_id)
            return 503, {"error": "update niet bewaard, probeer later opnieuw"}
        return 200, {"ok": True}

    async def accept(self, update: Update, wait: float | None = None) -> bool:
        """Handle an update unless it was handled before; False for a repeat.

        Waits until it is handled, or at most ``wait`` seconds (then it finishes later).
        """
        if self.handler is None:
            raise RuntimeError("the Telegram channel has not started")
        key = str(update.update_id)
        queued = await asyncio.to_thread(self.inbox.put, key, json.dumps(update.to_dict()))
        if not queued or not await self.recent.first_time(update.update_id):
            if queued:
                await asyncio.to_thread(self.inbox.remove, key)
            logger.info("Telegram update %s arrived again; ignored", update.update_id)
            return False
        if not self._ready and time.monotonic() >= self._next_getme:
            await self._initialise()
        await asyncio.wait({self._spawn(update)}, timeout=wait)
        return True

    def _spawn(self, update: Update) -> asyncio.Task[None]:
        """Handle ``update`` in a task of its own, then take it out of the inbox."""
        assert self.handler is not None
        handler = self.handler

        async def handle() -> None:
            await handler.handle(update)
            await asyncio.to_thread(self.inbox.remove, str(update.update_id))

        return self._pending.spawn(handle())

    async def _resume(self) -> None:
        """Handle what a stopped or crashed server left in the inbox."""
        entries = await asyncio.to_thread(self.inbox.pending)
        if entries:
            logger.warning("Telegram: %d update(s) left from before the restart", len(entries))
        for entry in entries:
            update = Update.de_json(json.loads(entry.body), self.bot)
            if update is not None:
                await self.recent.first_time(update.update_id)  # claimed before: remember
                self._spawn(update)

    async def stop(self) -> None:
        """Before the server stops: stop polling, let messages in hand finish."""
        if self.poller is not None:
            await self.poller.stop()
        await self._pending.drain(DRAIN_SECONDS, cancel_late=True)

    async def close(self) -> None:
        """After the server stopped: close the Bot API client and Redis."""
        if self.bot is not None:
            await self.bot.shutdown()
        await self.redis.close()
        logger.info("Telegram channel stopped")
