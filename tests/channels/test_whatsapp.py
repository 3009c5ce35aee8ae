"""The WhatsApp channel at unit level: signatures, parsing, message building, window, dedupe.

Sending goes to the real fake Graph API (tests/fakes/graph_api.py) over HTTP; the bot is
played by a function that records what it gets and answers like Rasa would.
"""

from __future__ import annotations

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
from rasa.core.channels.channel import UserMessage

from channels.common.apology import APOLOGY, ActionServer
from channels.common.bounded import Bounded
from channels.whatsapp import UNSUPPORTED_TEXT, WhatsAppInput
from channels.whatsapp import messages as build
from channels.whatsapp.output import WhatsAppOutput, agent_text, wa_id_of, window_open
from channels.whatsapp.settings import WhatsAppSettings, missing_variables, settings_from_env
from channels.whatsapp.state import ChannelState
from channels.whatsapp.webhook import (
    IMAGE,
    REPLY,
    TEXT,
    UNSUPPORTED,
    MalformedWebhook,
    parse_webhook,
    sign,
    signature_status,
)
from devstack.ports import free_port
from tests.fakes.graph_api import (
    ACCESS_TOKEN,
    APP_SECRET,
    DISPLAY_NUMBER,
    PHONE_NUMBER_ID,
    VERIFY_TOKEN,
    FakeGraphApi,
    MetaWebhooks,
    message_problem,
    running_graph_api,
    tiny_jpeg,
)

WA_ID = "31612345678"
SENDER = f"wa-{WA_ID}"
HOUR = 3600.0
START = 1_800_000_000.0

# utter_vraag_probleem of domain.yml: ten topic buttons.
TOPICS = [
    ("Geen verwarming of warm water", "cv_storing"),
    ("Water komt naar binnen", "lekkage_woning"),
    ("Leiding of kraan lekt", "lekkage_waterleiding"),
    ("Afvoer of wc verstopt of lekt", "lekkage_afvoer"),
    ("Ik ruik gas", "gaslek"),
    ("Geen stroom", "elektra"),
    ("Buitengesloten", "buitensluiting"),
    ("Inbraak", "inbraak"),
    ("Ruit kapot", "glasschade"),
    ("Iets anders", "overig"),
]
TOPIC_BUTTONS = [
    {"title": title, "payload": f'/kies_onderwerp{{"topic": "{code}"}}'} for title, code in TOPICS
]
YES_NO_UNKNOWN = [
    {"title": "Ja", "payload": '/inform{"leiding_afsluitbaar": true}'},
    {"title": "Nee", "payload": '/inform{"leiding_afsluitbaar": false}'},
    {"title": "Weet ik niet", "payload": "/weet_niet"},
]


class Clock:
    """A clock tests move by hand."""

    def __init__(self, now: float | None = None) -> None:
        # Starts at the real time: Meta's webhooks carry real timestamps.
        self.now = time.time() if now is None else now

    def __call__(self) -> float:
        return self.now


def settings(api_url: str = "http://127.0.0.1:9", redis_url: str | None = None) -> WhatsAppSettings:
    return WhatsAppSettings(
        access_token=ACCESS_TOKEN,
        app_secret=APP_SECRET,
        verify_token=VERIFY_TOKEN,
        phone_number_id=PHONE_NUMBER_ID,
        display_number=DISPLAY_NUMBER,
        api_url=api_url,
        redis_url=redis_url,
    )


class Bot:
    """Plays Rasa: records the messages and answers each one through its output channel."""

    def __init__(self, answer: str | None = "Dank u.", fail: bool = False) -> None:
        self.received: list[UserMessage] = []
        self.answer = answer
        self.fail = fail

    async def __call__(self, message: UserMessage) -> None:
        self.received.append(message)
        if self.fail:
            raise RuntimeError("the bot broke")
        if self.answer:
            await message.output_channel.send_response(message.sender_id, {"text": self.answer})

    @property
    def texts(self) -> list[str]:
        return [m.text or "" for m in self.received]


@pytest.fixture(scope="module")
def graph_server() -> Iterator[FakeGraphApi]:
    with running_graph_api() as graph:
        yield graph


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def graph(graph_server: FakeGraphApi, clock: Clock) -> FakeGraphApi:
    # One server for the module; each test starts with a clean record and its own clock.
    graph_server.requests.clear()
    graph_server.media.clear()
    graph_server.last_customer_message.clear()
    graph_server.clock = clock
    return graph_server


@pytest.fixture
async def channel(graph: FakeGraphApi, clock: Clock) -> AsyncIterator[WhatsAppInput]:
    running = WhatsAppInput(settings(graph.url), clock=clock)
    yield running
    await running.close()


@pytest.fixture
def meta(graph: FakeGraphApi) -> MetaWebhooks:
    return MetaWebhooks(graph=graph)


async def deliver(
    channel: WhatsAppInput, payload: Any, bot: Bot, signature: str | None = "valid"
) -> tuple[int, dict[str, Any]]:
    """POST a webhook to the channel as Meta would and wait until it is handled."""
    body = json.dumps(payload).encode() if not isinstance(payload, bytes) else payload
    header = sign(APP_SECRET, body) if signature == "valid" else signature
    status, answer = await channel.receive(body, header, bot)
    await channel.drain(10)
    return status, answer


