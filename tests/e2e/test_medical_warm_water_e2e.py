"""End to end over REST (issue 15, first bullet): the tenant of De Linde with no hot water
and a husband just operated on gets an acuut melding, whatever warm-water topic the model
chose (cv_storing: the matrix; boiler: the safety net, with a person's assessment).

The real Rasa server (MELDKAMER_TEST_MODEL or the shared model) and action server on SQLite.
"""

from __future__ import annotations

import pytest

from devstack.stack import Stack
from devstack.stored import stored_ticket
from devstack.tenant import converse

pytestmark = pytest.mark.e2e

ISSUE = "We hebben geen warm water meer en mijn man is net geopereerd, hij moet gewassen worden"


@pytest.fixture(scope="module")
def stack(sqlite_stack: Stack) -> Stack:
    """The session's stack on SQLite (tests/e2e/conftest.py)."""
    return sqlite_stack


def test_the_issue_sentence_ends_acuut_at_de_linde(stack: Stack) -> None:
    # Any question the bot still asks is answered as the tenant would; it should ask none.
    answers = {"geen_verwarming": False, "geen_warm_water": True, "medische_noodzaak": True}
    number, transcript = converse(stack, ISSUE, answers)
    ticket = stored_ticket(stack.database_url, number)
    shown = "\n".join(transcript)
    assert ticket.client_id == "de-linde", shown
    assert ticket.topic in ("cv_storing", "boiler"), shown
    assert ticket.facts.get("medische_noodzaak") is True, shown
    assert ticket.urgency == "acuut", shown
    if ticket.topic == "boiler":
        assert ticket.needs_assessment, shown
    assert "(acuut)" in shown
