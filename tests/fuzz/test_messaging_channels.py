"""Bad input to the Telegram, WhatsApp and SMS webhooks (and the e-mail health) of Rasa.

One real stack with these channels switched on (secrets in the environment), their
outside APIs replaced by the loopback fakes of tests/fakes. Requests without the right
secret or signature must be refused (401/403); signed or secret-bearing bodies that are
malformed, or well-formed updates with a field of the wrong type or odd text, must never
get a 5xx; the server must go on serving.

The channel modules are imported only here, when the tests run: a tree without them
skips this module (see the TODO in docs/BENCHMARKS.md).
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import itertools
import os
from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from devstack.stack import Stack
from tests.fuzz.strategies import encode, json_values, not_json_objects, odd_text, request

pytestmark = [pytest.mark.e2e]

FUZZ = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
TELEGRAM_SECRET = "fuzz-webhook-geheim"
TELEGRAM = "/webhooks/telegram/webhook"
WHATSAPP = "/webhooks/whatsapp/webhook"
SMS = "/webhooks/sms/inbound"
#: The GET routes of the e-mail and SMS channels (health; nothing can be posted to e-mail).
HEALTH = ("/webhooks/email/", "/webhooks/sms/")
_ids = itertools.count(5000)


class Channels:
    def __init__(self, stack: Stack, fakes: Any) -> None:
        self.stack = stack
        self.fakes = fakes


@pytest.fixture(scope="module")
def channels(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Channels]:
    try:
        import channels.telegram  # noqa: F401
        import channels.whatsapp  # noqa: F401
        from tests.fakes import graph_api, telegram_api
        from tests.fakes.mail import free_port, running_smtp_server
        from tests.fakes.sms_inbound import INBOUND_SECRET, threaded_sms_gateway
    except ImportError as missing:
        pytest.skip(f"Telegram/WhatsApp channel not in the tree yet: {missing}")
    workdir = tmp_path_factory.mktemp("fuzz-channels")
    with ExitStack() as running:
        telegram = running.enter_context(telegram_api.FakeTelegram().threaded())
        graph = running.enter_context(graph_api.running_graph_api())
        smtp = running.enter_context(running_smtp_server())
        gateway = running.enter_context(threaded_sms_gateway())
        env = {
            **smtp.env(),
            "MAIL_IN_SMTP_LISTEN": f"127.0.0.1:{free_port()}",
            **gateway.env(),
            "SMS_INBOUND_SECRET": INBOUND_SECRET,
            **telegram.env(),
            "TELEGRAM_WEBHOOK_SECRET": TELEGRAM_SECRET,
            "TELEGRAM_MODE": "webhook",
            **graph.env(),
            "MELDKAMER_UPLOAD_DIR": str(workdir / "uploads"),
        }
        saved = {
            k: os.environ.pop(k)
            for k in list(os.environ)
            if k.startswith(("TELEGRAM_", "WHATSAPP_", "SMS_", "MAIL_IN_", "SMTP_"))
            or k in ("REDIS_URL", "MAIL_FROM")
        }
        try:
            stack = Stack(
                database_url=f"sqlite:///{workdir / 'fuzz.db'}", workdir=workdir, env=env
            ).start()
        finally:
            os.environ.update(saved)
        try:
            yield Channels(stack, (telegram, graph, graph_api, telegram_api))
        finally:
            stack.stop()


def no_server_error(answer: Any) -> None:
    assert answer.status < 500, (answer.status, answer.body[:300])


def refused(answer: Any) -> None:
    assert 400 <= answer.status < 500, (answer.status, answer.body[:300])


def set_path(document: Any, path: tuple[Any, ...], value: Any) -> Any:
    changed = copy.deepcopy(document)
    target = changed
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return changed


# --- Telegram -------------------------------------------------------------------------

TELEGRAM_PATHS = [
    ("update_id",),
    ("message",),
    ("message", "message_id"),
    ("message", "date"),
    ("message", "chat"),
    ("message", "chat", "id"),
    ("message", "chat", "type"),
    ("message", "from"),
    ("message", "from", "id"),
    ("message", "text"),
    ("message", "photo"),
    ("message", "entities"),
    ("callback_query",),
]


def telegram_update(text: str) -> dict[str, Any]:
    from tests.fakes.telegram_api import text_update

    update_id = next(_ids)
    return text_update(update_id, 900000 + update_id, text)


def post_telegram(channels: Channels, body: bytes, secret: str | None = TELEGRAM_SECRET) -> Any:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    return request(channels.stack.url, "POST", TELEGRAM, body, headers)


@settings(FUZZ, max_examples=15)
@given(
    secret=st.none()
    | odd_text.filter(lambda s: s != TELEGRAM_SECRET and s.isascii() and s.isprintable())
)
def test_telegram_without_the_secret_is_refused(channels: Channels, secret) -> None:
    answer = post_telegram(channels, encode(telegram_update("hallo")), secret=secret)
    assert answer.status in (401, 403), (answer.status, answer.body[:300])


@FUZZ
@given(body=not_json_objects)
def test_telegram_refuses_malformed_bodies(channels: Channels, body: bytes) -> None:
    refused(post_telegram(channels, body))


@FUZZ
@given(path=st.sampled_from(TELEGRAM_PATHS), value=json_values, text=odd_text)
@example(path=("message", "text"), value="x" * 10000, text="")
@example(path=("message", "chat", "id"), value=2**70, text="")
def test_telegram_odd_updates_never_fail(channels: Channels, path, value, text: str) -> None:
    no_server_error(post_telegram(channels, encode(set_path(telegram_update(text), path, value))))


# --- WhatsApp -------------------------------------------------------------------------

WHATSAPP_PATHS = [
    ("object",),
    ("entry",),
    ("entry", 0, "changes"),
    ("entry", 0, "changes", 0, "field"),
    ("entry", 0, "changes", 0, "value"),
    ("entry", 0, "changes", 0, "value", "metadata"),
    ("entry", 0, "changes", 0, "value", "metadata", "phone_number_id"),
    ("entry", 0, "changes", 0, "value", "messages"),
    ("entry", 0, "changes", 0, "value", "messages", 0, "from"),
    ("entry", 0, "changes", 0, "value", "messages", 0, "id"),
    ("entry", 0, "changes", 0, "value", "messages", 0, "timestamp"),
    ("entry", 0, "changes", 0, "value", "messages", 0, "type"),
    ("entry", 0, "changes", 0, "value", "messages", 0, "text"),
    ("entry", 0, "changes", 0, "value", "messages", 0, "text", "body"),
    ("entry", 0, "changes", 0, "value", "contacts"),
    ("entry", 0, "changes", 0, "value", "statuses"),
]


def whatsapp_text(text: str) -> dict[str, Any]:
    from tests.fakes.graph_api import MetaWebhooks

    return MetaWebhooks().text(f"3161{next(_ids):07d}", text)


def post_signed(
    channels: Channels, path: str, header: str, secret: str, body: bytes, signature: str | None
) -> Any:
    """POST ``body`` with ``header`` the right HMAC-SHA256 (``"right"``), ``signature`` or none."""
    headers = {"Content-Type": "application/json"}
    if signature == "right":
        headers[header] = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    elif signature is not None:
        headers[header] = signature
    return request(channels.stack.url, "POST", path, body, headers)


def post_whatsapp(channels: Channels, body: bytes, signature: str | None = "right") -> Any:
    from tests.fakes.graph_api import APP_SECRET

    return post_signed(channels, WHATSAPP, "X-Hub-Signature-256", APP_SECRET, body, signature)


@FUZZ
@given(path=st.sampled_from(WHATSAPP_PATHS), value=json_values, text=odd_text)
@example(
    path=("entry", 0, "changes", 0, "value", "messages", 0, "text", "body"),
    value="x" * 10000,
    text="",
)
def test_whatsapp_odd_webhooks_never_fail(channels: Channels, path, value, text: str) -> None:
    no_server_error(post_whatsapp(channels, encode(set_path(whatsapp_text(text), path, value))))


@FUZZ
@given(mode=st.none() | odd_text, token=st.none() | odd_text, challenge=st.none() | odd_text)
def test_whatsapp_verification_with_odd_parameters(
    channels: Channels, mode, token, challenge
) -> None:
    query = {
        k: v.encode("utf-8", "surrogatepass")
        for k, v in {
            "hub.mode": mode,
            "hub.verify_token": token,
            "hub.challenge": challenge,
        }.items()
        if v is not None
    }
    answer = request(channels.stack.url, "GET", f"{WHATSAPP}?{urlencode(query)}")
    no_server_error(answer)


# --- SMS -------------------------------------------------------------------------------

SMS_PATHS = [("id",), ("from",), ("to",), ("text",)]


def sms_text(text: str) -> dict[str, Any]:
    from tests.fakes.sms_inbound import SERVICE_NUMBER

    # A number of its own each time: the fuzz must not hit the limit of new conversations.
    return {
        "id": f"fuzz-{next(_ids)}",
        "from": f"+3162{next(_ids):07d}",
        "to": SERVICE_NUMBER,
        "text": text,
    }


def post_sms(channels: Channels, body: bytes, signature: str | None = "right") -> Any:
    from tests.fakes.sms_inbound import INBOUND_SECRET

    return post_signed(channels, SMS, "X-Signature", INBOUND_SECRET, body, signature)


@FUZZ
@given(path=st.sampled_from(SMS_PATHS), value=json_values, text=odd_text)
@example(path=("text",), value="x" * 10000, text="")
@example(path=("from",), value="+" + "9" * 40, text="")
def test_sms_odd_messages_never_fail(channels: Channels, path, value, text: str) -> None:
    no_server_error(post_sms(channels, encode(set_path(sms_text(text), path, value))))


# --- the signed webhooks: WhatsApp's and the SMS gateway's -------------------------------

#: Per signed webhook: a message it would take, and how to post a body to it.
SIGNED = {
    "whatsapp": (whatsapp_text, post_whatsapp),
    "sms": (sms_text, post_sms),
}


@pytest.mark.parametrize("webhook", SIGNED)
@settings(FUZZ, max_examples=15)
@given(signature=st.none() | odd_text.filter(lambda s: s.isascii() and s.isprintable()))
def test_signed_webhooks_refuse_a_wrong_signature(channels: Channels, webhook, signature) -> None:
    message, post = SIGNED[webhook]
    answer = post(channels, encode(message("hallo")), signature=signature)
    assert answer.status in (401, 403), (answer.status, answer.body[:300])


@pytest.mark.parametrize("webhook", SIGNED)
@FUZZ
@given(body=not_json_objects)
def test_signed_webhooks_refuse_malformed_bodies(channels: Channels, webhook, body: bytes) -> None:
    refused(SIGNED[webhook][1](channels, body))


# --- the health routes of SMS and e-mail ---------------------------------------------------


@settings(FUZZ, max_examples=15)
@given(route=st.sampled_from(HEALTH), key=odd_text, value=odd_text)
def test_email_and_sms_health_with_odd_queries(channels: Channels, route, key, value) -> None:
    query = urlencode(
        {key.encode("utf-8", "surrogatepass"): value.encode("utf-8", "surrogatepass")}
    )
    no_server_error(request(channels.stack.url, "GET", f"{route}?{query}"))


def test_channels_still_serve_after_the_fuzz(channels: Channels) -> None:
    from tests.fakes.graph_api import VERIFY_TOKEN

    answer = post_telegram(channels, encode(telegram_update("hallo")))
    assert answer.status == 200, answer.body
    answer = post_whatsapp(channels, encode(whatsapp_text("hallo")))
    assert answer.status == 200, answer.body
    query = urlencode(
        {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "42"}
    )
    answer = request(channels.stack.url, "GET", f"{WHATSAPP}?{query}")
    assert answer.status == 200 and answer.body == b"42"
    assert post_sms(channels, encode(sms_text("hallo"))).status == 200
    for route in HEALTH:
        answer = request(channels.stack.url, "GET", route)
        assert answer.status == 200 and b'"ok"' in answer.body, (route, answer.body[:300])
    assert channels.stack.say("na-fuzz-kanalen", "hallo")
