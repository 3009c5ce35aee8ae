"""The channels bind the conversation and the message's id while Rasa handles a message."""

from __future__ import annotations

import io
import json
import logging

import aiohttp
import pytest
from rasa.core.channels.channel import UserMessage

from channels.common.correlation import handle
from channels.rest import RestInput
from meldkamer import logformat
from meldkamer.logformat import JsonFormatter, current
from rasa_addons.deployment import PRODUCTION_ENV
from rasa_addons.rasa_server import with_log_format
from tests.channels.sanic_server import TrackingBot, serving
from tests.ops.test_logformat import restored_formatters  # noqa: F401 - a fixture


async def test_a_turn_is_bound_to_its_conversation_and_message() -> None:
    seen: list[dict[str, str]] = []

    async def bot(message: UserMessage) -> str:
        seen.append(current())
        return "antwoord"

    message = UserMessage("lekkage", sender_id="tg-77", message_id="tg-1234")
    assert await handle(bot, message) == "antwoord"
    assert seen == [{"conversation_id": "tg-77", "correlation_id": "tg-1234"}]
    assert current() == {}


async def test_the_rest_channel_binds_rasas_message_id(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(PRODUCTION_ENV, raising=False)
    seen: list[tuple[str | None, dict[str, str]]] = []
    answer = TrackingBot.__call__

    async def recording(self: TrackingBot, message: UserMessage) -> None:
        seen.append((message.message_id, current()))
        await answer(self, message)

    monkeypatch.setattr(TrackingBot, "__call__", recording)
    async with serving(RestInput(), "rest") as (url, _bot), aiohttp.ClientSession() as client:
        body = {"sender": "huurder-1", "message": "er is lekkage"}
        async with client.post(f"{url}/webhook", json=body) as response:
            assert response.status == 200, await response.text()
    ((message_id, bound),) = seen
    assert message_id
    assert bound == {"conversation_id": "huurder-1", "correlation_id": message_id}


@pytest.mark.usefixtures("restored_formatters")
def test_the_rasa_server_applies_json_after_rasa_sets_up_its_handler(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(logformat.ENV, logformat.JSON)
    handler = logging.StreamHandler(io.StringIO())
    root = logging.getLogger()

    def rasa_configures(level: str) -> None:  # as coloredlogs.install does: a new handler
        root.addHandler(handler)

    try:
        with_log_format(rasa_configures)("INFO")
        assert isinstance(handler.formatter, JsonFormatter)
        record = logging.LogRecord("rasa.core", logging.INFO, __file__, 1, "klaar", None, None)
        assert json.loads(handler.format(record))["message"] == "klaar"
    finally:
        root.removeHandler(handler)