def customer_wrote(graph: FakeGraphApi, channel: WhatsAppInput, at: float) -> Any:
    """Both sides know the tenant wrote at ``at`` (as after a real inbound message)."""
    graph.customer_wrote(WA_ID, at)
    return channel.state.note_inbound(WA_ID, at)


# --- signatures -----------------------------------------------------------------------------

BODY = b'{"object":"whatsapp_business_account","entry":[]}'


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (sign(APP_SECRET, BODY), None),  # Meta's own signature
        (f"  {sign(APP_SECRET, BODY)} ", None),  # surrounding blanks from a proxy
        (None, 401),  # no header at all
        ("", 401),  # an empty header
        (sign("another-secret", BODY), 403),  # signed with another app's secret
        (sign(APP_SECRET, BODY + b" "), 403),  # the body was changed after signing
        (sign(APP_SECRET, BODY).removeprefix("sha256="), 403),  # the prefix is missing
        ("sha1=" + sign(APP_SECRET, BODY)[7:], 403),  # the old SHA-1 header's format
        (sign(APP_SECRET, BODY).upper(), 403),  # not the form Meta sends
        ("sha256=é", 403),  # not even ASCII
    ],
)
def test_signature(header: str | None, expected: int | None) -> None:
    assert signature_status(APP_SECRET, BODY, header) == expected


# --- parsing what Meta sends ----------------------------------------------------------------

META = MetaWebhooks()


@pytest.mark.parametrize(
    ("payload", "kind", "text", "title", "media_id"),
    [
        # plain text
        (META.text(WA_ID, "de cv doet het niet"), TEXT, "de cv doet het niet", None, None),
        # a reply button: its id is the Rasa payload
        (
            META.button_reply(WA_ID, '/inform{"leiding_afsluitbaar": false}', "Nee"),
            REPLY,
            '/inform{"leiding_afsluitbaar": false}',
            "Nee",
            None,
        ),
        # a list row
        (
            META.list_reply(WA_ID, '/kies_onderwerp{"topic": "gaslek"}', "Ik ruik gas"),
            REPLY,
            '/kies_onderwerp{"topic": "gaslek"}',
            "Ik ruik gas",
            None,
        ),
        # a template's quick-reply button
        (META.message(WA_ID, "button", {"payload": "ja", "text": "Ja"}), REPLY, "ja", "Ja", None),
        # a photo with a caption
        (
            META.image(WA_ID, "media-1", caption="plafond lekt"),
            IMAGE,
            None,
            "plafond lekt",
            "media-1",
        ),
        # a photo sent as a document keeps its quality and is still a photo
        (
            META.message(WA_ID, "document", {"id": "media-2", "mime_type": "image/png"}),
            IMAGE,
            None,
            None,
            "media-2",
        ),
        # a PDF is no photo
        (
            META.message(WA_ID, "document", {"id": "m3", "mime_type": "application/pdf"}),
            UNSUPPORTED,
            None,
            None,
            None,
        ),
        # a voice message
        (META.message(WA_ID, "audio", {"id": "m4", "voice": True}), UNSUPPORTED, None, None, None),
        # a location pin
        (
            META.message(WA_ID, "location", {"latitude": 52.1, "longitude": 5.1}),
            UNSUPPORTED,
            None,
            None,
            None,
        ),
        # a sticker
        (META.message(WA_ID, "sticker", {"id": "m5"}), UNSUPPORTED, None, None, None),
        # a WhatsApp Flow's answer: not something we send
        (
            META.message(WA_ID, "interactive", {"type": "nfm_reply", "nfm_reply": {}}),
            UNSUPPORTED,
            None,
            None,
            None,
        ),
    ],
)
def test_inbound_types(
    payload: dict[str, Any], kind: str, text: str | None, title: str | None, media_id: str | None
) -> None:
    [message] = parse_webhook(json.dumps(payload).encode()).messages
    assert (message.kind, message.text, message.title, message.media_id) == (
        kind,
        text,
        title,
        media_id,
    )
    assert message.wa_id == WA_ID and message.phone_number_id == PHONE_NUMBER_ID
    sent = payload["entry"][0]["changes"][0]["value"]["messages"][0]["timestamp"]
    assert message.timestamp == float(sent)


def test_reactions_and_other_fields_need_no_answer() -> None:
    reaction = META.message(WA_ID, "reaction", {"message_id": "wamid.x", "emoji": "👍"})
    assert parse_webhook(json.dumps(reaction).encode()).messages == []
    template_review = {
        "object": "whatsapp_business_account",
        "entry": [
            {"id": "1", "changes": [{"field": "message_template_status_update", "value": {}}]}
        ],
    }
    assert parse_webhook(json.dumps(template_review).encode()).ignored == 1


def test_status_callbacks() -> None:
    failed = META.status(
        "wamid.1", "failed", WA_ID, errors=[{"code": 131026, "title": "Undeliverable"}]
    )
    [status] = parse_webhook(json.dumps(failed).encode()).statuses
    assert (status.message_id, status.status, status.errors) == (
        "wamid.1",
        "failed",
        ("131026: Undeliverable",),
    )


