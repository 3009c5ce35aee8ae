"""Telegram loses no update: it is acknowledged only once the durable inbox holds it.

Polling moves the getUpdates offset past an update only then; the webhook answers 200 only
then. Against the loopback Bot API fake, whose getUpdates forgets every update before the
offset it is asked with, as Telegram does.
"""

from __future__ import annotations

import asyncio
import errno
import json
import logging
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from rasa.core.channels.channel import UserMessage

from channels.common import inbox as inbox_module
from channels.telegram.service import TelegramService
from channels.telegram.settings import TelegramSettings
from tests.fakes.telegram_api import FakeTelegram, text_update

ROOT = Path(__file__).resolve().parents[2]
CHAT = 555001
SECRET = "webhook-geheim_42"
REPLY = "Verlaat de woning en bel 112 als u gas ruikt."


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram().running() as server:
        yield server


def polling(fake: FakeTelegram) -> TelegramService:
    return TelegramService(
        TelegramSettings(
            token=fake.token, mode="polling", api_url=fake.api_url, file_url=fake.file_url
        )
    )


def failing_fsync_once(monkeypatch: pytest.MonkeyPatch) -> list[OSError]:
    """The inbox's folder fsync fails (EIO) once, after the file was linked into place."""
    real_sync = inbox_module._sync_dir
    failures = [OSError(errno.EIO, "Input/output error")]

    def sync_dir(folder: Path) -> None:
        if failures:
            raise failures.pop()
        real_sync(folder)

    monkeypatch.setattr(inbox_module, "_sync_dir", sync_dir)
    return failures


class Bot:
    """Plays Rasa: keeps each message it is given and answers it."""

    def __init__(self) -> None:
        self.texts: list[str | None] = []

    async def __call__(self, message: UserMessage) -> None:
        self.texts.append(message.text)
        await message.output_channel.send_text_message(message.sender_id, REPLY)


def offsets(fake: FakeTelegram) -> list[int | None]:
    return [call.get("offset") for call in fake.calls_to("getUpdates")]


async def test_a_failed_inbox_write_gets_the_update_again_and_answers_once(
    fake: FakeTelegram, inbox_folder: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # A file where the inbox folder should be: the real inbox cannot write (as on a full
    # or read-only disk) until it is removed.
    inbox_folder.parent.mkdir(parents=True, exist_ok=True)
    inbox_folder.write_text("in de weg")
    fake.queue_update(text_update(100, CHAT, "ik ruik gas"))
    service, bot = polling(fake), Bot()
    with caplog.at_level(logging.ERROR, logger="channels.telegram"):
        await service.start(bot)
        assert service.poller is not None
        service.poller.first_backoff = 0.05
        # A second getUpdates: the first batch was taken, and its write failed.
        await fake.wait_until_async(lambda: len(offsets(fake)) >= 2, what="a second poll")
        inbox_folder.unlink()
        await fake.wait_until_async(lambda: len(fake.sent(CHAT)) == 1, what="the answer")
        await service.stop()
        await service.close()
    assert "Telegram update 100 not kept" in caplog.text
    assert bot.texts == ["ik ruik gas"]
    assert [m["text"] for m in fake.sent(CHAT)] == [REPLY]
    # Asked again from the start after the failure (asking from 101 would forget it);
    # moved past it only once it was handled.
    calls = offsets(fake)
    past = calls.index(101)
    assert past >= 2 and set(calls[:past]) == {None} and set(calls[past:]) == {101}
    assert list(inbox_folder.rglob("*.json")) == []


async def test_a_write_that_is_not_durable_keeps_nothing_so_the_retry_is_kept(
    fake: FakeTelegram, inbox_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Not durable, so not kept: a file left behind would make the fetch-again a "repeat".
    failures = failing_fsync_once(monkeypatch)
    fake.queue_update(text_update(150, CHAT, "er staat water in de meterkast"))
    service, bot = polling(fake), Bot()
    await service.start(bot)
    assert service.poller is not None
    service.poller.first_backoff = 0.05
    await fake.wait_until_async(lambda: len(fake.sent(CHAT)) == 1, what="the answer")
    await service.stop()
    await service.close()
    assert failures == [] and bot.texts == ["er staat water in de meterkast"]
    assert list(inbox_folder.rglob("*.json")) == []


async def test_webhook_answers_503_for_a_write_that_is_not_durable_and_keeps_the_retry(
    fake: FakeTelegram, inbox_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    failures = failing_fsync_once(monkeypatch)
    service, bot = (
        TelegramService(
            TelegramSettings(
                token=fake.token,
                webhook_secret=SECRET,
                api_url=fake.api_url,
                file_url=fake.file_url,
            )
        ),
        Bot(),
    )
    await service.start(bot)
    update = json.dumps(text_update(160, CHAT, "het rookalarm gaat af")).encode()
    try:
        assert (await service.receive(SECRET, update))[0] == 503  # Telegram sends it again
        assert bot.texts == [] and list(inbox_folder.rglob("*.json")) == []
        assert await service.receive(SECRET, update) == (200, {"ok": True})
    finally:
        await service.stop()
        await service.close()
    assert failures == [] and bot.texts == ["het rookalarm gaat af"]
    assert [m["text"] for m in fake.sent(CHAT)] == [REPLY]


# The first server: fetches the update, then dies (SIGKILL) before the inbox write ends.
_DIES_BEFORE_THE_WRITE = """
import asyncio, sys, time
from pathlib import Path
from channels.common.inbox import Inbox
from channels.common import inbox as inbox_module
from channels.telegram.service import TelegramService
from channels.telegram.settings import settings_from_env

marker = Path(sys.argv[1])

def put(self, key, body):
    marker.with_suffix(".tmp").write_text(key)
    marker.with_suffix(".tmp").replace(marker)  # whole, or not there
    time.sleep(600)  # killed here: fetched, not yet in the inbox
    raise SystemExit("not killed")

Inbox.put = put

async def main():
    service = TelegramService(settings_from_env())
    async def on_new_message(message):
        print("handled", message.text, flush=True)
    await service.start(on_new_message)
    await asyncio.Event().wait()

asyncio.run(main())
"""


async def test_a_kill_between_fetch_and_write_gets_the_update_again_after_restart(
    fake: FakeTelegram, inbox_folder: Path, tmp_path: Path
) -> None:
    fake.queue_update(text_update(200, CHAT, "de voordeur krijg ik niet meer dicht"))
    marker = tmp_path / "fetched"
    env = {
        **os.environ,
        **fake.env(),
        "TELEGRAM_MODE": "polling",
        "MELDKAMER_INBOX_DIR": str(inbox_folder),
        "PYTHONPATH": str(ROOT),
    }
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        _DIES_BEFORE_THE_WRITE,
        str(marker),
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        await fake.wait_until_async(marker.exists, timeout=120, what="the first server's fetch")
    finally:
        child.send_signal(signal.SIGKILL)
        output, _ = await child.communicate()
    assert marker.read_text() == "200" and b"handled" not in output
    assert offsets(fake) == [None]  # the update was fetched and never confirmed

    service, bot = polling(fake), Bot()
    await service.start(bot)
    await fake.wait_until_async(lambda: len(fake.sent(CHAT)) == 1, what="the answer")
    await service.stop()
    await service.close()
    assert bot.texts == ["de voordeur krijg ik niet meer dicht"]
    assert [m["text"] for m in fake.sent(CHAT)] == [REPLY]
    assert offsets(fake)[1] is None and offsets(fake)[-1] == 201
    assert list(inbox_folder.rglob("*.json")) == []
