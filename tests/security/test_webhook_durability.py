"""Webhooks answer 200 only once the message is on disk; a crash after that loses nothing.

The channels here are the real ones against the loopback fakes of the Graph API and the
Bot API. A crash is played by dropping the channel while the bot is still busy and
starting a new one (fresh memory) on the same inbox folder. The kill test with a real
Rasa server is in tests/e2e/test_whatsapp_e2e.py.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from rasa.core.channels.channel import UserMessage

from channels.common.inbox import Inbox
from channels.telegram.service import TelegramService
from channels.telegram.settings import TelegramSettings
from channels.whatsapp import WhatsAppInput
from channels.whatsapp.webhook import sign
from tests.channels.test_whatsapp import settings
from tests.fakes import graph_api as fake_graph
from tests.fakes.telegram_api import FakeTelegram, text_update

WA_ID = "31622223333"
CHAT = 888002
SECRET = "geheim-42"


class Bot:
    """Plays Rasa; ``hold`` keeps it busy (the moment a crash would hit)."""

    def __init__(self, hold: bool = False) -> None:
        self.received: list[str] = []
        self.release = asyncio.Event()
        if not hold:
            self.release.set()

    async def __call__(self, message: UserMessage) -> None:
        await self.release.wait()
        self.received.append(message.text or "")
        await message.output_channel.send_response(message.sender_id, {"text": "Dank u."})


def whatsapp(graph: fake_graph.FakeGraphApi, folder: Path) -> WhatsAppInput:
    return WhatsAppInput(settings(graph.url), inbox=Inbox(folder))


def signed(payload: object) -> tuple[bytes, str]:
    body = json.dumps(payload).encode()
    return body, sign(fake_graph.APP_SECRET, body)


async def test_whatsapp_message_survives_a_crash_after_the_200(tmp_path: Path) -> None:
    folder = tmp_path / "inbox"
    with fake_graph.running_graph_api() as graph:
        meta = fake_graph.MetaWebhooks(graph=graph)
        payload = meta.text(WA_ID, "water uit het plafond", message_id="wamid.crash")
        crashed, busy = whatsapp(graph, folder), Bot(hold=True)
        assert (await crashed.receive(*signed(payload), busy))[0] == 200
        assert len(Inbox(folder).pending()) == 1  # on disk before the 200 went out
        await asyncio.sleep(0)
        # The server dies here: the bot never answered, the task is gone with the process.
        for task in list(crashed._tasks):
            task.cancel()
        await crashed.close()
        assert busy.received == [] and graph.sent(WA_ID) == []

        restarted, bot = whatsapp(graph, folder), Bot()
        try:
            assert await restarted.resume(bot) == 1
            await restarted.drain(10)
            assert bot.received == ["water uit het plafond"]
            assert [m["text"]["body"] for m in graph.sent(WA_ID)] == ["Dank u."]
            assert Inbox(folder).pending() == []
            # Meta's retry of the same message (had it not seen the 200) is handled once.
            assert (await restarted.receive(*signed(payload), bot))[0] == 200
            await restarted.drain(10)
            assert bot.received == ["water uit het plafond"]
        finally:
            await restarted.close()


async def test_whatsapp_without_disk_space_gets_no_200(tmp_path: Path) -> None:
    blocked = tmp_path / "geen-map"
    blocked.write_text("a file where the inbox folder should be")
    with fake_graph.running_graph_api() as graph:
        meta = fake_graph.MetaWebhooks(graph=graph)
        channel, bot = whatsapp(graph, blocked), Bot()
        try:
            status, _ = await channel.receive(*signed(meta.text(WA_ID, "hallo")), bot)
            await channel.drain(10)
        finally:
            await channel.close()
    assert status == 503 and bot.received == []


def telegram(fake: FakeTelegram) -> TelegramService:
    return TelegramService(
        TelegramSettings(
            token=fake.token,
            webhook_secret=SECRET,
            api_url=fake.api_url,
            file_url=fake.file_url,
        )
    )


async def test_telegram_update_survives_a_crash_after_the_200(
    inbox: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from channels.telegram import service as service_module

    monkeypatch.setattr(service_module, "ANSWER_WITHIN", 0.05)
    async with FakeTelegram().running() as fake:
        crashed, busy = telegram(fake), Bot(hold=True)
        await crashed.start(busy)
        body = json.dumps(text_update(71, CHAT, "de lift zit vast")).encode()
        assert (await crashed.receive(SECRET, body))[0] == 200
        for task in list(crashed._pending):  # the process dies with the bot still busy
            task.cancel()
        await crashed.close()
        assert busy.received == [] and fake.sent(CHAT) == []

        restarted, bot = telegram(fake), Bot()
        await restarted.start(bot)  # finds the update in the inbox and handles it
        try:
            await restarted.stop()
            assert bot.received == ["de lift zit vast"]
            assert [m["text"] for m in fake.sent(CHAT)] == ["Dank u."]
            assert not list(inbox.rglob("*.json"))
        finally:
            await restarted.close()


@pytest.fixture
def inbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "inbox"
    monkeypatch.setenv("MELDKAMER_INBOX_DIR", str(folder))
    return folder