def _without(path: list[Any]) -> bytes:
    payload = META.text(WA_ID, "hoi")
    target = payload
    for key in path[:-1]:
        target = target[key]
    del target[path[-1]]
    return json.dumps(payload).encode()


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"{not json", "geen JSON"),  # broken JSON
        (b"\xff\xfe", "geen JSON"),  # not even text
        (b"[1, 2]", "body is geen object"),  # JSON, but a list
        (b'{"object": "page", "entry": []}', "whatsapp_business_account"),  # Messenger's webhook
        (b'{"object": "whatsapp_business_account", "entry": {}}', "entry is geen lijst"),
        (b'{"object": "whatsapp_business_account", "entry": [5]}', "entry is geen object"),
        (_without(["entry", 0, "changes", 0, "value", "messages", 0, "id"]), "message.id"),
        (_without(["entry", 0, "changes", 0, "value", "messages", 0, "from"]), "message.from"),
        (_without(["entry", 0, "changes", 0, "value", "messages", 0, "text", "body"]), "text.body"),
        (
            json.dumps(META.envelope({"statuses": {"id": "x"}})).encode(),
            "statuses is geen lijst",
        ),
    ],
    # Named by the reason: the bodies hold random message ids, the same on no two xdist workers.
    ids=lambda value: value if isinstance(value, str) else "body",
)
def test_malformed_webhooks(body: bytes, reason: str) -> None:
    with pytest.raises(MalformedWebhook, match=reason):
        parse_webhook(body)


# --- building messages ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "limit", "expected"),
    [
        ("Ja", 20, "Ja"),  # fits
        ("Geen verwarming of warm water", 24, "Geen verwarming of…"),  # cut after a word
        ("Afvoer of wc verstopt of lekt", 20, "Afvoer of wc…"),  # button limit
        ("Onwaarschijnlijklangwoordzondergaten", 20, "Onwaarschijnlijklan…"),  # no space: cut
        ("  Weet   ik\nniet ", 20, "Weet ik niet"),  # white space tidied
    ],
)
def test_shorten(title: str, limit: int, expected: str) -> None:
    assert build.shorten(title, limit) == expected
    assert len(build.shorten(title, limit)) <= limit


@pytest.mark.parametrize(
    ("text", "limit", "parts"),
    [
        ("kort", 4096, ["kort"]),  # one part
        ("a" * 4096, 4096, ["a" * 4096]),  # exactly the limit
        ("woord " * 1000, 4096, None),  # cut between words
        ("x" * 9000, 4096, ["x" * 4096, "x" * 4096, "x" * 808]),  # no break at all
        ("alinea een\n\nalinea twee", 15, ["alinea een", "alinea twee"]),  # at the paragraph
    ],
)
def test_split_text(text: str, limit: int, parts: list[str] | None) -> None:
    found = build.split_text(text, limit)
    assert all(len(part) <= limit for part in found)
    if parts is not None:
        assert found == parts
    else:
        assert " ".join(found).split() == text.split()


@pytest.mark.parametrize(
    ("count", "expected_type"),
    [
        (1, "button"),  # one button
        (3, "button"),  # Ja / Nee / Weet ik niet
        (4, "list"),  # a triage question with four answers
        (6, "list"),  # the wijzig list
        (10, "list"),  # utter_vraag_probleem
    ],
)
def test_interactive_form_by_number_of_choices(count: int, expected_type: str) -> None:
    choices = build.choices_from_buttons(TOPIC_BUTTONS[:count])
    builder = build.button_body if count <= build.MAX_BUTTONS else build.list_body
    limit = build.MAX_BUTTON_ID if count <= build.MAX_BUTTONS else build.MAX_ROW_ID
    body = builder("Wat is er aan de hand?", choices, build.reply_ids(choices, limit))
    assert body["interactive"]["type"] == expected_type
    # WhatsApp itself would accept it:
    assert message_problem(build.addressed(WA_ID, body)) is None


def test_list_rows_keep_the_full_title_as_description() -> None:
    choices = build.choices_from_buttons(TOPIC_BUTTONS)
    body = build.list_body("Kies", choices, build.reply_ids(choices, build.MAX_ROW_ID))
    rows = body["interactive"]["action"]["sections"][0]["rows"]
    assert rows[0] == {
        "id": '/kies_onderwerp{"topic": "cv_storing"}',
        "title": "Geen verwarming of…",
        "description": "Geen verwarming of warm water",
    }
    assert rows[4] == {"id": '/kies_onderwerp{"topic": "gaslek"}', "title": "Ik ruik gas"}
    assert body["interactive"]["action"]["button"] == "Kies"


@pytest.mark.parametrize(
    ("payloads", "tokens"),
    [
        (["/a", "/b"], [False, False]),  # short payloads are the ids
        (["/x" + "a" * 300], [True]),  # too long: a token stands in
        (["/a", "/a"], [False, True]),  # the same payload twice: the repeat gets a token
        (["mk:zelfgemaakt"], [True]),  # a payload that looks like a token is never sent raw
    ],
)
def test_reply_ids(payloads: list[str], tokens: list[bool]) -> None:
    choices = [build.Choice(f"keuze {i}", p) for i, p in enumerate(payloads)]
    ids = build.reply_ids(choices, build.MAX_BUTTON_ID)
    assert [i.startswith(build.TOKEN_PREFIX) for i in ids] == tokens
    assert len(set(ids)) == len(ids) and all(len(i) <= build.MAX_BUTTON_ID for i in ids)


