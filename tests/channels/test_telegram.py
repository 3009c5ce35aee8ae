"""The Telegram channel: parsing, de-duplication, keyboards, and the Bot API conversation.

Unit tests of the pure parts first; then the channel against tests/fakes/telegram_api.py,
a real HTTP server that python-telegram-bot talks to as it would to Telegram.
"""

from __future__ import annotations

import asyncio
import json
import logging
import shutil
import socket
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa.core.channels.channel import UserMessage
from telegram import Bot, Update

from channels.common.apology import APOLOGY
from channels.telegram import TelegramInput, TelegramOutput
from channels.telegram import service as service_module
from channels.telegram.handler import EXPIRED_BUTTON, FETCH_FAILED, TOO_BIG, UNSUPPORTED
from channels.telegram.output import agent_text, keyboard, split_text
from channels.telegram.polling import Poller
from channels.telegram.service import TelegramService, secret_matches
from channels.telegram.settings import TelegramSettings, file_url_for, settings_from_env
from channels.telegram.shared import (
    CALLBACK_DATA_BYTES,
    LONG_PAYLOAD_PREFIX,
    CallbackPayloads,
    RecentUpdates,
)
from channels.telegram.updates import (
    ButtonIn,
    PhotoIn,
    TextIn,
    UnsupportedIn,
    as_rasa_text,
    chat_id_of,
    parse_update,
    sender_id,
    to_update,
)
from devstack.ports import free_port
from meldkamer.attachments.files import MAX_BYTES
from tests.fakes.telegram_api import (
    JPEG,
    TOKEN,
    FakeTelegram,
    buttons_of,
    callback_update,
    edited_update,
    photo_update,
    text_update,
)

ROOT = Path(__file__).resolve().parents[2]
SECRET = "webhook-geheim_42"
CHAT = 555001

# --- settings ---------------------------------------------------------------------------

BASE_ENV = {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_WEBHOOK_SECRET": SECRET}


@pytest.mark.parametrize(
    ("env", "off_because"),
    [
        ({}, "TELEGRAM_BOT_TOKEN is not set"),  # nothing configured: off, token named
        ({"TELEGRAM_BOT_TOKEN": "  "}, "TELEGRAM_BOT_TOKEN is not set"),  # blank is missing
        ({"TELEGRAM_BOT_TOKEN": "not-a-token"}, "does not look like a bot token"),  # typo
        ({"TELEGRAM_BOT_TOKEN": TOKEN}, "TELEGRAM_WEBHOOK_SECRET is not set"),  # webhook w/o secret
        ({**BASE_ENV, "TELEGRAM_MODE": "push"}, "TELEGRAM_MODE is 'push'"),  # unknown mode
        (
            {**BASE_ENV, "TELEGRAM_WEBHOOK_SECRET": "met spatie"},
            "may only contain",
        ),  # Telegram's rule
    ],
)
def test_settings_say_why_the_channel_is_off(env: dict[str, str], off_because: str) -> None:
    reason = settings_from_env(env)
    assert isinstance(reason, str) and off_because in reason
    assert TOKEN not in reason


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        # the defaults: webhook mode against Telegram itself
        (
            BASE_ENV,
            {"mode": "webhook", "api_url": "https://api.telegram.org/bot", "bot_username": None},
        ),
        # polling needs no secret
        ({"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_MODE": " Polling "}, {"mode": "polling"}),
        # a fake or self-hosted Bot API; the file URL follows it
        (
            {**BASE_ENV, "TELEGRAM_API_URL": "http://127.0.0.1:9/bot/"},
            {"api_url": "http://127.0.0.1:9/bot", "file_url": "http://127.0.0.1:9/file/bot"},
        ),
        # the username as people write it
        (
            {**BASE_ENV, "TELEGRAM_BOT_USERNAME": "@DeLindeDemoBot"},
            {"bot_username": "DeLindeDemoBot"},
        ),
        # Redis for more than one server
        ({**BASE_ENV, "REDIS_URL": "redis://r:6379/0"}, {"redis_url": "redis://r:6379/0"}),
    ],
)
def test_settings_from_env(env: dict[str, str], expected: dict[str, Any]) -> None:
    settings = settings_from_env(env)
    assert isinstance(settings, TelegramSettings)
    for name, value in expected.items():
        assert getattr(settings, name) == value
    assert settings.bot_id == "123"
    assert TOKEN not in repr(settings) and SECRET not in repr(settings)


@pytest.mark.parametrize(
    ("api_url", "file_url"),
    [
        ("https://api.telegram.org/bot", "https://api.telegram.org/file/bot"),  # Telegram
        ("http://127.0.0.1:8081/bot", "http://127.0.0.1:8081/file/bot"),  # local Bot API server
        ("http://proxy.example/tg", "http://proxy.example/tg/file/bot"),  # unusual: files below
    ],
)
def test_file_url_follows_api_url(api_url: str, file_url: str) -> None:
    assert file_url_for(api_url) == file_url


