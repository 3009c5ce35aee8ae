"""The Telegram channel: tenants report through a client's Telegram bot.

Routes, under ``/webhooks/telegram/``:

* ``GET  /``: health (``{"status": "ok", "mode": ...}``, or ``"off"`` and why);
* ``POST webhook``: Telegram's updates, when Telegram posts them (webhook mode).

Configured in credentials.yml as ``channels.telegram.TelegramInput`` with no settings;
environment: ``TELEGRAM_BOT_TOKEN`` (without it the channel is off), ``TELEGRAM_MODE``
(``webhook``, the default, or ``polling``), ``TELEGRAM_WEBHOOK_SECRET`` (webhook mode),
``TELEGRAM_BOT_USERNAME`` (which client's bot; default: the name Telegram gives),
``TELEGRAM_WEBHOOK_URL`` (optional: registered with Telegram at start),
``TELEGRAM_API_URL``/``TELEGRAM_FILE_URL`` (another Bot API server), ``REDIS_URL``,
``MELDKAMER_UPLOAD_DIR``. See docs/CHANNELS.md.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.common.channel import EnvironmentChannel
from channels.telegram.logs import logger
from channels.telegram.output import TelegramOutput
from channels.telegram.service import TelegramService
from channels.telegram.settings import TelegramSettings, settings_from_env

__all__ = ["TelegramInput", "TelegramOutput", "TelegramSettings"]

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class TelegramInput(EnvironmentChannel):
    """Input channel for Telegram bots, on python-telegram-bot."""

    channel = "telegram"
    label = "Telegram"

    @classmethod
    def from_environment(cls) -> InputChannel:
        """A missing token turns the channel off; the warning is the operator's notice."""
        settings = settings_from_env()
        if isinstance(settings, str):
            logger.warning("Telegram channel is off: %s", settings)
            return cls(None, off_reason=settings)
        return cls(settings)

    def __init__(self, settings: TelegramSettings | None, off_reason: str | None = None) -> None:
        self.settings = settings
        self.off_reason = off_reason or "not configured"
        self.service = TelegramService(settings) if settings is not None else None

    def get_output_channel(self) -> TelegramOutput | None:
        """The output for messages sent through Rasa's API (an agent's reply)."""
        return self.service.output() if self.service is not None else None

    def health(self) -> dict[str, Any]:
        if self.service is None:
            return {"status": "off", "reason": self.off_reason}
        return {"status": "ok", "mode": self.service.settings.mode}

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        telegram = self.with_health(Blueprint("meldkamer_telegram", __name__))
        if self.service is None:
            return telegram
        service = self.service

        @telegram.listener("before_server_start")
        async def start(app: Any, loop: Any) -> None:
            service.action_server.app = service.conversations.app = app
            await service.start(on_new_message)

        @telegram.listener("before_server_stop")
        async def stop(app: Any, loop: Any) -> None:
            await service.stop()

        @telegram.listener("after_server_stop")
        async def close(app: Any, loop: Any) -> None:
            await service.close()

        @telegram.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            status, body = await service.receive(request.headers.get(SECRET_HEADER), request.body)
            return response.json(body, status=status)

        return telegram