def test_equal_titles_after_shortening_are_numbered() -> None:
    choices = [build.Choice("Lekkage in de badkamer boven", f"/p{i}") for i in range(2)]
    body = build.button_body("?", choices, build.reply_ids(choices, 256))
    titles = [b["reply"]["title"] for b in body["interactive"]["action"]["buttons"]]
    assert titles == ["Lekkage in de…", "Lekkage in de… 2"]
    assert message_problem(build.addressed(WA_ID, body)) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Goedemorgen", "Goedemorgen"),  # as is
        ("regel een\nregel twee", "regel een | regel twee"),  # no new lines in a parameter
        ("a\tb     c", "a b c"),  # no tabs or runs of spaces
        ("x " * 600, None),  # shortened to fit the template
    ],
)
def test_template_parameter(text: str, expected: str | None) -> None:
    parameter = build.template_parameter(text)
    if expected is not None:
        assert parameter == expected
    assert len(parameter) <= build.MAX_PARAMETER and "\n" not in parameter


# --- the 24-hour window -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("last", "now", "open_"),
    [
        (None, START, False),  # the tenant never wrote (or we forgot): template
        (START, START, True),  # just now
        (START, START + 23 * HOUR, True),  # 23 hours later
        (START, START + 24 * HOUR - 1, True),  # one second before the window closes
        (START, START + 24 * HOUR, False),  # exactly 24 hours: closed
        (START, START + 30 * HOUR, False),  # an agent answering the next day
    ],
)
def test_window_open(last: float | None, now: float, open_: bool) -> None:
    assert window_open(last, now) is open_


@pytest.mark.parametrize(
    ("recipient", "wa_id"),
    [
        ("wa-31612345678", "31612345678"),  # our conversation ids
        ("web-0123", None),  # a web chat conversation
        ("wa-31 6", None),  # not a number
        ("31612345678", None),  # without the prefix
    ],
)
def test_wa_id_of(recipient: str, wa_id: str | None) -> None:
    assert wa_id_of(recipient) == wa_id


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ({"text": "Ik kom eraan.", "agent": "Sanne"}, "Medewerker Sanne: Ik kom eraan."),
        ({"text": "Ik kom eraan.", "agent": ""}, "Medewerker: Ik kom eraan."),  # no name given
        ({"text": " Ja ", "agent": " Jan  de Vries "}, "Medewerker Jan de Vries: Ja"),  # tidied
    ],
)
def test_agent_text(message: dict[str, Any], expected: str) -> None:
    assert agent_text(message) == expected


async def test_late_agent_reply_goes_as_template(
    channel: WhatsAppInput, graph: FakeGraphApi, clock: Clock
) -> None:
    await customer_wrote(graph, channel, clock.now)
    output = channel.get_output_channel()
    assert isinstance(output, WhatsAppOutput)
    agent = {"text": "Ik kijk ernaar.", "from": "agent", "agent": "Sanne"}
    await output.send_response(SENDER, dict(agent))
    clock.now += 25 * HOUR
    await output.send_response(SENDER, dict(agent))
    free, late = graph.sent(WA_ID)
    assert free["type"] == "text" and free["text"]["body"] == "Medewerker Sanne: Ik kijk ernaar."
    assert late["type"] == "template"
    assert late["template"]["name"] == "meldkamer_update"
    assert late["template"]["language"] == {"code": "nl"}
    assert late["template"]["components"][0]["parameters"][0]["text"] == (
        "Medewerker Sanne: Ik kijk ernaar."
    )
    assert graph.refused() == []


async def test_template_when_whatsapp_says_the_window_closed(
    channel: WhatsAppInput, graph: FakeGraphApi, clock: Clock
) -> None:
    # We believe the tenant wrote an hour ago; WhatsApp knows better (error 131047).
    await channel.state.note_inbound(WA_ID, clock.now - HOUR)
    graph.customer_wrote(WA_ID, clock.now - 30 * HOUR)
    output = channel.get_output_channel()
    assert output is not None
    await output.send_text_message(SENDER, "Uw melding is ingepland.")
    assert [r.body["type"] for r in graph.requests] == ["text", "template"]
    assert [m["type"] for m in graph.sent(WA_ID)] == ["template"]


async def test_buttons_outside_the_window_become_a_numbered_template(
    channel: WhatsAppInput, graph: FakeGraphApi, clock: Clock
) -> None:
    output = channel.get_output_channel()
    assert output is not None
    await output.send_text_with_buttons(SENDER, "Is het opgelost?", YES_NO_UNKNOWN)
    [sent] = graph.sent(WA_ID)
    parameter = sent["template"]["components"][0]["parameters"][0]["text"]
    assert parameter.startswith("Is het opgelost? | 1. Ja | 2. Nee | 3. Weet ik niet")
    assert await channel.state.take_choice(WA_ID, "2") == '/inform{"leiding_afsluitbaar": false}'


