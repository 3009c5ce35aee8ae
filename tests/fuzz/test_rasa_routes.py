"""Bad input to the routes the Rasa server serves: the REST webhook and the web chat.

One real stack (Rasa server with the trained model, action server, Redis for the web
chat streams) for the module. Every malformed request must get a 4xx with a JSON error,
never a 5xx, and the server must go on serving: a normal request after each fuzz works.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import redis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from channels.rest import MAX_BODY, MAX_TEXT
from devstack.stack import Stack
from tests.fuzz.strategies import (
    DEEP,
    Answer,
    body_content_types,
    encode,
    json_values,
    multipart,
    not_a,
    not_json_objects,
    odd_text,
    request,
    web_session,
)

pytestmark = [pytest.mark.e2e]

REDIS_URL = "redis://127.0.0.1:6379/6"
FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
JSON = {"Content-Type": "application/json"}
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.RedisError as error:
        pytest.fail(f"Redis is needed at {REDIS_URL}: {error}")
    workdir = tmp_path_factory.mktemp("fuzz-rasa")
    running = Stack(
        database_url=f"sqlite:///{workdir / 'fuzz.db'}",
        workdir=workdir,
        env={"REDIS_URL": REDIS_URL, "MELDKAMER_UPLOAD_DIR": str(workdir / "uploads")},
    ).start()
    try:
        yield running
    finally:
        running.stop()


def refused(answer: Answer) -> None:
    """A clear refusal: 4xx with a JSON error message."""
    assert 400 <= answer.status < 500, (answer.status, answer.body[:300])
    assert isinstance(answer.json().get("error"), str), answer.body[:300]


def still_serving(stack: Stack) -> None:
    sender = f"na-fuzz-{uuid.uuid4().hex[:8]}"
    replies = stack.say(sender, "hallo")
    assert replies and all(isinstance(r.get("text"), str) for r in replies if "text" in r)
    answer = request(
        stack.url, "POST", "/webhooks/webchat/session", encode({"site_key": "de-linde-demo"}), JSON
    )
    assert answer.status == 200 and answer.json()["session_id"].startswith("web-")


# --- the REST webhook -----------------------------------------------------------------

REST = "/webhooks/rest/webhook"

bad_rest_bodies = st.one_of(
    not_json_objects,
    st.fixed_dictionaries({"sender": not_a(str), "message": odd_text}).map(encode),
    st.fixed_dictionaries({"sender": odd_text, "message": not_a(str)}).map(encode),
    st.fixed_dictionaries({"message": odd_text}).map(encode),
    st.fixed_dictionaries(
        {
            "sender": st.just("x"),
            "message": odd_text,
            "metadata": not_a(dict).filter(lambda v: v is not None),
        }
    ).map(encode),
    st.integers(MAX_TEXT + 1, MAX_TEXT * 3).map(
        lambda n: encode({"sender": "x", "message": "a" * n})
    ),
    st.integers(MAX_BODY + 1, MAX_BODY * 4).map(
        lambda n: encode({"sender": "x", "message": "hoi", "metadata": {"pad": "b" * n}})
    ),
    st.sampled_from(["\x00", "\ud800", "\x1b[2J"]).map(
        lambda c: encode({"sender": "x", "message": f"lek{c}"})
    ),
    st.integers(256, 2000).map(lambda n: encode({"sender": "s" * n, "message": "hoi"})),
)


@FUZZ
@given(body=bad_rest_bodies)
def test_rest_webhook_refuses_bad_bodies(stack: Stack, body: bytes) -> None:
    refused(request(stack.url, "POST", REST, body, JSON))


@settings(FUZZ, max_examples=25)
@given(
    sender=odd_text,
    message=odd_text,
    metadata=st.none() | st.dictionaries(odd_text, json_values, max_size=3),
)
def test_rest_webhook_never_fails_on_odd_text(
    stack: Stack, sender: str, message: str, metadata
) -> None:
    body = {
        "sender": f"fuzz-{sender}",
        "message": message,
        **({"metadata": metadata} if metadata else {}),
    }
    answer = request(stack.url, "POST", REST, encode(body), JSON)
    assert answer.status < 500, (answer.status, answer.body[:300])
    if answer.status == 200:
        assert isinstance(answer.json(), list)
    else:
        refused(answer)


def test_rest_webhook_refuses_deep_nesting(stack: Stack) -> None:
    refused(request(stack.url, "POST", REST, DEEP, JSON))


def test_rest_webhook_after_fuzz(stack: Stack) -> None:
    still_serving(stack)


# --- the web chat ---------------------------------------------------------------------

WEBCHAT = "/webhooks/webchat"


@FUZZ
@given(
    body=st.one_of(
        not_json_objects, st.fixed_dictionaries({"site_key": not_a(str) | odd_text}).map(encode)
    )
)
def test_webchat_session_refuses_bad_bodies(stack: Stack, body: bytes) -> None:
    answer = request(stack.url, "POST", f"{WEBCHAT}/session", body, JSON)
    if answer.status == 200:  # odd_text may by chance be a valid site key
        assert answer.json()["session_id"].startswith("web-")
    else:
        refused(answer)


bad_message_bodies = st.one_of(
    not_json_objects,
    st.fixed_dictionaries({"session_id": not_a(str) | odd_text, "text": odd_text}).map(encode),
    st.builds(lambda t: {"session_id": web_session(), "text": t}, not_a(str)).map(encode),
    st.builds(
        lambda k: {"session_id": web_session(), "text": "hoi", "site_key": k},
        not_a(str).filter(lambda k: k is not None)
        | odd_text.filter(lambda k: k != "" and not k.isalnum()),
    ).map(encode),
    st.integers(5001, 12000).map(lambda n: encode({"session_id": web_session(), "text": "a" * n})),
)


@FUZZ
@given(body=bad_message_bodies)
def test_webchat_message_refuses_bad_bodies(stack: Stack, body: bytes) -> None:
    refused(request(stack.url, "POST", f"{WEBCHAT}/message", body, JSON))


@settings(FUZZ, max_examples=20)
@given(text=odd_text, title=st.none() | odd_text)
def test_webchat_message_never_fails_on_odd_text(stack: Stack, text: str, title) -> None:
    body = {"session_id": web_session(), "site_key": "de-linde-demo", "text": text, "title": title}
    answer = request(stack.url, "POST", f"{WEBCHAT}/message", encode(body), JSON)
    assert answer.status < 500, (answer.status, answer.body[:300])
    if answer.status != 200:
        refused(answer)


@settings(FUZZ, max_examples=30)
@given(
    session_id=odd_text,
    after=st.none() | odd_text,
    last_event_id=st.none() | odd_text.filter(lambda t: t.isprintable() and t.isascii()),
)
def test_webchat_events_query_params(stack: Stack, session_id: str, after, last_event_id) -> None:
    from urllib.parse import quote

    query = "session_id=" + quote(session_id.encode("utf-8", "surrogatepass"))
    if after is not None:
        query += "&after=" + quote(after.encode("utf-8", "surrogatepass"))
    headers = {"Last-Event-ID": last_event_id} if last_event_id else {}
    answer = request(
        stack.url, "GET", f"{WEBCHAT}/events?{query}", headers=headers, read=False, timeout=10
    )
    assert answer.status < 500, (answer.status, answer.body[:300])
    if answer.status != 200:
        refused(answer)


def stream_stays_open(base_url: str, path: str) -> tuple[int, bytes, bool]:
    """Open an event stream: (status, first bytes, whether it is still open 1.5 s later)."""
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        connection.request("GET", path)
        reply = connection.getresponse()
        if reply.status != 200:
            return reply.status, reply.read(), False
        first = reply.read1(64)
        connection.sock.settimeout(1.5)
        try:
            more = reply.read1(1)
        except TimeoutError:
            return 200, first, True
        except (ConnectionError, http.client.HTTPException):
            return 200, first, False
        return 200, first + more, more != b""
    finally:
        connection.close()


@settings(FUZZ, max_examples=10)
@given(after=odd_text.filter(lambda t: t.strip() != ""))
def test_webchat_events_with_a_valid_session_and_odd_after(stack: Stack, after: str) -> None:
    """An ``after`` that is not a stream id: a 400, or a stream that stays open."""
    from urllib.parse import quote

    session = web_session()
    path = f"{WEBCHAT}/events?session_id={session}&after=" + quote(
        after.encode("utf-8", "surrogatepass")
    )
    status, first, open_ = stream_stays_open(stack.url, path)
    assert status < 500, (status, first[:300])
    if status == 200:
        assert first.startswith(b": verbonden"), first[:200]
        assert open_, f"the stream broke off for after={after!r}"


photo_fields = st.one_of(
    st.builds(lambda s: ({"session_id": s}, {"photo": ("a.jpg", JPEG, "image/jpeg")}), odd_text),
    st.builds(
        lambda d: ({"session_id": web_session()}, {"photo": ("a.jpg", d, "image/jpeg")}),
        st.binary(max_size=300),
    ),
    st.builds(
        lambda n, t: ({"session_id": web_session()}, {"photo": (n, b"GIF89a" + b"\x00" * 20, t)}),
        odd_text,
        odd_text.filter(lambda t: "\r" not in t and "\n" not in t),
    ),
    st.just(({"session_id": web_session()}, {})),
    st.just(({"session_id": web_session()}, {"foto": ("a.jpg", JPEG, "image/jpeg")})),
    st.just(({"session_id": web_session()}, {"photo": ("a.jpg", b"", "image/jpeg")})),
)


@settings(FUZZ, max_examples=30)
@given(parts=photo_fields)
def test_webchat_photo_refuses_bad_uploads(stack: Stack, parts) -> None:
    fields, files = parts
    body, content_type = multipart(fields, files)
    answer = request(stack.url, "POST", f"{WEBCHAT}/photo", body, {"Content-Type": content_type})
    assert answer.status < 500, (answer.status, answer.body[:300])
    if answer.status != 200:
        refused(answer)


@settings(FUZZ, max_examples=20)
@given(body=st.binary(max_size=400), content_type=body_content_types)
def test_webchat_photo_refuses_malformed_bodies(
    stack: Stack, body: bytes, content_type: str
) -> None:
    refused(request(stack.url, "POST", f"{WEBCHAT}/photo", body, {"Content-Type": content_type}))


def test_webchat_photo_over_the_limit(stack: Stack) -> None:
    from meldkamer.attachments.files import MAX_BYTES

    body, content_type = multipart(
        {"session_id": web_session()},
        {"photo": ("groot.jpg", JPEG + b"\x00" * MAX_BYTES, "image/jpeg")},
    )
    refused(request(stack.url, "POST", f"{WEBCHAT}/photo", body, {"Content-Type": content_type}))


@pytest.mark.parametrize("route", ["session", "message"])
def test_webchat_refuses_deep_nesting(stack: Stack, route: str) -> None:
    refused(request(stack.url, "POST", f"{WEBCHAT}/{route}", DEEP, JSON))


def test_webchat_after_fuzz(stack: Stack) -> None:
    still_serving(stack)
    session = web_session()
    answer = request(
        stack.url,
        "POST",
        f"{WEBCHAT}/message",
        encode(
            {"session_id": session, "site_key": "de-linde-demo", "text": "ik ben buitengesloten"}
        ),
        JSON,
    )
    assert answer.status == 200, answer.body
    events = request(
        stack.url, "GET", f"{WEBCHAT}/events?session_id={session}", read=False, timeout=10
    )
    assert events.status == 200
