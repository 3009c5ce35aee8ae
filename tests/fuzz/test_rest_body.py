"""The REST channel's body check, without a server: it refuses, or passes a sound body."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from channels.common.apology import health_url
from channels.rest import MAX_SENDER, MAX_TEXT, InvalidRequest, parse_body
from tests.fuzz.strategies import DEEP, encode, json_values, not_json_objects, odd_text

bodies = st.one_of(
    not_json_objects,
    json_values.map(encode),
    st.fixed_dictionaries(
        {"sender": odd_text | json_values, "message": odd_text | json_values},
        optional={"metadata": json_values, "input_channel": odd_text | json_values},
    ).map(encode),
)


@settings(max_examples=300, deadline=None)
@given(raw=bodies)
def test_refused_with_a_4xx_or_passed_sound(raw: bytes) -> None:
    try:
        body = parse_body(raw)
    except InvalidRequest as refused:
        assert refused.status in (400, 413) and refused.message
        return
    assert isinstance(body["sender"], str) and 0 < len(body["sender"]) <= MAX_SENDER
    assert isinstance(body["message"], str) and len(body["message"]) <= MAX_TEXT
    assert "\x00" not in body["message"] and "\x00" not in body["sender"]
    assert body.get("metadata") is None or isinstance(body["metadata"], dict)


def test_deep_nesting_is_refused() -> None:
    with pytest.raises(InvalidRequest):
        parse_body(DEEP)


@pytest.mark.parametrize(
    ("action_url", "health"),
    [
        ("http://127.0.0.1:5055/webhook", "http://127.0.0.1:5055/health"),
        ("http://actions:5055/acties/webhook", "http://actions:5055/acties/health"),
        ("https://actions.example/", "https://actions.example/health"),
    ],
)
def test_health_url_next_to_the_webhook(action_url: str, health: str) -> None:
    assert health_url(action_url) == health