# --- parsing ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "sent"),
    [
        ("mijn cv doet het niet", "mijn cv doet het niet"),  # plain text passes
        ("  1234 AB 12 ", "1234 AB 12"),  # trimmed
        ("/start", "/greet"),  # first contact: the greeting
        ("/start campagne-de-linde", "/greet"),  # deep link parameter ignored
        ("/start@DeLindeDemoBot", "/greet"),  # command with the bot's name
        ("/stop", "/stop"),  # stop the melding
        ("/medewerker", "/vraag_medewerker"),  # ask for a person
        (
            '/inform{"medische_noodzaak": true}',
            'inform{"medische_noodzaak": true}',
        ),  # no typed facts
        ("/", ""),  # a lone slash is empty (the bot says it got no text)
    ],
)
def test_text_for_rasa(typed: str, sent: str) -> None:
    assert as_rasa_text(typed) == sent


@pytest.mark.parametrize(
    ("sender", "chat_id"),
    [
        ("tg-555001", 555001),  # a private chat
        ("tg--1001234567890", -1001234567890),  # negative ids (groups) survive the round trip
    ],
)
def test_sender_ids(sender: str, chat_id: int) -> None:
    assert chat_id_of(sender) == chat_id and sender_id(chat_id) == sender


@pytest.mark.parametrize(
    "sender",
    [
        "web-0123456789abcdef0123456789abcdef",  # another channel's conversation
        "tg-",  # no number
        "tg-12a",  # not a number
        "555001",  # bare id: could be anything
    ],
)
def test_other_senders_are_refused(sender: str) -> None:
    with pytest.raises(ValueError, match="not a Telegram conversation"):
        chat_id_of(sender)


@pytest.mark.parametrize(
    "body",
    [
        None,  # JSON null
        [1, 2],  # JSON but not an object
        {},  # no update_id
        {"update_id": "7"},  # update_id not a number
        {"update_id": True},  # bool is not an id
        {"update_id": -1},  # negative
        {"update_id": 7, "message": "hallo"},  # message of the wrong shape
        {"update_id": 7, "message": {"chat": 5}},  # message without its required fields
    ],
)
def test_bodies_that_are_not_updates(body: Any) -> None:
    assert to_update(body, None) is None


def _update(data: dict[str, Any]) -> Update:
    update = to_update(data, None)
    assert update is not None
    return update


def _message_with(update_id: int, **content: Any) -> dict[str, Any]:
    update = text_update(update_id, CHAT, "x")
    message = {k: v for k, v in update["message"].items() if k != "text"}
    return {"update_id": update_id, "message": {**message, **content}}


QUESTION = {
    "message_id": 77,
    "date": 1,
    "chat": {"id": CHAT, "type": "private"},
    "text": "Is de leiding gesprongen?",
    "reply_markup": {
        "inline_keyboard": [
            [{"text": "Ja", "callback_data": '/inform{"leiding_gesprongen": true}'}],
            [{"text": "Nee", "callback_data": '/inform{"leiding_gesprongen": false}'}],
        ]
    },
}


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        # a tenant's text in a private chat
        (text_update(1, CHAT, "hallo"), TextIn(CHAT, "hallo", sender_name="Fatima")),
        # the same in a group: not a melding conversation
        (text_update(2, -100123, "hallo", chat_type="group"), None),
        # an edit of an earlier message: the bot already answered the original
        (edited_update(3, CHAT, "hallo!"), None),
        # the bot was blocked or unblocked
        (
            {
                "update_id": 4,
                "my_chat_member": {
                    "chat": {"id": CHAT, "type": "private"},
                    "from": {"id": CHAT, "is_bot": False, "first_name": "F"},
                    "date": 1,
                    "old_chat_member": {
                        "status": "member",
                        "user": {"id": 123, "is_bot": True, "first_name": "B"},
                    },
                    "new_chat_member": {
                        "status": "kicked",
                        "until_date": 0,
                        "user": {"id": 123, "is_bot": True, "first_name": "B"},
                    },
                },
            },
            None,
        ),
        # a post in a channel the bot is in
        (
            {
                "update_id": 5,
                "channel_post": {
                    "message_id": 1,
                    "date": 1,
                    "chat": {"id": -1009, "type": "channel"},
                    "text": "nieuws",
                },
            },
            None,
        ),
        # someone joined (a service message without content)
        (
            _message_with(6, new_chat_members=[{"id": 9, "is_bot": False, "first_name": "J"}]),
            None,
        ),
        # a photo: the largest size, with its caption
        (
            photo_update(7, CHAT, "big", 287, caption="lekkage"),
            PhotoIn(CHAT, "big", 287, "lekkage", sender_name="Fatima"),
        ),
        # a photo sent as a file
        (
            _message_with(
                8,
                document={
                    "file_id": "doc",
                    "file_unique_id": "d",
                    "mime_type": "image/jpeg",
                    "file_size": 999,
                },
            ),
            PhotoIn(CHAT, "doc", 999, sender_name="Fatima"),
        ),
        # a PDF: not something the bot can read
        (
            _message_with(
                9,
                document={"file_id": "pdf", "file_unique_id": "p", "mime_type": "application/pdf"},
            ),
            UnsupportedIn(CHAT),
        ),
        # a voice message
        (
            _message_with(10, voice={"file_id": "v", "file_unique_id": "v", "duration": 3}),
            UnsupportedIn(CHAT),
        ),
        # a sticker
        (
            _message_with(
                11,
                sticker={
                    "file_id": "s",
                    "file_unique_id": "s",
                    "width": 1,
                    "height": 1,
                    "is_animated": False,
                    "is_video": False,
                    "type": "regular",
                },
            ),
            UnsupportedIn(CHAT),
        ),
        # a button press: the payload, and what to show under the question
        (
            callback_update(12, CHAT, '/inform{"leiding_gesprongen": false}', QUESTION),
            ButtonIn(
                CHAT,
                "cb-12",
                '/inform{"leiding_gesprongen": false}',
                message_id=77,
                question="Is de leiding gesprongen?",
                title="Nee",
                sender_name="Fatima",
            ),
        ),
        # a press on a message too old to be shown: the user's id is the private chat's
        (
            callback_update(13, CHAT, "/affirm"),
            ButtonIn(CHAT, "cb-13", "/affirm", sender_name="Fatima"),
        ),
        # an update type the bot never asked for (an inline query)
        (
            {
                "update_id": 14,
                "inline_query": {
                    "id": "q",
                    "from": {"id": CHAT, "is_bot": False, "first_name": "F"},
                    "query": "lekkage",
                    "offset": "",
                },
            },
            None,
        ),
    ],
)
def test_parse_update(data: dict[str, Any], expected: object) -> None:
    assert parse_update(_update(data)) == expected


