"""End to end: Telegram updates into the real Rasa and action servers, replies to a fake Bot API.

Two Rasa servers share one action server and database: one in webhook mode (the tests
post updates to it as Telegram would), one in polling mode (it fetches updates the tests
queue at its own fake Bot API). Both run with a credentials file of their own that
switches the Telegram channel on, and an environment that points python-telegram-bot at
the fakes (tests/fakes/telegram_api.py). The tenant reads the bot's questions from what
the fake received and answers with text or by pressing the inline buttons.
"""

from __future__ import annotations

import itertools
import json
import re
import time
import urllib.error
import urllib.request
from typing import Any

import pytest
from sqlalchemy import select

from devstack.stored import database, ticket_numbers
from devstack.tenant import CONTACT
from meldkamer.attachments.models import Attachment
from meldkamer.tickets import get_ticket
from tests.e2e.telegramstack import SECRET, TelegramStack
from tests.fakes.telegram_api import (
    JPEG,
    TOKEN,
    buttons_of,
    callback_update,
    edited_update,
    photo_update,
    text_update,
)

pytestmark = pytest.mark.e2e

TICKET = re.compile(r"MK-\d{4}-\d{6}")
_update_ids = itertools.count(1000)
_chat_ids = itertools.count(700001)


@pytest.fixture(scope="module")
def stack(telegram: TelegramStack) -> TelegramStack:
    """The session's Telegram stack (tests/e2e/conftest.py), shared with the follow-up tests."""
    return telegram


