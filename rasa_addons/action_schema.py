"""A faster, identical check of the action server's answers in the Rasa server.

Rasa 3.6 checks every action server answer with ``jsonschema.validate``, which re-checks
its large events schema against the JSON Schema meta-schema on every call: about 14 ms of
CPU per custom action on the benchmark machine, most of the server's time per message.
The same check with a validator built once costs well under 1 ms. Nothing else changes:
the same schema, the same error (best match) and message;
tests/fuzz/test_action_schema.py checks that on generated answers.
"""

from __future__ import annotations

from typing import Any

_validator: Any = None


def use_precompiled_action_schema() -> None:
    """Make Rasa validate action server answers with a validator built once (idempotent)."""
    from jsonschema import ValidationError
    from jsonschema.exceptions import best_match
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.constants import DOCS_BASE_URL

    if getattr(RemoteAction._validate_action_result, "_meldkamer", False):
        return

    def validate(self: Any, result: dict[str, Any]) -> bool:
        global _validator
        if _validator is None:
            schema = RemoteAction.action_response_format_spec()
            cls = validator_for(schema)
            cls.check_schema(schema)
            _validator = cls(schema)
        error = best_match(_validator.iter_errors(result))
        if error is None:
            return True
        assert isinstance(error, ValidationError)
        error.message += (
            ". Failed to validate Action server response from API, "
            "make sure your response from the Action endpoint is valid. "
            "For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
        raise error

    validate._meldkamer = True  # type: ignore[attr-defined]
    RemoteAction._validate_action_result = validate
