"""The reverse proxy in front of the real stack: the public routes pass, nothing else.

nginx (Debian's, installed when missing) runs deploy/nginx/meldkamer.conf on loopback
with a self-signed certificate that the client verifies, in front of two real Rasa
servers, the action server and the console. A 404 that nginx answers itself carries
its name in the body; one from a service behind it does not.
"""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from devstack.stack import Stack
from tests.deploy.proxy import Proxy

pytestmark = pytest.mark.e2e
#: Two Rasa servers behind the proxy share conversation locks and web chat streams here
#: (a database number of its own, apart from the other tests').
REDIS_URL = "redis://127.0.0.1:6379/7"


@pytest.fixture(scope="module")
def proxy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Proxy]:
    workdir = tmp_path_factory.mktemp("proxy")
    stack = Stack(
        database_url=f"sqlite:///{workdir / 'meldkamer.db'}",
        workdir=workdir,
        env={"REDIS_URL": REDIS_URL},
        more_rasa=(("", {}),),  # the second server loads the model alongside the first
    ).start()
    try:
        yield Proxy(stack, workdir).start()
    finally:
        stack.stop()  # nginx and the console too (Proxy adds them to the stack's processes)


def fetch(
    proxy: Proxy, method: str, path: str, body: bytes | None = None, **headers: str
) -> tuple[int, dict[str, str], str]:
    request = urllib.request.Request(proxy.url + path, data=body, method=method, headers=headers)
    opener = urllib.request.build_opener(
        urllib.request.HTTPSHandler(context=proxy.context),
        NoRedirect(),
    )
    try:
        with opener.open(request, timeout=60) as reply:
            return reply.status, dict(reply.headers), reply.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode("utf-8", "replace")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def post_json(proxy: Proxy, path: str, body: Any) -> tuple[int, Any]:
    status, _, text = fetch(
        proxy, "POST", path, json.dumps(body).encode(), **{"Content-Type": "application/json"}
    )
    return status, json.loads(text or "null")


PUBLIC = [
    ("/webhooks/webchat/widget.js", "function"),
    ("/webhooks/webchat/widget.css", "{"),
    ("/webhooks/webchat/demo", "<html"),
    ("/webhooks/webchat", '"ok"'),
    ("/webhooks/rest", '"ok"'),
    ("/webhooks/telegram", '"status"'),
    ("/webhooks/whatsapp", '"status"'),
    ("/webhooks/sms", '"status"'),
    ("/login", "<form"),
    ("/static/console.css", "{"),
    ("/health", '"ok"'),
]


@pytest.mark.parametrize(("path", "sample"), PUBLIC, ids=[p for p, _ in PUBLIC])
def test_public_routes_pass(proxy: Proxy, path: str, sample: str) -> None:
    status, headers, body = fetch(proxy, "GET", path)
    assert status == 200, body[:300]
    assert sample in body
    assert headers["Strict-Transport-Security"].startswith("max-age=")
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_the_console_and_work_order_links_answer_themselves(proxy: Proxy) -> None:
    status, headers, _ = fetch(proxy, "GET", "/")
    assert status == 303 and headers["Location"].startswith("/login")
    for link in ("/werkbon/onbekend", "/sla/onbekend"):  # the contractor's, the piket's
        status, _, body = fetch(proxy, "GET", link)
        assert status == 404 and "nginx" not in body, link  # the console's own answer
    for stream in ("/api/queue/events", "/api/bewaking/events"):
        status, _, body = fetch(proxy, "GET", stream)
        assert status == 401 and "nginx" not in body, stream
    status, headers, _ = fetch(proxy, "GET", "/bewaking")
    assert status == 303 and headers["Location"].startswith("/login")


INTERNAL = [
    ("GET", "/conversations/huurder-1/tracker"),
    ("POST", "/conversations/huurder-1/tracker/events"),
    ("POST", "/conversations/huurder-1/trigger_intent"),
    ("GET", "/model"),
    ("PUT", "/model"),
    ("POST", "/model/parse"),
    ("GET", "/status"),
    ("GET", "/version"),
    ("GET", "/domain"),
    ("POST", "/webhook"),
    ("GET", "/actions"),
    ("GET", "/metrics"),
    ("GET", "/webhooks/callback/webhook"),
    ("GET", "/webhooks/restx/webhook"),
    ("GET", "/static/../metrics"),
    ("GET", "/webhooks/webchat/../../model"),
    ("GET", "/%2e%2e/status"),
]


@pytest.mark.parametrize(("method", "path"), INTERNAL, ids=[f"{m} {p}" for m, p in INTERNAL])
def test_internal_routes_never_pass(proxy: Proxy, method: str, path: str) -> None:
    token = f"?token={proxy.stack.rasa_token}"  # even with the right token
    status, headers, body = fetch(proxy, method, path + token, b"{}" if method != "GET" else None)
    # 404 from nginx itself; 400 when the path climbs above the root.
    assert status in (400, 404) and "nginx" in body, body[:300]
    assert "Strict-Transport-Security" in headers


def test_a_melding_through_the_proxy(proxy: Proxy) -> None:
    status, replies = post_json(
        proxy,
        "/webhooks/rest/webhook",
        {"sender": "proxy-huurder-1", "message": "de leiding onder de gootsteen is gesprongen"},
    )
    assert status == 200 and replies and all("text" in r or "buttons" in r for r in replies)


def test_the_web_chat_stream_is_passed_on_as_it_comes(proxy: Proxy) -> None:
    status, body = post_json(proxy, "/webhooks/webchat/session", {"site_key": "de-linde-demo"})
    assert status == 200
    session = body["session_id"]
    stream = http.client.HTTPSConnection(
        "127.0.0.1", proxy.https_port, context=proxy.context, timeout=30
    )
    try:
        stream.request("GET", f"/webhooks/webchat/events?session_id={session}")
        reply = stream.getresponse()
        assert reply.status == 200 and reply.getheader("Content-Type", "").startswith(
            "text/event-stream"
        )
        status, _ = post_json(
            proxy,
            "/webhooks/webchat/message",
            {"session_id": session, "site_key": "de-linde-demo", "text": "ik ben buitengesloten"},
        )
        assert status == 200
        # The stream stays open: a line can only arrive if nginx does not wait for
        # the response to end.
        first = None
        for _ in range(50):
            line = reply.readline().decode()
            if line.startswith("data: "):
                first = json.loads(line[6:])
                break
    finally:
        stream.close()
    assert first is not None and first["text"] == "ik ben buitengesloten"


def test_request_bodies_are_limited_like_the_uploads(proxy: Proxy) -> None:
    big = b"x" * (2 * 1024 * 1024)
    status, _, body = fetch(proxy, "POST", "/webhooks/rest/webhook", big)
    assert status == 413 and "nginx" in body
    photo = b"x" * (12 * 1024 * 1024)
    assert fetch(proxy, "POST", "/webhooks/webchat/photo", photo)[0] == 413
    # Up to the photo limit the request reaches the channel, which judges it.
    status, _, body = fetch(proxy, "POST", "/webhooks/webchat/photo", b"x" * (9 * 1024 * 1024))
    assert status == 400 and "nginx" not in body


def test_plain_http_is_sent_to_https(proxy: Proxy) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", proxy.http_port, timeout=10)
    try:
        connection.request("GET", "/login", headers={"Host": "meldkamer.example"})
        reply = connection.getresponse()
        assert reply.status == 301
        assert reply.getheader("Location") == "https://meldkamer.example/login"
    finally:
        connection.close()
