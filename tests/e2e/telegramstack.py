"""The real Rasa and action servers with the Telegram channel on, against two Bot API fakes
(shared by the Telegram e2e tests through tests/e2e/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from devstack.stack import Stack
from tests.fakes.telegram_api import TOKEN, FakeTelegram

SECRET = "e2e-webhook-geheim"
#: Stack.processes: the action server, the webhook-mode server, the polling-mode server.
POLLING_SERVER = 2


@dataclass
class TelegramStack(Stack):
    """The action server, a webhook-mode Rasa server (``url``) and a polling-mode one."""

    webhook_api: FakeTelegram = field(kw_only=True)
    polling_api: FakeTelegram = field(kw_only=True)


@contextmanager
def telegram_stack(workdir: Path) -> Iterator[TelegramStack]:
    """Both Rasa servers started together; the fakes and servers stop when the block ends."""
    with FakeTelegram().threaded() as webhook_api, FakeTelegram().threaded() as polling_api:
        polling = {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_MODE": "polling",
            "TELEGRAM_API_URL": polling_api.api_url,
        }
        # With the demo clients (Stack applies them) the bot's username finds de-linde.
        telegram = TelegramStack(
            database_url=f"sqlite:///{workdir / 'meldkamer.db'}",
            workdir=workdir,
            channels=("rest", "channels.telegram.TelegramInput"),
            # Not the machine's Telegram or Redis settings; only the Rasa servers get the bot's.
            unset=("TELEGRAM_*", "REDIS_URL"),
            rasa_env={
                "TELEGRAM_BOT_TOKEN": TOKEN,
                "TELEGRAM_WEBHOOK_SECRET": SECRET,
                "TELEGRAM_API_URL": webhook_api.api_url,
            },
            more_rasa=(("rasa-polling", polling),),
            webhook_api=webhook_api,
            polling_api=polling_api,
        )
        try:
            telegram.start()
            yield telegram
        finally:
            telegram.stop()