def post(url: str, data: bytes, secret: str | None = SECRET) -> tuple[int, Any]:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    request = urllib.request.Request(url, data=data, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


class TelegramTenant:
    """One tenant's private chat with the bot, through the webhook."""

    def __init__(self, stack: TelegramStack, user: dict[str, Any] | None = None) -> None:
        self.stack = stack
        self.api = stack.webhook_api
        self.chat_id = next(_chat_ids)
        self.seen = 0
        self.last_update: dict[str, Any] = {}
        #: The tenant's own Telegram user (first_name, last_name) instead of the fake's.
        self.user = user or {}

    def deliver(self, update: dict[str, Any], secret: str | None = SECRET) -> int:
        self.last_update = update
        status, _ = post(
            f"{self.stack.url}/webhooks/telegram/webhook", json.dumps(update).encode(), secret
        )
        return status

    def replies(self, timeout: float = 30) -> list[dict[str, Any]]:
        """The bot's messages since the last call (at least one)."""
        self.api.wait_until(
            lambda: len(self.api.sent(self.chat_id)) > self.seen, timeout, "reply from the bot"
        )
        new = self.api.sent(self.chat_id)[self.seen :]
        self.seen += len(new)
        return new

    def say(self, text: str) -> list[dict[str, Any]]:
        update = text_update(next(_update_ids), self.chat_id, text)
        update["message"]["from"].update(self.user)
        assert self.deliver(update) == 200
        return self.replies()

    def press(self, message: dict[str, Any], data: str) -> list[dict[str, Any]]:
        assert data in [b["callback_data"] for b in buttons_of(message)], message
        update = callback_update(next(_update_ids), self.chat_id, data, message)
        update["callback_query"]["from"].update(self.user)
        assert self.deliver(update) == 200
        return self.replies()


def said(messages: list[dict[str, Any]]) -> str:
    return "\n".join(m.get("text") or "" for m in messages)


def find_button(messages: list[dict[str, Any]], data: str) -> dict[str, Any] | None:
    """The message that has a button with callback data ``data``."""
    return next((m for m in messages if data in [b["callback_data"] for b in buttons_of(m)]), None)


def play_melding(
    tenant: TelegramTenant, topic: str, answers: dict[str, Any]
) -> tuple[str, list[str]]:
    """Start with /start, pick the topic by button, answer everything: (ticket, transcript)."""
    transcript: list[str] = []
    replies = tenant.say("/start")
    for _ in range(25):
        transcript += [f"bot: {m.get('text')} {buttons_of(m) or ''}" for m in replies]
        text = said(replies)
        found = TICKET.search(text)
        if found:
            return found.group(0), transcript
        buttons = [(m, b["callback_data"]) for m in replies for b in buttons_of(m)]
        facts = [
            (m, data, fact, value)
            for m, data in buttons
            if data.startswith("/inform{")
            for fact, value in json.loads(data.removeprefix("/inform")).items()
        ]
        pick = f"/melding_{topic}"
        if facts:
            fact = facts[0][2]
            assert fact in answers, f"unexpected question about {fact}:\n" + "\n".join(transcript)
            message, data = next((m, d) for m, d, f, v in facts if v == answers[fact])
        elif find_button(replies, pick):
            message, data = find_button(replies, pick) or {}, pick
        elif "Klopt dit?" in text:
            message, data = find_button(replies, "/affirm") or {}, "/affirm"
        elif "e-mailadres" in text:
            message, data = find_button(replies, "geen") or {}, "geen"
        else:
            message, data = {}, ""
        if data:
            transcript.append(f"huurder drukt: {data}")
            replies = tenant.press(message, data)
            continue
        if "postcode en huisnummer" in text:
            answer = CONTACT["adres"]
        elif "Wat is uw naam" in text or "Hoe heet u" in text:
            answer = CONTACT["naam"]
        elif "telefoonnummer" in text:
            answer = CONTACT["telefoon"]
        elif "Beschrijf het probleem kort" in text:
            answer = "leiding onder de gootsteen gesprongen"
        else:
            raise AssertionError(
                "the bot asked nothing the tenant can answer:\n" + "\n".join(transcript)
            )
        transcript.append(f"huurder: {answer}")
        replies = tenant.say(answer)
    raise AssertionError("no ticket after 25 turns:\n" + "\n".join(transcript))


def tickets_of(stack: TelegramStack, conversation_id: str) -> int:
    return len(ticket_numbers(stack.database_url, conversation_id))


def test_health(stack: TelegramStack) -> None:
    with urllib.request.urlopen(f"{stack.url}/webhooks/telegram/") as reply:
        assert json.loads(reply.read()) == {"status": "ok", "mode": "webhook"}


def test_full_melding_with_text_and_buttons(stack: TelegramStack) -> None:
    tenant = TelegramTenant(stack)
    answers = {"leiding_gesprongen": True, "leiding_afsluitbaar": False}
    number, transcript = play_melding(tenant, "lekkage_waterleiding", answers)
    with database(stack.database_url) as session:
        ticket = get_ticket(session, number)
        assert ticket is not None, "\n".join(transcript)
        assert ticket.topic == "lekkage_waterleiding"
        assert ticket.conversation_id == f"tg-{tenant.chat_id}"
        assert ticket.channel == "telegram"
        assert ticket.postcode == "1234 AB" and ticket.huisnummer == 12
        assert ticket.email is None
        assert set(ticket.facts) <= set(answers)
    # The bot's username led to the client (metadata entry -> slot opdrachtgever), before
    # the address did.
    with urllib.request.urlopen(stack.api(f"/conversations/tg-{tenant.chat_id}/tracker")) as reply:
        events = json.loads(reply.read())["events"]
    clients = [e["value"] for e in events if e["event"] == "slot" and e["name"] == "opdrachtgever"]
    assert clients and set(clients) == {"de-linde"}
    first_client = next(i for i, e in enumerate(events) if e.get("name") == "opdrachtgever")
    first_address = next(i for i, e in enumerate(events) if e.get("name") == "adres")
    assert first_client < first_address
    # Every press was answered (the spinner stops) and the question shows the choice.
    presses = [line for line in transcript if line.startswith("huurder drukt")]
    assert len(stack.webhook_api.calls_to("answerCallbackQuery")) >= len(presses) >= 4
    edits = [c["text"] for c in stack.webhook_api.calls_to("editMessageText")]
    assert any(e.endswith("➡️ Ja, klopt") for e in edits)

    # Telegram delivers the confirmation again: no second reply, no second ticket.
    sent = len(stack.webhook_api.sent(tenant.chat_id))
    assert tenant.deliver(tenant.last_update) == 200
    time.sleep(0.5)
    assert len(stack.webhook_api.sent(tenant.chat_id)) == sent
    assert tickets_of(stack, f"tg-{tenant.chat_id}") == 1


@pytest.mark.parametrize(
    ("user", "asked"),
    [
        ({"first_name": "Fatima", "last_name": "el Amrani"}, False),
        ({"first_name": "🌸"}, True),  # no name: asked as always
    ],
)
def test_the_tenants_telegram_name_is_confirmed_not_asked(
    stack: TelegramStack, user: dict[str, Any], asked: bool
) -> None:
    """Issue 15: a usable Telegram name is in the summary and not asked; the phone is."""
    tenant = TelegramTenant(stack, user)
    answers = {"leiding_gesprongen": True, "leiding_afsluitbaar": False}
    number, transcript = play_melding(tenant, "lekkage_waterleiding", answers)
    log = "\n".join(transcript)
    assert ("Wat is uw naam" in log) is asked, log
    assert ("huurder: " + CONTACT["naam"] in transcript) is asked, log
    assert "telefoonnummer" in log  # Telegram does not tell the number
    summary = next(line for line in transcript if "Klopt dit?" in line)
    assert "Naam: Fatima el Amrani" in summary, log
    with database(stack.database_url) as session:
        ticket = get_ticket(session, number)
        assert ticket is not None and ticket.naam == "Fatima el Amrani"


@pytest.mark.parametrize(
    ("secret", "logged"),
    [
        ("geraden-geheim", "wrong secret token"),  # a guess
        (None, "missing secret token"),  # no header
    ],
)
def test_wrong_or_missing_secret_is_refused(
    stack: TelegramStack, secret: str | None, logged: str
) -> None:
    tenant = TelegramTenant(stack)
    assert tenant.deliver(text_update(next(_update_ids), tenant.chat_id, "hallo"), secret) == 403
    assert stack.webhook_api.sent(tenant.chat_id) == []
    log = stack.log("rasa")
    assert f"Telegram webhook call refused: {logged}" in log
    assert SECRET not in log and TOKEN not in log


def test_same_update_twice_gets_one_answer(stack: TelegramStack) -> None:
    tenant = TelegramTenant(stack)
    update = text_update(next(_update_ids), tenant.chat_id, "ik ben buitengesloten")
    assert tenant.deliver(update) == 200
    first = tenant.replies()
    assert tenant.deliver(update) == 200
    time.sleep(0.5)
    assert stack.webhook_api.sent(tenant.chat_id)[len(first) :] == []
    assert "Telegram update" in stack.log("rasa") and "arrived again" in stack.log("rasa")


def test_edited_message_is_ignored(stack: TelegramStack) -> None:
    tenant = TelegramTenant(stack)
    assert tenant.deliver(edited_update(next(_update_ids), tenant.chat_id, "hallo?")) == 200
    time.sleep(0.5)
    assert stack.webhook_api.sent(tenant.chat_id) == []


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"{kapot", "geen geldige JSON"),  # malformed JSON
        (b'{"message": {"text": "hoi"}}', "geen Telegram-update"),  # no update_id
    ],
)
def test_bad_bodies_get_400_and_the_server_keeps_serving(
    stack: TelegramStack, data: bytes, reason: str
) -> None:
    assert post(f"{stack.url}/webhooks/telegram/webhook", data) == (400, {"error": reason})
    assert "Wat is er aan de hand" in said(TelegramTenant(stack).say("hallo"))