# --- sending within the window ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("buttons", "kind"),
    [
        (YES_NO_UNKNOWN[:2], "button"),  # Ja / Nee
        (YES_NO_UNKNOWN, "button"),  # with "Weet ik niet"
        (YES_NO_UNKNOWN + [{"title": "Soms", "payload": "/inform{}"}], "list"),  # four answers
        (TOPIC_BUTTONS, "list"),  # the ten topics
    ],
)
async def test_buttons_are_sent_interactively(
    channel: WhatsAppInput,
    graph: FakeGraphApi,
    clock: Clock,
    buttons: list[dict[str, Any]],
    kind: str,
) -> None:
    await customer_wrote(graph, channel, clock.now)
    output = channel.get_output_channel()
    assert output is not None
    await output.send_response(SENDER, {"text": "Kunt u de leiding afsluiten?", "buttons": buttons})
    [sent] = graph.sent(WA_ID)
    assert sent["type"] == "interactive" and sent["interactive"]["type"] == kind
    assert sent["interactive"]["body"]["text"] == "Kunt u de leiding afsluiten?"


async def test_more_than_ten_choices_are_numbered_and_answered_by_number(
    channel: WhatsAppInput, graph: FakeGraphApi, clock: Clock, meta: MetaWebhooks
) -> None:
    buttons = TOPIC_BUTTONS + [
        {"title": "Storm", "payload": '/kies_onderwerp{"topic": "storm"}'},
        {"title": "Brand", "payload": '/kies_onderwerp{"topic": "brand"}'},
    ]
    await customer_wrote(graph, channel, clock.now)
    output = channel.get_output_channel()
    assert output is not None
    await output.send_text_with_buttons(SENDER, "Waar gaat het over?", buttons)
    [sent] = graph.sent(WA_ID)
    assert sent["type"] == "text"
    body = sent["text"]["body"]
    assert "\n1. Geen verwarming of warm water\n" in body and "\n12. Brand\n" in body
    assert body.endswith("Antwoord met het nummer van uw keuze.")
    bot = Bot(answer=None)
    await deliver(channel, meta.text(WA_ID, " 12 "), bot)
    # Numbers only count for the very next message: a later "3" is just "3".
    await deliver(channel, meta.text(WA_ID, "3"), bot)
    assert bot.texts == ['/kies_onderwerp{"topic": "brand"}', "3"]


async def test_long_payload_travels_as_token(
    channel: WhatsAppInput, graph: FakeGraphApi, clock: Clock, meta: MetaWebhooks
) -> None:
    long_payload = '/inform{"beschrijving": "' + "x" * 300 + '"}'
    await customer_wrote(graph, channel, clock.now)
    output = channel.get_output_channel()
    assert output is not None
    await output.send_text_with_buttons(
        SENDER, "Klopt dit?", [{"title": "Ja", "payload": long_payload}]
    )
    [sent] = graph.sent(WA_ID)
    reply_id = sent["interactive"]["action"]["buttons"][0]["reply"]["id"]
    assert reply_id.startswith("mk:") and len(reply_id) <= 256
    bot = Bot(answer=None)
    await deliver(channel, meta.button_reply(WA_ID, reply_id, "Ja"), bot)
    # A token nobody knows (another server without Redis, long ago) falls back to the title.
    await deliver(channel, meta.button_reply(WA_ID, "mk:onbekend", "Nee"), bot)
    assert bot.texts == [long_payload, "Nee"]


async def test_long_text_is_split_and_long_question_body_goes_first(
    channel: WhatsAppInput, graph: FakeGraphApi, clock: Clock
) -> None:
    await customer_wrote(graph, channel, clock.now)
    output = channel.get_output_channel()
    assert output is not None
    await output.send_text_message(SENDER, "woord " * 1500)
    await output.send_text_with_buttons(SENDER, "uitleg " * 200 + "\n\nKlopt dit?", YES_NO_UNKNOWN)
    kinds = [m["type"] for m in graph.sent(WA_ID)]
    assert kinds == ["text", "text", "text", "text", "interactive"]
    assert graph.sent(WA_ID)[-1]["interactive"]["body"]["text"] == "Klopt dit?"
    assert graph.refused() == []


