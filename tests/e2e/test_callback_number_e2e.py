"""End to end over REST: nobody at the console, so the number comes before the promise.

The real Rasa server (MELDKAMER_TEST_MODEL or the shared model) and action server on
SQLite, no agent signed in: a tenant who asks for a person is asked their phone number
first (``terugbel_form``), a wrong one is refused, and only then is a call back promised
and queued, with the number; the melding goes on without asking the number again.
"""

from __future__ import annotations

import uuid

import pytest

from devstack.stack import Stack
from devstack.stored import handovers
from devstack.tenant import said

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def stack(sqlite_stack: Stack) -> Stack:
    """The session's stack on SQLite (tests/e2e/conftest.py)."""
    return sqlite_stack


def test_the_number_is_asked_before_a_call_back_is_promised(stack: Stack) -> None:
    sender = f"e2e-{uuid.uuid4().hex[:8]}"
    assert "postcode en huisnummer" in said(stack.say(sender, "ik ben buitengesloten"))
    text = said(stack.say(sender, "ik wil een medewerker spreken"))
    assert "telefoonnummer kunnen we u bellen" in text and "We bellen u" not in text
    assert handovers(stack.database_url, sender) == []  # no call-back item without a number
    text = said(stack.say(sender, "12"))
    assert "telefoonnummer kunnen we u bellen" in text  # refused, asked again
    text = said(stack.say(sender, "06 12345678"))
    assert "terug op 06 12345678" in text
    assert "postcode en huisnummer" in text  # the melding goes on where it was
    (handover,) = handovers(stack.database_url, sender)
    assert handover.callback and handover.summary["telefoon"] == "+31612345678"
    text = said(stack.say(sender, "1234 AB 12"))
    assert "telefoonnummer" not in text  # not asked twice