def test_photo_is_stored_and_acknowledged(stack: TelegramStack) -> None:
    tenant = TelegramTenant(stack)
    stack.webhook_api.add_file(f"foto-{tenant.chat_id}", JPEG)
    update = photo_update(next(_update_ids), tenant.chat_id, f"foto-{tenant.chat_id}", len(JPEG))
    assert tenant.deliver(update) == 200
    assert "foto" in said(tenant.replies())
    with database(stack.database_url) as session:
        [attachment] = session.execute(
            select(Attachment).where(Attachment.conversation_id == f"tg-{tenant.chat_id}")
        ).scalars()
        assert attachment.content_type == "image/jpeg" and attachment.size == len(JPEG)
        assert (stack.uploads / attachment.path).read_bytes() == JPEG


def test_agent_reply_through_rasa_api(stack: TelegramStack) -> None:
    tenant = TelegramTenant(stack)
    tenant.say("hallo")
    reply = "Goedenavond, ik bel u over vijf minuten."
    assert stack.agent_says(f"tg-{tenant.chat_id}", reply, "telegram") == 200
    assert said(tenant.replies()) == "Medewerker Sanne: Goedenavond, ik bel u over vijf minuten."


def test_polling_mode(stack: TelegramStack) -> None:
    api, chat_id = stack.polling_api, next(_chat_ids)
    api.queue_update(text_update(1, chat_id, "/start"))
    api.wait_until(
        lambda: find_button(api.sent(chat_id), "/melding_gaslek") is not None,
        30,
        "topic buttons",
    )
    question = find_button(api.sent(chat_id), "/melding_gaslek")
    assert question is not None
    api.queue_update(callback_update(2, chat_id, "/melding_gaslek", question))
    api.wait_until(lambda: "0800-9009" in said(api.sent(chat_id)), 30, "gas safety instructions")
    assert api.calls_to("answerCallbackQuery")
    assert stack.webhook_api.sent(chat_id) == []  # the webhook server knows nothing of it
    assert "Telegram channel on: polling mode, bot @DeLindeDemoBot" in stack.log("rasa-polling")


def test_token_never_in_the_logs(stack: TelegramStack) -> None:
    for name in ("rasa", "rasa-polling", "actions"):
        assert TOKEN not in stack.log(name), name


def test_polling_stops_cleanly_with_the_server(stack: TelegramStack) -> None:
    # Runs last: stops the polling server while its getUpdates call waits at the fake.
    api, server = stack.polling_api, stack.processes[2]
    server.terminate()
    assert server.wait(timeout=30) == 0
    log = stack.log("rasa-polling")
    assert "Telegram channel stopped" in log
    assert "Traceback" not in log and "was destroyed but it is pending" not in log
    # The handled updates were confirmed, so a restart does not get them again.
    assert api.calls_to("getUpdates")[-1]["offset"] == 3