def _from(update: dict[str, Any], **user: Any) -> dict[str, Any]:
    """``update`` with its message sent by ``user`` instead of the fake's tenant."""
    message = update["message"]
    return {**update, "message": {**message, "from": {"id": CHAT, "is_bot": False, **user}}}


@pytest.mark.parametrize(
    ("user", "name"),
    [
        ({"first_name": "Fatima", "last_name": "el Amrani"}, "Fatima el Amrani"),
        ({"first_name": "Fatima"}, "Fatima"),
        ({"first_name": " Fatima ", "last_name": "  "}, "Fatima"),
        # unchecked here: the action decides whether 🌸 is a name (it is not)
        ({"first_name": "🌸"}, "🌸"),
        # a bot writing in a private chat is nobody's name
        ({"first_name": "Helper", "is_bot": True}, None),
    ],
)
def test_the_senders_name_comes_with_the_message(user: dict[str, Any], name: str | None) -> None:
    text = parse_update(_update(_from(text_update(21, CHAT, "hallo"), **user)))
    assert text == TextIn(CHAT, "hallo", sender_name=name)
    photo = parse_update(_update(_from(photo_update(22, CHAT, "big", 287), **user)))
    assert isinstance(photo, PhotoIn) and photo.sender_name == name


def test_a_button_press_carries_the_name_of_who_pressed() -> None:
    update = callback_update(23, CHAT, "/affirm")
    update["callback_query"]["from"] = {
        "id": CHAT,
        "is_bot": False,
        "first_name": "Jan",
        "last_name": "de Vries",
    }
    assert parse_update(_update(update)) == ButtonIn(
        CHAT, "cb-23", "/affirm", sender_name="Jan de Vries"
    )


# --- keyboards, texts, payload limits -----------------------------------------------------


def test_keyboard_has_one_button_per_row() -> None:
    markup = keyboard([("Ja", "/affirm"), ("Nee, aanpassen", "/deny")]).to_dict()
    assert markup == {
        "inline_keyboard": [
            [{"text": "Ja", "callback_data": "/affirm"}],
            [{"text": "Nee, aanpassen", "callback_data": "/deny"}],
        ]
    }


@pytest.mark.parametrize(
    ("text", "limit", "parts"),
    [
        ("kort", 4096, ["kort"]),  # fits
        ("  \n", 4096, []),  # nothing to send
        ("aaa\n\nbbb", 5, ["aaa", "bbb"]),  # cut between paragraphs
        ("aaa bbb ccc", 7, ["aaa bbb", "ccc"]),  # no line ends: cut between words
        ("abcdefghij", 4, ["abcd", "efgh", "ij"]),  # one long word: cut hard
    ],
)
def test_split_text(text: str, limit: int, parts: list[str]) -> None:
    assert split_text(text, limit) == parts


@pytest.mark.parametrize(
    ("message", "text"),
    [
        (
            {"text": "Ik bel u zo.", "from": "agent", "agent": "Sanne"},
            "Medewerker Sanne: Ik bel u zo.",
        ),
        ({"text": "Ik bel u zo.", "from": "agent"}, "Medewerker: Ik bel u zo."),  # no name known
    ],
)
def test_agent_text(message: dict[str, Any], text: str) -> None:
    assert agent_text(message) == text


