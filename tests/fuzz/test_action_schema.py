"""The precompiled check of action server answers decides exactly as Rasa's own."""

from __future__ import annotations

import functools
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rasa.core.actions.action import RemoteAction

from rasa_addons.action_schema import use_precompiled_action_schema
from tests.fuzz.strategies import json_values

EVENT_NAMES = ["slot", "bot", "user", "action", "followup", "reset_slots", "active_loop", "pause"]

events = st.lists(
    st.one_of(
        st.fixed_dictionaries(
            {"event": st.sampled_from(EVENT_NAMES)},
            optional={
                "name": json_values,
                "value": json_values,
                "text": json_values,
                "timestamp": json_values,
            },
        ),
        json_values,
    ),
    max_size=4,
)
results = st.one_of(
    st.fixed_dictionaries(
        {},
        optional={
            "events": events | json_values,
            "responses": st.lists(json_values, max_size=3) | json_values,
        },
    ),
    json_values,
)


@functools.cache
def rasa_validator() -> Any:
    """What ``jsonschema.validate`` builds on every call in Rasa: built once here."""
    spec = RemoteAction.action_response_format_spec()
    cls = jsonschema.validators.validator_for(spec)
    cls.check_schema(spec)
    return cls(spec)


def original(result: Any) -> str | None:
    # jsonschema.validate's own steps: the best match of the errors is what it raises.
    error = jsonschema.exceptions.best_match(rasa_validator().iter_errors(result))
    return None if error is None else str(error.message)


def patched(result: Any) -> str | None:
    use_precompiled_action_schema()
    try:
        assert RemoteAction._validate_action_result(None, result) is True
    except jsonschema.ValidationError as error:
        return error.message.split(". Failed to validate Action server response")[0]
    return None


@settings(max_examples=150, deadline=None)
@given(result=results)
def test_same_verdict_and_error_as_rasa(result: Any) -> None:
    assert patched(result) == original(result)


def test_valid_answer_passes_and_invalid_names_the_docs() -> None:
    use_precompiled_action_schema()
    ok = {"events": [{"event": "slot", "name": "adres", "value": "1234 AB 12"}], "responses": []}
    assert RemoteAction._validate_action_result(None, ok) is True
    with pytest.raises(jsonschema.ValidationError, match="custom-actions"):
        RemoteAction._validate_action_result(None, {"events": [{"event": "slot", "name": 3}]})
