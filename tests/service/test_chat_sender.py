"""The chat sender: an outbox ``chat`` message into the tenant's conversation through Rasa."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timezone

import pytest

from meldkamer.notify.chat import SENDER_METADATA, ChatSender, ChatSettings
from meldkamer.notify.delivery import DeliveryError
from meldkamer.notify.models import OutboxMessage
from meldkamer.notify.senders import senders_from_env
from tests.console.conftest import FakeRasa

TOKEN = "geheim-rasa-token"


@pytest.fixture
async def rasa(aiohttp_server) -> AsyncIterator[FakeRasa]:  # type: ignore[no-untyped-def]
    fake = FakeRasa(token=TOKEN)
    server = await aiohttp_server(fake.app())
    fake.url = str(server.make_url("")).rstrip("/")
    yield fake


def message(kind: str = "chat", recipient: str = "web-abc") -> OutboxMessage:
    return OutboxMessage(
        key="huurder:MK-2026-000001:1:chat",
        kind=kind,
        purpose="update_huurder",
        recipient=recipient,
        body="Melding MK-2026-000001: de vakman is onderweg naar u.",
        created_at=datetime(2026, 12, 5, tzinfo=timezone.utc),
    )


async def test_the_update_goes_to_the_conversations_latest_channel(rasa: FakeRasa) -> None:
    sender = ChatSender(ChatSettings(rasa.url, TOKEN))
    try:
        await sender.send(message(recipient="wa-31612345678"))
    finally:
        await sender.close()
    ((conversation, events, query),) = rasa.posted
    assert conversation == "wa-31612345678"
    assert query["output_channel"] == "latest" and query["execute_side_effects"] == "true"
    assert events == [{"event": "bot", "text": message().body, "metadata": dict(SENDER_METADATA)}]


async def test_a_wrong_token_waits_for_the_fix_and_rasa_down_is_tried_again(
    rasa: FakeRasa,
) -> None:
    wrong = ChatSender(ChatSettings(rasa.url, "fout"))
    down = ChatSender(ChatSettings(rasa.url, TOKEN))
    try:
        with pytest.raises(DeliveryError) as refused:
            await wrong.send(message())
        assert not refused.value.permanent and "401" in refused.value.reason
        assert "fout" not in refused.value.reason  # the token never lands on the row
        rasa.down = True
        with pytest.raises(DeliveryError) as unavailable:
            await down.send(message())
        assert not unavailable.value.permanent
    finally:
        await wrong.close()
        await down.close()
    assert rasa.posted == []


async def test_only_chat_messages() -> None:
    sender = ChatSender(ChatSettings("http://127.0.0.1:9"))
    with pytest.raises(DeliveryError) as refused:
        await sender.send(message(kind="sms", recipient="+31612345678"))
    assert refused.value.permanent


def test_chat_is_on_with_rasa_url_and_a_bad_url_is_refused() -> None:
    assert "chat" not in senders_from_env({})
    on = senders_from_env({"RASA_URL": "http://127.0.0.1:5005", "MELDKAMER_RASA_TOKEN": "t"})
    assert isinstance(on["chat"], ChatSender) and on["chat"].settings.token == "t"
    assert "chat" not in senders_from_env({"RASA_URL": "rasa:5005"})
    with pytest.raises(ValueError, match="RASA_URL"):
        ChatSettings("ftp://rasa")