def all_payloads() -> list[str]:
    """Every button payload the assistant can send: domain.yml, triage, summary, help."""
    from actions.confirmation import FIELDS
    from meldkamer.triage import default_engine

    domain = yaml.safe_load((ROOT / "domain.yml").read_text())
    payloads = [
        button["payload"]
        for variants in domain["responses"].values()
        for variant in variants
        for button in variant.get("buttons") or []
    ]
    for name, fact in default_engine().table.facts.items():
        payloads += ["/inform" + json.dumps({name: option.value}) for option in fact.options]
    payloads += ['/wijzig{"veld": "' + field + '"}' for field in FIELDS]
    payloads += ["/affirm", "/deny", "/weet_niet", "/vraag_medewerker"]
    return payloads


def test_every_payload_fits_in_callback_data() -> None:
    # Telegram refuses callback_data over 64 bytes. The channel has a stand-in for longer
    # ones, but that needs memory (or Redis): our own payloads should never need it.
    payloads = all_payloads()
    assert len(payloads) > 40
    too_long = [p for p in payloads if not CallbackPayloads.fits(p)]
    assert not too_long, f"payloads over {CALLBACK_DATA_BYTES} bytes: {too_long}"


async def test_long_payloads_get_a_stand_in() -> None:
    payloads = CallbackPayloads()
    long = '/inform{"een_heel_lang_feit_met_een_naam": "en een nog langere waarde erbij"}'
    data = await payloads.encode(long)
    assert data.startswith(LONG_PAYLOAD_PREFIX) and len(data.encode()) <= CALLBACK_DATA_BYTES
    assert await payloads.encode(long) == data  # the same stand-in every time
    assert await payloads.decode(data) == long
    assert await payloads.encode("/affirm") == "/affirm"  # short ones are themselves
    assert await payloads.decode("/affirm") == "/affirm"
    assert await CallbackPayloads().decode(data) is None  # another server, no Redis: unknown


async def test_recent_updates_once_and_bounded() -> None:
    recent = RecentUpdates("123", capacity=3)
    assert [await recent.first_time(i) for i in (1, 2, 1, 3, 2)] == [True, True, False, True, False]
    for update_id in (4, 5, 6):  # pushes 1, 2 and 3 out
        assert await recent.first_time(update_id)
    assert await recent.first_time(1)


@pytest.mark.parametrize(
    ("given", "expected", "ok"),
    [
        (SECRET, SECRET, True),  # the right secret
        ("webhook-geheim_43", SECRET, False),  # one character off
        (None, SECRET, False),  # header missing
        ("", SECRET, False),  # header empty
        ("", "", False),  # nothing configured never matches
        ("ë", SECRET, False),  # non-ASCII does not crash the comparison
    ],
)
def test_secret_matches(given: str | None, expected: str, ok: bool) -> None:
    assert secret_matches(given, expected) is ok


# --- Redis: two servers agree ------------------------------------------------------------


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("redis-server not installed")
    port = free_port()
    workdir = tmp_path_factory.mktemp("redis")
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(workdir)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            if time.monotonic() > deadline:
                process.kill()
                raise
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    process.terminate()
    process.wait(10)


async def test_two_servers_agree_through_redis(redis_url: str) -> None:
    from redis import asyncio as aioredis

    clients = [aioredis.Redis.from_url(redis_url, decode_responses=True) for _ in range(2)]
    try:
        namespace = f"t{time.monotonic_ns()}"
        one, two = (RecentUpdates(namespace, redis=client) for client in clients)
        assert await one.first_time(41)
        assert not await two.first_time(41)  # the other server's memory never saw it
        long = "/inform" + json.dumps({"feit": "x" * 80})
        data = await CallbackPayloads(redis=clients[0]).encode(long)
        assert await CallbackPayloads(redis=clients[1]).decode(data) == long
    finally:
        for client in clients:
            await client.close()


async def test_redis_away_falls_back_to_memory(caplog: pytest.LogCaptureFixture) -> None:
    from redis import asyncio as aioredis

    port = free_port()  # nothing listens here
    client = aioredis.Redis.from_url(f"redis://127.0.0.1:{port}/0", socket_connect_timeout=1)
    try:
        recent = RecentUpdates("x", redis=client)
        with caplog.at_level(logging.WARNING, logger="channels.telegram"):
            assert await recent.first_time(1)
        assert not await recent.first_time(1)
        assert "Redis not reachable" in caplog.text
    finally:
        await client.close()


# --- the channel against the fake Bot API ----------------------------------------------


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram().running() as server:
        yield server


def settings_for(fake: FakeTelegram, **changes: Any) -> TelegramSettings:
    fields: dict[str, Any] = {
        "token": fake.token,
        "webhook_secret": SECRET,
        "api_url": fake.api_url,
        "file_url": fake.file_url,
    }
    fields.update(changes)
    return TelegramSettings(**fields)


