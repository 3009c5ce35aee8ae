"""The web chat channel over HTTP: messages, history after a reload, an agent's reply."""

from __future__ import annotations

import pytest

from devstack.stack import Stack, post_json, read_events, webchat_send, webchat_session

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def stack(sqlite_stack: Stack) -> Stack:
    """The session's stack on SQLite (tests/e2e/conftest.py)."""
    return sqlite_stack


def test_conversation_and_history_after_reload(stack: Stack) -> None:
    session = webchat_session(stack.url)
    webchat_send(stack.url, session, "ik ben buitengesloten")
    first = read_events(stack.url, session, want=4)
    texts = [m.get("text", "") for _, m in first]
    assert texts[0] == "ik ben buitengesloten" and first[0][1]["from"] == "tenant"
    assert any("digitale assistent" in t for t in texts)
    webchat_send(stack.url, session, "1234 AB 12")
    # A reload reads the stream from the start: everything, in order, nothing twice.
    history = read_events(stack.url, session, want=100, timeout=4)
    ids = [entry_id for entry_id, _ in history]
    assert ids == sorted(set(ids), key=ids.index)
    assert [m.get("text") for _, m in history].index("1234 AB 12") > 0
    # ... and reading after the last id seen waits for new messages only.
    assert read_events(stack.url, session, after=ids[-1], want=1, timeout=2) == []


def test_agent_reply_reaches_the_browser(stack: Stack) -> None:
    session = webchat_session(stack.url)
    webchat_send(stack.url, session, "hallo")
    seen = read_events(stack.url, session, want=100, timeout=3)
    assert stack.agent_says(session, "Goedenavond, u spreekt met Sanne.", "webchat") == 200
    new = read_events(stack.url, session, after=seen[-1][0], want=1)
    assert new[0][1] == {
        **new[0][1],
        "from": "agent",
        "text": "Goedenavond, u spreekt met Sanne.",
        "agent": "Sanne",
    }


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        ("session", {"site_key": "Bad Key!"}, 400),  # site key not a slug
        ("session", ["not", "an", "object"], 400),  # JSON but not an object
        ("message", {"session_id": "web-123", "text": "hoi"}, 400),  # forged session id
        ("message", {"session_id": "web-" + "a" * 32, "text": 42}, 400),  # text of the wrong type
        ("message", {"session_id": "web-" + "a" * 32, "text": "x" * 5001}, 413),  # too long
    ],
)
def test_bad_requests_are_refused_clearly(
    stack: Stack, path: str, body: object, status: int
) -> None:
    code, reply = post_json(f"{stack.url}/webhooks/webchat/{path}", body)
    assert code == status
    assert isinstance(reply, dict) and reply["error"]


def test_widget_and_demo_page_are_served(stack: Stack) -> None:
    import urllib.request

    with urllib.request.urlopen(f"{stack.url}/webhooks/webchat/widget.js") as reply:
        assert reply.headers["Content-Type"].startswith("application/javascript")
        assert b"aria-live" in reply.read()
    with urllib.request.urlopen(f"{stack.url}/webhooks/webchat/demo") as reply:
        assert b"data-site-key" in reply.read()
