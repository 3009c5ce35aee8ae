"""The Telegram channel's settings, all from the environment (secrets never live in files)."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

Mode = Literal["webhook", "polling"]

DEFAULT_API_URL = "https://api.telegram.org/bot"
# What BotFather hands out: the bot's numeric id, a colon and a random part.
_TOKEN = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{1,100}$")
# Telegram's own rule for setWebhook's secret_token.
_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


@dataclass(frozen=True)
class TelegramSettings:
    """Everything the channel needs; ``repr`` leaves the token and the secret out."""

    token: str = field(repr=False)
    mode: Mode = "webhook"
    webhook_secret: str | None = field(default=None, repr=False)
    bot_username: str | None = None
    api_url: str = DEFAULT_API_URL
    file_url: str = "https://api.telegram.org/file/bot"
    #: Public address Telegram should post to; when set, the channel registers it at start.
    webhook_url: str | None = None
    redis_url: str | None = field(default=None, repr=False)

    @property
    def bot_id(self) -> str:
        """The numeric part of the token: public, and unique per bot."""
        return self.token.split(":", 1)[0]


def file_url_for(api_url: str) -> str:
    """Telegram serves files under ``/file/bot<token>`` next to the API's ``/bot<token>``."""
    if api_url.endswith("/bot"):
        return api_url[: -len("bot")] + "file/bot"
    return api_url.rstrip("/") + "/file/bot"


def settings_from_env(env: Mapping[str, str] | None = None) -> TelegramSettings | str:
    """The settings, or why the channel stays off (the name of what is missing or wrong)."""
    env = os.environ if env is None else env
    token = env.get("TELEGRAM_BOT_TOKEN", "").strip()
    if not token:
        return "TELEGRAM_BOT_TOKEN is not set"
    if not _TOKEN.match(token):
        return "TELEGRAM_BOT_TOKEN does not look like a bot token (<digits>:<letters>)"
    mode = (env.get("TELEGRAM_MODE") or "webhook").strip().lower()
    if mode not in ("webhook", "polling"):
        return f"TELEGRAM_MODE is {mode!r}; use webhook or polling"
    secret = env.get("TELEGRAM_WEBHOOK_SECRET", "").strip() or None
    if mode == "webhook" and secret is None:
        # Without the secret anybody who finds the URL could post updates as any tenant.
        return "TELEGRAM_WEBHOOK_SECRET is not set (needed in webhook mode)"
    if secret is not None and not _SECRET.match(secret):
        return "TELEGRAM_WEBHOOK_SECRET may only contain A-Z, a-z, 0-9, _ and - (1-256 characters)"
    api_url = (env.get("TELEGRAM_API_URL") or DEFAULT_API_URL).strip().rstrip("/")
    username = (env.get("TELEGRAM_BOT_USERNAME") or "").strip().removeprefix("@") or None
    return TelegramSettings(
        token=token,
        mode="polling" if mode == "polling" else "webhook",
        webhook_secret=secret,
        bot_username=username,
        api_url=api_url,
        file_url=(env.get("TELEGRAM_FILE_URL") or "").strip().rstrip("/") or file_url_for(api_url),
        webhook_url=(env.get("TELEGRAM_WEBHOOK_URL") or "").strip() or None,
        redis_url=(env.get("REDIS_URL") or "").strip() or None,
    )