class Inbox:
    """Plays Rasa: keeps what the channel passes on, and answers like the bot would."""

    def __init__(self) -> None:
        self.messages: list[UserMessage] = []
        self.reply: str | None = "Wat is er aan de hand?"
        self.delay = 0.0
        self.fail = False

    async def __call__(self, message: UserMessage) -> None:
        self.messages.append(message)
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.fail:
            raise RuntimeError("the agent broke")
        if self.reply:
            await message.output_channel.send_text_message(message.sender_id, self.reply)

    @property
    def texts(self) -> list[str | None]:
        return [m.text for m in self.messages]


@pytest.fixture
async def channel(
    fake: FakeTelegram, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[TelegramService, Inbox]]:
    monkeypatch.setenv("MELDKAMER_UPLOAD_DIR", str(tmp_path / "uploads"))
    service = TelegramService(settings_for(fake))
    inbox = Inbox()
    await service.start(inbox)
    yield service, inbox
    await service.stop()
    await service.close()


def body(data: Any) -> bytes:
    return json.dumps(data).encode()


async def test_text_reaches_rasa_and_the_reply_reaches_the_chat(
    channel: tuple[TelegramService, Inbox], fake: FakeTelegram
) -> None:
    service, inbox = channel
    status, answer = await service.receive(SECRET, body(text_update(1, CHAT, "mijn cv is stuk")))
    assert (status, answer) == (200, {"ok": True})
    [message] = inbox.messages
    assert message.text == "mijn cv is stuk" and message.sender_id == f"tg-{CHAT}"
    assert message.input_channel == "telegram"
    # The username from getMe tells which client's bot this is.
    # The tenant's name (the update's from user) travels along for the action to check.
    assert message.metadata == {
        "entry": {"kind": "telegram", "key": "DeLindeDemoBot"},
        "sender_name": "Fatima",
    }
    assert [m["text"] for m in fake.sent(CHAT)] == ["Wat is er aan de hand?"]


@pytest.mark.parametrize(
    ("secret", "said"),
    [
        (None, "missing"),  # no header at all
        ("", "missing"),  # empty header
        ("webhook-geheim_41", "wrong"),  # a guess
    ],
)
async def test_wrong_secret_is_refused_and_logged(
    channel: tuple[TelegramService, Inbox],
    caplog: pytest.LogCaptureFixture,
    secret: str | None,
    said: str,
) -> None:
    service, inbox = channel
    with caplog.at_level(logging.WARNING, logger="channels.telegram"):
        status, _ = await service.receive(secret, body(text_update(1, CHAT, "hallo")))
    assert status == 403 and inbox.messages == []
    assert f"{said} secret token" in caplog.text
    assert SECRET not in caplog.text and (not secret or secret not in caplog.text)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"{not json", "geen geldige JSON"),  # broken JSON
        (b"\xff\xfe", "geen geldige JSON"),  # not even text
        (b"", "geen geldige JSON"),  # empty body
        (b"[]", "geen Telegram-update"),  # JSON, but not an object
        (b'{"hello": "world"}', "geen Telegram-update"),  # an object without update_id
    ],
)
async def test_bad_bodies_get_400(
    channel: tuple[TelegramService, Inbox], raw: bytes, reason: str
) -> None:
    service, inbox = channel
    assert await service.receive(SECRET, raw) == (400, {"error": reason})
    # ... and the channel keeps working
    assert (await service.receive(SECRET, body(text_update(2, CHAT, "hoi"))))[0] == 200
    assert inbox.texts == ["hoi"]


async def test_same_update_twice_is_handled_once(
    channel: tuple[TelegramService, Inbox], fake: FakeTelegram
) -> None:
    service, inbox = channel
    for _ in range(3):
        assert (await service.receive(SECRET, body(text_update(9, CHAT, "hallo"))))[0] == 200
    assert inbox.texts == ["hallo"] and len(fake.sent(CHAT)) == 1


async def test_updates_without_a_message_are_ignored(
    channel: tuple[TelegramService, Inbox],
) -> None:
    service, inbox = channel
    assert await service.receive(SECRET, body(edited_update(3, CHAT, "edit"))) == (
        200,
        {"ok": True},
    )
    assert inbox.messages == []


async def test_failure_in_rasa_still_answers_200(
    channel: tuple[TelegramService, Inbox], caplog: pytest.LogCaptureFixture
) -> None:
    service, inbox = channel
    inbox.fail = True
    with caplog.at_level(logging.ERROR, logger="channels.telegram"):
        assert (await service.receive(SECRET, body(text_update(4, CHAT, "hallo"))))[0] == 200
    assert "update 4 could not be handled" in caplog.text and "the agent broke" in caplog.text