async def test_image_and_foreign_recipients(
    channel: WhatsAppInput, graph: FakeGraphApi, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    await customer_wrote(graph, channel, clock.now)
    output = channel.get_output_channel()
    assert output is not None
    await output.send_response(
        SENDER, {"text": "Zo ziet de kraan eruit:", "image": "https://x.test/k.jpg"}
    )
    with caplog.at_level(logging.WARNING):
        await output.send_text_message("web-0123", "hoi")  # not a WhatsApp conversation
    assert [m["type"] for m in graph.sent()] == ["text", "image"]
    assert graph.sent()[1]["image"] == {"link": "https://x.test/k.jpg"}
    assert "not a WhatsApp conversation" in caplog.text


async def test_graph_errors_are_logged_not_raised(
    clock: Clock, graph: FakeGraphApi, caplog: pytest.LogCaptureFixture
) -> None:
    wrong_token = WhatsAppInput(
        WhatsAppSettings(**{**settings(graph.url).__dict__, "access_token": "verkeerd"}),
        clock=clock,
    )
    await customer_wrote(graph, wrong_token, clock.now)
    output = wrong_token.get_output_channel()
    assert output is not None
    with caplog.at_level(logging.ERROR):
        await output.send_text_message(SENDER, "hoi")
    await wrong_token.close()
    assert "code 190" in caplog.text and "verkeerd" not in caplog.text


@pytest.mark.parametrize(
    ("outage", "delivered", "logged"),
    [
        ([500], 1, ""),  # one server error: retried, delivered
        ([503, 502], 0, "HTTP 502"),  # still failing: logged, the bot's turn goes on
        ([429], 0, "HTTP 429"),  # rate limited: not hammered again
    ],
)
async def test_graph_outages(
    channel: WhatsAppInput,
    graph: FakeGraphApi,
    clock: Clock,
    caplog: pytest.LogCaptureFixture,
    outage: list[int],
    delivered: int,
    logged: str,
) -> None:
    await customer_wrote(graph, channel, clock.now)
    graph.outage = list(outage)
    output = channel.get_output_channel()
    assert output is not None
    with caplog.at_level(logging.ERROR):
        await output.send_text_message(SENDER, "hoi")
    graph.outage = []
    assert len(graph.sent(WA_ID)) == delivered
    assert logged in caplog.text


async def test_graph_unreachable_is_logged_not_raised(
    clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    nowhere = WhatsAppInput(settings(f"http://127.0.0.1:{free_port()}"), clock=clock)
    await nowhere.state.note_inbound(WA_ID, clock.now)
    output = nowhere.get_output_channel()
    assert output is not None
    with caplog.at_level(logging.ERROR):
        await output.send_text_message(SENDER, "hoi")
    await nowhere.close()
    assert "unreachable" in caplog.text


def test_secrets_in_credentials_yml_are_ignored(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    for name in ("WHATSAPP_ACCESS_TOKEN", "WHATSAPP_APP_SECRET"):
        monkeypatch.delenv(name, raising=False)
    with caplog.at_level(logging.WARNING):
        channel = WhatsAppInput.from_credentials({"access_token": "in-een-bestand"})
    assert isinstance(channel, WhatsAppInput) and channel.settings is None
    assert "ignored" in caplog.text and "in-een-bestand" not in caplog.text


# --- receiving ----------------------------------------------------------------------------------


async def test_text_becomes_a_user_message(
    channel: WhatsAppInput, meta: MetaWebhooks, graph: FakeGraphApi
) -> None:
    bot = Bot()
    status, _ = await deliver(channel, meta.text(WA_ID, "de cv is stuk"), bot)
    assert status == 200
    [message] = bot.received
    assert (message.text, message.sender_id, message.input_channel) == (
        "de cv is stuk",
        SENDER,
        "whatsapp",
    )
    # The profile name of the webhook's contacts travels along for the action to check.
    assert message.metadata == {
        "entry": {"kind": "whatsapp", "key": DISPLAY_NUMBER},
        "sender_name": "Fatima",
    }
    assert graph.sent(WA_ID)[0]["text"]["body"] == "Dank u."


@pytest.mark.parametrize(
    ("header", "status", "logged"),
    [
        (None, 401, "missing signature"),  # no header
        ("sha256=" + "0" * 64, 403, "wrong signature"),  # forged
    ],
)
async def test_unsigned_or_forged_posts_are_refused(
    channel: WhatsAppInput,
    meta: MetaWebhooks,
    header: str | None,
    status: int,
    logged: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    bot = Bot()
    with caplog.at_level(logging.WARNING):
        code, _ = await deliver(channel, meta.text(WA_ID, "hoi"), bot, signature=header)
    assert code == status and bot.received == []
    assert logged in caplog.text and APP_SECRET not in caplog.text


async def test_malformed_body_after_a_good_signature_is_a_400(channel: WhatsAppInput) -> None:
    status, answer = await deliver(channel, b'{"object": "whatsapp_business_account"}', Bot())
    assert status == 400 and answer == {"error": "body.entry is geen lijst"}


async def test_the_same_message_twice_is_handled_once(
    channel: WhatsAppInput, meta: MetaWebhooks, graph: FakeGraphApi
) -> None:
    bot = Bot()
    payload = meta.text(WA_ID, "hoi", message_id="wamid.dubbel")
    assert (await deliver(channel, payload, bot))[0] == 200
    assert (await deliver(channel, payload, bot))[0] == 200
    assert bot.texts == ["hoi"] and len(graph.sent(WA_ID)) == 1


async def test_status_callbacks_are_accepted_quietly(
    channel: WhatsAppInput,
    meta: MetaWebhooks,
    graph: FakeGraphApi,
    caplog: pytest.LogCaptureFixture,
) -> None:
    bot = Bot()
    with caplog.at_level(logging.DEBUG, logger="channels.whatsapp"):
        for status in ("sent", "delivered", "read"):
            assert (await deliver(channel, meta.status("wamid.1", status, WA_ID), bot))[0] == 200
        failed = meta.status(
            "wamid.2", "failed", WA_ID, errors=[{"code": 131047, "title": "Re-engagement"}]
        )
        assert (await deliver(channel, failed, bot))[0] == 200
    assert bot.received == [] and graph.requests == []
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert [r.getMessage() for r in warnings] == [
        "WhatsApp: message wamid.2 failed: 131047: Re-engagement"
    ]
    assert WA_ID not in caplog.text  # no phone numbers in the log


async def test_errors_while_handling_are_logged_and_still_200(
    channel: WhatsAppInput, meta: MetaWebhooks, caplog: pytest.LogCaptureFixture
) -> None:
    bot = Bot(fail=True)
    with caplog.at_level(logging.ERROR):
        status, _ = await deliver(channel, meta.text(WA_ID, "hoi"), bot)
    assert status == 200 and "could not be handled" in caplog.text


@pytest.mark.parametrize(
    ("kind", "content"),
    [
        ("audio", {"id": "m1", "voice": True}),  # a voice message
        ("location", {"latitude": 52.37, "longitude": 4.89}),  # a location pin
        ("sticker", {"id": "m2", "animated": False}),  # a sticker
        ("video", {"id": "m3", "mime_type": "video/mp4"}),  # a video
    ],
)
async def test_other_types_get_a_dutch_answer(
    channel: WhatsAppInput,
    meta: MetaWebhooks,
    graph: FakeGraphApi,
    kind: str,
    content: dict[str, Any],
) -> None:
    bot = Bot()
    await deliver(channel, meta.message(WA_ID, kind, content), bot)
    assert bot.received == []
    assert [m["text"]["body"] for m in graph.sent(WA_ID)] == [UNSUPPORTED_TEXT]


async def test_a_photo_is_downloaded_stored_and_announced(
    channel: WhatsAppInput,
    meta: MetaWebhooks,
    graph: FakeGraphApi,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MELDKAMER_UPLOAD_DIR", str(tmp_path))
    jpeg = tiny_jpeg()
    graph.add_media("media-77", jpeg)
    bot = Bot(answer=None)
    await deliver(channel, meta.image(WA_ID, "media-77", caption="lekkage plafond"), bot)
    photo, caption = bot.received
    assert photo.text == "/foto" and caption.text == "lekkage plafond"
    metadata = photo.metadata or {}
    assert metadata["content_type"] == "image/jpeg" and metadata["size"] == len(jpeg)
    assert (tmp_path / metadata["photo"]).read_bytes() == jpeg
    assert metadata["entry"] == {"kind": "whatsapp", "key": DISPLAY_NUMBER}
    # Both Graph requests carried the token.
    assert [r.path for r in graph.requests] == ["/media-77", "/media-download/media-77"]
    assert all(r.authorized for r in graph.requests)


@pytest.mark.parametrize(
    ("data", "mime_type", "answer"),
    [
        (b"%PDF-1.4 geen foto", "image/jpeg", "Dit bestand is geen foto"),  # says image, is not
        (b"\xff\xd8\xff" + b"0" * (10 * 1024 * 1024), "image/jpeg", "te groot"),  # over 10 MB
        (None, "image/jpeg", "lukte niet"),  # Graph does not know the media id
    ],
)
async def test_bad_photos_are_refused_in_dutch(
    channel: WhatsAppInput,
    meta: MetaWebhooks,
    graph: FakeGraphApi,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    data: bytes | None,
    mime_type: str,
    answer: str,
) -> None:
    monkeypatch.setenv("MELDKAMER_UPLOAD_DIR", str(tmp_path))
    if data is not None:
        graph.add_media("media-9", data, mime_type)
    bot = Bot()
    await deliver(channel, meta.image(WA_ID, "media-9", mime_type=mime_type), bot)
    assert bot.received == []
    assert answer in graph.sent(WA_ID)[0]["text"]["body"]
    assert list(tmp_path.rglob("*.*")) == []


async def test_messages_for_another_number_are_not_ours(
    channel: WhatsAppInput, graph: FakeGraphApi
) -> None:
    other = MetaWebhooks(phone_number_id="999", graph=graph)
    bot = Bot()
    assert (await deliver(channel, other.text(WA_ID, "hoi"), bot))[0] == 200
    assert bot.received == []


async def test_a_late_retry_does_not_reopen_the_window(
    channel: WhatsAppInput, meta: MetaWebhooks, graph: FakeGraphApi, clock: Clock
) -> None:
    # Meta retried a message the tenant sent 30 hours ago: the answer must be a template.
    bot = Bot()
    await deliver(channel, meta.text(WA_ID, "hoi", timestamp=clock.now - 30 * HOUR), bot)
    assert await channel.state.last_inbound(WA_ID) == int(clock.now - 30 * HOUR)
    assert [m["type"] for m in graph.sent(WA_ID)] == ["template"]


# --- handshake and configuration ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "token", "challenge", "expected"),
    [
        ("subscribe", VERIFY_TOKEN, "1158201444", (200, "1158201444")),  # Meta's handshake
        ("subscribe", "verkeerd", "1158201444", (403, "forbidden")),  # wrong verify token
        ("unsubscribe", VERIFY_TOKEN, "1", (403, "forbidden")),  # another mode
        (None, None, None, (403, "forbidden")),  # a browser opening the URL
        ("subscribe", VERIFY_TOKEN, None, (400, "hub.challenge ontbreekt")),  # no challenge
    ],
)
def test_verification_handshake(
    mode: str | None, token: str | None, challenge: str | None, expected: tuple[int, str]
) -> None:
    assert WhatsAppInput(settings()).verify(mode, token, challenge) == expected


def test_missing_secrets_switch_the_channel_off(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    for name in ("WHATSAPP_ACCESS_TOKEN", "WHATSAPP_APP_SECRET", "WHATSAPP_VERIFY_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("WHATSAPP_PHONE_NUMBER_ID", PHONE_NUMBER_ID)
    monkeypatch.setenv("WHATSAPP_DISPLAY_NUMBER", DISPLAY_NUMBER)
    with caplog.at_level(logging.WARNING):
        channel = WhatsAppInput.from_credentials(None)
    assert isinstance(channel, WhatsAppInput) and channel.settings is None
    assert channel.get_output_channel() is None
    assert (
        "WhatsApp channel is OFF: environment variables missing: WHATSAPP_ACCESS_TOKEN, "
        "WHATSAPP_APP_SECRET, WHATSAPP_VERIFY_TOKEN" in caplog.text
    )
    blueprint = channel.blueprint(Bot())
    assert [route.uri for route in blueprint._future_routes] == ["/"]


def test_settings_from_env() -> None:
    env = {
        "WHATSAPP_ACCESS_TOKEN": ACCESS_TOKEN,
        "WHATSAPP_APP_SECRET": APP_SECRET,
        "WHATSAPP_VERIFY_TOKEN": VERIFY_TOKEN,
        "WHATSAPP_PHONE_NUMBER_ID": PHONE_NUMBER_ID,
        "WHATSAPP_DISPLAY_NUMBER": DISPLAY_NUMBER,
    }
    found = settings_from_env(env)
    assert found is not None and found.api_url == "https://graph.facebook.com/v19.0"
    assert (found.template, found.template_language, found.redis_url) == (
        "meldkamer_update",
        "nl",
        None,
    )
    assert ACCESS_TOKEN not in repr(found) and APP_SECRET not in repr(found)
    assert missing_variables({**env, "WHATSAPP_APP_SECRET": "  "}) == ["WHATSAPP_APP_SECRET"]
    custom = settings_from_env(
        {**env, "WHATSAPP_API_URL": "http://127.0.0.1:1/", "WHATSAPP_TEMPLATE": "t"}
    )
    assert custom is not None and (custom.api_url, custom.template) == ("http://127.0.0.1:1", "t")


def test_blueprint_when_on() -> None:
    routes = WhatsAppInput(settings()).blueprint(Bot())._future_routes
    assert sorted((r.uri, tuple(sorted(r.methods))) for r in routes) == [
        ("/", ("GET",)),
        ("/webhook", ("GET",)),
        ("/webhook", ("POST",)),
    ]


# --- dedupe and shared state ----------------------------------------------------------------------


async def test_memory_dedupe_is_bounded() -> None:
    state = ChannelState(size=3)
    assert [await state.first_time(i) for i in ("a", "b", "a", "c", "d")] == [
        True,
        True,
        False,
        True,
        True,
    ]
    # "a" was the oldest of four: forgotten (Meta's retries come within minutes, not after 10 000 others).
    assert await state.first_time("a") is True


def test_bounded_forgets_the_oldest() -> None:
    seen: Bounded[int] = Bounded(2)
    for key in "abc":
        seen.put(key, 1)
    assert "a" not in seen and len(seen) == 2


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    """A real redis-server on a free port (skipped when Redis is not installed)."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server not installed")
    port = free_port()
    server = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    server.terminate()
    server.wait(10)


async def test_two_servers_agree_through_redis(redis_url: str) -> None:
    first, second = ChannelState(redis_url), ChannelState(redis_url)
    try:
        message_id = f"wamid.{time.time_ns()}"
        # A retry landing on the other server is recognised.
        assert await first.first_time(message_id) is True
        assert await second.first_time(message_id) is False
        # The window and the numbered choices are shared too.
        await first.note_inbound("316", START)
        assert await second.last_inbound("316") == START
        await first.remember_choices("316", ["/a", "/b"])
        assert await second.take_choice("316", "2") == "/b"
        assert await first.take_choice("316", "2") is None  # used up on both
        await first.remember_payload("mk:1", "/lang")
        assert await second.payload_for("mk:1") == "/lang"
    finally:
        await first.close()
        await second.close()


async def test_redis_away_falls_back_to_memory(caplog: pytest.LogCaptureFixture) -> None:
    state = ChannelState(f"redis://127.0.0.1:{free_port()}/0")
    with caplog.at_level(logging.WARNING):
        assert await state.first_time("wamid.x") is True
        assert await state.first_time("wamid.x") is False
        await state.note_inbound("316", START)
        assert await state.last_inbound("316") == START
    await state.close()
    assert "Redis unavailable" in caplog.text


# --- the action server does not answer ---------------------------------------------------------


async def test_silence_with_the_action_server_down_gets_an_apology(
    graph: FakeGraphApi, clock: Clock, meta: MetaWebhooks
) -> None:
    channel = WhatsAppInput(
        settings(graph.url),
        clock=clock,
        action_server=ActionServer(f"http://127.0.0.1:{free_port()}/webhook"),
    )
    try:
        bot = Bot(answer=None)  # Rasa says nothing when its custom action fails
        assert (await deliver(channel, meta.text(WA_ID, "de cv is stuk"), bot))[0] == 200
        assert bot.texts == ["de cv is stuk"]
        assert [m["text"]["body"] for m in graph.sent(WA_ID)] == [APOLOGY]
        # An answer from the bot needs no apology, whatever the action server does.
        await deliver(channel, meta.text(WA_ID, "hallo"), Bot())
        assert [m["text"]["body"] for m in graph.sent(WA_ID)] == [APOLOGY, "Dank u."]
    finally:
        await channel.close()