async def test_slow_message_is_answered_early_and_finished_later(
    channel: tuple[TelegramService, Inbox], fake: FakeTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    service, inbox = channel
    monkeypatch.setattr(service_module, "ANSWER_WITHIN", 0.1)
    inbox.delay = 0.5
    started = time.monotonic()
    assert (await service.receive(SECRET, body(text_update(5, CHAT, "hallo"))))[0] == 200
    assert time.monotonic() - started < 0.4 and fake.sent(CHAT) == []
    await fake.wait_until_async(lambda: len(fake.sent(CHAT)) == 1, what="late reply")


async def test_button_press(channel: tuple[TelegramService, Inbox], fake: FakeTelegram) -> None:
    service, inbox = channel
    output = service.output()
    assert output is not None
    await output.send_response(
        f"tg-{CHAT}",
        {
            "text": "Is de leiding gesprongen?",
            "buttons": [
                {"title": "Ja", "payload": '/inform{"leiding_gesprongen": true}'},
                {"title": "Nee", "payload": '/inform{"leiding_gesprongen": false}'},
            ],
        },
    )
    [question] = fake.sent(CHAT)
    no = buttons_of(question)[1]
    update = callback_update(20, CHAT, no["callback_data"], question)
    assert (await service.receive(SECRET, body(update)))[0] == 200
    assert fake.calls_to("answerCallbackQuery") == [{"callback_query_id": "cb-20"}]
    assert inbox.texts == ['/inform{"leiding_gesprongen": false}']
    assert (inbox.messages[0].metadata or {}).get("sender_name") == "Fatima"
    # The question now shows the choice and has no buttons left to press again.
    shown = fake.message(question["message_id"])
    assert shown["text"].endswith("➡️ Nee") and "reply_markup" not in shown


async def test_long_payload_goes_round_trip(
    channel: tuple[TelegramService, Inbox], fake: FakeTelegram
) -> None:
    service, inbox = channel
    long = "/inform" + json.dumps(
        {"een_zeer_lang_feit": "met een waarde die niet past in 64 bytes"}
    )
    output = service.output()
    assert output is not None
    await output.send_text_with_buttons(
        f"tg-{CHAT}", "Vraag?", [{"title": "Lang", "payload": long}]
    )
    [data] = [b["callback_data"] for b in buttons_of(fake.sent(CHAT)[0])]
    assert len(data.encode()) <= CALLBACK_DATA_BYTES
    await service.receive(SECRET, body(callback_update(21, CHAT, data, fake.sent(CHAT)[0])))
    assert inbox.texts == [long]


async def test_forgotten_stand_in_asks_to_type(
    channel: tuple[TelegramService, Inbox], fake: FakeTelegram
) -> None:
    service, inbox = channel
    await service.receive(SECRET, body(callback_update(22, CHAT, LONG_PAYLOAD_PREFIX + "0" * 32)))
    assert inbox.messages == [] and fake.sent(CHAT)[-1]["text"] == EXPIRED_BUTTON


async def test_photo_is_downloaded_stored_and_announced(
    channel: tuple[TelegramService, Inbox], fake: FakeTelegram, tmp_path: Path
) -> None:
    service, inbox = channel
    fake.add_file("big", JPEG)
    update = photo_update(30, CHAT, "big", len(JPEG), caption="water uit het plafond")
    assert (await service.receive(SECRET, body(update)))[0] == 200
    assert fake.downloads == ["photos/big.jpg"]  # the largest size, not the thumbnail
    photo, caption = inbox.messages
    assert photo.text == "/foto" and caption.text == "water uit het plafond"
    assert photo.metadata is not None
    stored = tmp_path / "uploads" / photo.metadata["photo"]
    assert stored.read_bytes() == JPEG
    assert photo.metadata["content_type"] == "image/jpeg"
    assert photo.metadata["size"] == len(JPEG) and len(photo.metadata["sha256"]) == 64
    assert photo.metadata["entry"] == {"kind": "telegram", "key": "DeLindeDemoBot"}
    assert photo.metadata["sender_name"] == (caption.metadata or {}).get("sender_name") == "Fatima"


@pytest.mark.parametrize(
    ("file", "size", "told"),
    [
        (b"%PDF-1.4 not a photo", 20, "geen foto"),  # sniffed: not an image
        (JPEG, MAX_BYTES + 1, TOO_BIG),  # Telegram says it is too big: not even downloaded
        (None, 100, FETCH_FAILED),  # getFile fails
    ],
)
async def test_photos_that_are_refused(
    channel: tuple[TelegramService, Inbox],
    fake: FakeTelegram,
    tmp_path: Path,
    file: bytes | None,
    size: int,
    told: str,
) -> None:
    service, inbox = channel
    if file is not None:
        fake.add_file("p", file)
    assert (await service.receive(SECRET, body(photo_update(31, CHAT, "p", size))))[0] == 200
    assert inbox.messages == []
    assert told in fake.sent(CHAT)[-1]["text"]
    assert not [path for path in (tmp_path / "uploads").rglob("*") if path.is_file()]


async def test_unsupported_content_gets_a_hint(
    channel: tuple[TelegramService, Inbox], fake: FakeTelegram
) -> None:
    service, inbox = channel
    update = _message_with(32, voice={"file_id": "v", "file_unique_id": "v", "duration": 3})
    await service.receive(SECRET, body(update))
    assert inbox.messages == [] and fake.sent(CHAT)[-1]["text"] == UNSUPPORTED


async def test_output_sends_text_buttons_images_and_agent_replies(
    channel: tuple[TelegramService, Inbox], fake: FakeTelegram
) -> None:
    service, _ = channel
    output = service.output()
    assert isinstance(output, TelegramOutput)
    recipient = f"tg-{CHAT}"
    await output.send_response(recipient, {"text": "Goedenavond.", "buttons": None, "image": None})
    await output.send_response(
        recipient, {"text": "Ik bel u zo.", "from": "agent", "agent": "Sanne", "timestamp": 1}
    )
    await output.send_response(recipient, {"image": "https://example.org/kaart.png"})
    await output.send_response(
        recipient, {"text": "", "buttons": [{"title": "Geen e-mail", "payload": "geen"}]}
    )
    await output.send_text_message(recipient, "a" * 5000)
    texts = [m.get("text") for m in fake.sent(CHAT)]
    assert texts[:2] == ["Goedenavond.", "Medewerker Sanne: Ik bel u zo."]
    assert fake.calls_to("sendPhoto")[0]["photo"] == "https://example.org/kaart.png"
    assert texts[3] == "Maak een keuze:"
    assert buttons_of(fake.sent(CHAT)[3]) == [{"text": "Geen e-mail", "callback_data": "geen"}]
    assert [len(t or "") for t in texts[4:]] == [4096, 904]
    with pytest.raises(ValueError, match="not a Telegram conversation"):
        await output.send_text_message("web-abc", "hallo")


async def test_polling_mode_refuses_webhook_calls(fake: FakeTelegram) -> None:
    service = TelegramService(settings_for(fake, mode="polling", webhook_secret=None))
    inbox = Inbox()
    await service.start(inbox)
    try:
        assert (await service.receive(SECRET, body(text_update(1, CHAT, "hoi"))))[0] == 409
    finally:
        await service.stop()
        await service.close()


async def test_polling_gets_updates_in_order_and_backs_off(
    fake: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    fake.webhook = {"url": "https://old.example/hook"}
    fake.fail("getUpdates", 502, "Bad Gateway")  # Telegram hiccups twice
    fake.fail("getUpdates", 502, "Bad Gateway")
    for update_id, text in [(100, "eerste"), (101, "tweede")]:
        fake.queue_update(text_update(update_id, CHAT, text))
    fake.queue_update(edited_update(102, CHAT, "bewerkt"))
    service = TelegramService(settings_for(fake, mode="polling", webhook_secret=None))
    assert service.settings.mode == "polling"
    inbox = Inbox()
    with caplog.at_level(logging.WARNING, logger="channels.telegram"):
        await service.start(inbox)
        assert service.poller is not None
        service.poller.first_backoff = 0.05
        await fake.wait_until_async(lambda: len(inbox.messages) == 2, what="polled messages")
        fake.queue_update(text_update(100, CHAT, "eerste"))  # delivered again: handled once
        fake.queue_update(text_update(103, CHAT, "derde"))
        await fake.wait_until_async(lambda: len(inbox.messages) == 3, what="third message")
        started = time.monotonic()
        await service.stop()  # while a getUpdates call waits: stops at once
        assert time.monotonic() - started < 2
        await service.close()
    assert inbox.texts == ["eerste", "tweede", "derde"]
    assert fake.webhook is None  # removed, or getUpdates would not work
    assert "Telegram not reachable: Bad Gateway" in caplog.text
    assert [p.get("allowed_updates") for p in fake.calls_to("getUpdates")[:1]] == [
        ["message", "callback_query"]
    ]
    # Handled updates are confirmed: nothing is left for a restart to handle again.
    assert fake.calls_to("getUpdates")[-1]["offset"] == 104
    assert not service.poller.running


async def test_poller_waits_out_flood_control(fake: FakeTelegram) -> None:
    fake.fail("getUpdates", 429, "Too Many Requests: retry after 1", retry_after=1)
    fake.queue_update(text_update(200, CHAT, "hallo"))
    bot = Bot(fake.token, base_url=fake.api_url, base_file_url=fake.file_url)
    seen: list[int] = []

    async def handle(update: Update) -> None:
        seen.append(update.update_id)

    async with bot:
        poller = Poller(bot, handle, timeout=1)
        started = time.monotonic()
        poller.start()
        await fake.wait_until_async(lambda: seen == [200], what="update after retry_after")
        assert time.monotonic() - started >= 0.9
        await poller.stop()


async def test_webhook_is_registered_when_its_url_is_set(fake: FakeTelegram) -> None:
    service = TelegramService(settings_for(fake, webhook_url="https://meldkamer.example/hook"))
    await service.start(Inbox())
    await service.stop()
    await service.close()
    assert fake.webhook == {
        "url": "https://meldkamer.example/hook",
        "secret_token": SECRET,
        "allowed_updates": ["message", "callback_query"],
    }


async def test_unreachable_telegram_does_not_stop_the_start(
    caplog: pytest.LogCaptureFixture,
) -> None:
    port = free_port()
    settings = TelegramSettings(
        token=TOKEN,
        webhook_secret=SECRET,
        api_url=f"http://127.0.0.1:{port}/bot",
        file_url=f"http://127.0.0.1:{port}/file/bot",
    )
    service = TelegramService(settings)
    with caplog.at_level(logging.INFO):
        await service.start(Inbox())
        assert service.output() is not None  # the server runs; sending waits for Telegram
        await service.stop()
        await service.close()
    assert "Telegram Bot API not reachable" in caplog.text
    assert TOKEN not in caplog.text


async def test_rejected_token_is_logged_without_the_token(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with FakeTelegram(token="999:OTHER").running() as other:
        service = TelegramService(settings_for(other, token=TOKEN))
        with caplog.at_level(logging.DEBUG):
            await service.start(Inbox())
            await service.stop()
            await service.close()
    assert "refused TELEGRAM_BOT_TOKEN" in caplog.text
    assert TOKEN not in caplog.text  # httpx logs each URL, and the URL holds the token
    assert "bot<token>/getMe" in caplog.text


# --- the Rasa input channel --------------------------------------------------------------


def _routes(blueprint: Any) -> set[tuple[str, tuple[str, ...]]]:
    return {(route.uri, tuple(sorted(route.methods))) for route in blueprint._future_routes}


def test_without_token_the_channel_is_off(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    for name in ("TELEGRAM_BOT_TOKEN", "TELEGRAM_WEBHOOK_SECRET", "TELEGRAM_MODE"):
        monkeypatch.delenv(name, raising=False)
    with caplog.at_level(logging.WARNING, logger="channels.telegram"):
        channel = TelegramInput.from_credentials(None)
    assert "Telegram channel is off: TELEGRAM_BOT_TOKEN is not set" in caplog.text
    assert isinstance(channel, TelegramInput) and channel.get_output_channel() is None
    blueprint = channel.blueprint(Inbox())
    assert _routes(blueprint) == {("/", ("GET",))}
    assert not blueprint._future_listeners  # nothing to start


def test_configured_channel_routes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", SECRET)
    channel = TelegramInput.from_credentials(None)
    assert isinstance(channel, TelegramInput)
    assert channel.name() == "telegram" and channel.url_prefix() == "telegram"
    assert channel.get_output_channel() is None  # no Bot API client before the server starts
    blueprint = channel.blueprint(Inbox())
    assert _routes(blueprint) == {("/", ("GET",)), ("/webhook", ("POST",))}
    events = {listener.event for listener in blueprint._future_listeners}
    assert events == {"before_server_start", "before_server_stop", "after_server_stop"}


async def test_poller_stopped_mid_update_confirms_it(fake: FakeTelegram) -> None:
    fake.queue_update(text_update(300, CHAT, "hallo"))
    bot = Bot(fake.token, base_url=fake.api_url, base_file_url=fake.file_url)
    handling, release = asyncio.Event(), asyncio.Event()

    async def handle(update: Update) -> None:
        handling.set()
        await release.wait()

    async with bot:
        poller = Poller(bot, handle, timeout=5)
        poller.start()
        await asyncio.wait_for(handling.wait(), 5)
        stopping = asyncio.create_task(poller.stop())
        release.set()  # the update in hand is finished, then the poller stops
        await stopping
    last = fake.calls_to("getUpdates")[-1]
    assert (last["offset"], last["timeout"], last["limit"]) == (301, 0, 1)
    assert len(fake.calls_to("getUpdates")) == 2  # no new long poll after the stop


def test_credentials_file_registers_the_channel_without_secrets() -> None:
    credentials = yaml.safe_load((ROOT / "credentials.yml").read_text())
    assert "channels.telegram.TelegramInput" in credentials
    assert credentials["channels.telegram.TelegramInput"] is None  # all from the environment


# --- the action server does not answer ----------------------------------------------------


async def test_silence_with_the_action_server_down_gets_an_apology(
    channel: tuple[TelegramService, Inbox], fake: FakeTelegram
) -> None:
    service, inbox = channel
    inbox.reply = None  # Rasa says nothing when its custom action fails
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    service.action_server.fixed_url = f"http://127.0.0.1:{port}/webhook"
    assert (await service.receive(SECRET, body(text_update(40, CHAT, "mijn cv is stuk"))))[0] == 200
    await fake.wait_until_async(lambda: len(fake.sent(CHAT)) == 1, what="apology")
    assert [m["text"] for m in fake.sent(CHAT)] == [APOLOGY]


async def test_silence_with_the_action_server_up_is_left_alone(
    channel: tuple[TelegramService, Inbox], fake: FakeTelegram
) -> None:
    service, inbox = channel
    inbox.reply = None
    # No action server configured counts as answering: nothing to apologise for.
    assert (await service.receive(SECRET, body(text_update(41, CHAT, "oké"))))[0] == 200
    await service.stop()
    assert inbox.texts == ["oké"] and fake.sent(CHAT) == []
