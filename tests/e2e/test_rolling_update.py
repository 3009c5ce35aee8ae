"""A rolling model update drops no conversation (docs/DEPLOY.md "Upgrade and rollback").

Two Rasa servers on PostgreSQL and Redis. A tenant is mid-melding on server 1; server 1
is restarted with the model (as a rollout replaces one pod) while the tenant goes on on
server 2; the next message lands on server 1 again. The melding ends in one ticket and
the bot asks nothing twice: the conversation lived in the tracker store, not the server.
"""

from __future__ import annotations

import threading
import time
import uuid
from typing import Any

import pytest
from sqlalchemy import func, select

from devstack.stack import Stack
from devstack.stored import database
from devstack.tenant import MELDINGEN, next_message, said, ticket_in
from meldkamer.tickets import Ticket
from tests.e2e.test_two_servers import stacks  # noqa: F401  (the two servers' fixture)

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

FIRST_SERVER = 1  # Stack.processes: the action server, then the Rasa servers in order
FIRST, ANSWERS = MELDINGEN[0]  # a burst pipe: triage questions before the contact details


def _restart_in_background(stack: Stack) -> threading.Thread:
    """Restart server 1 as a rollout does; returns once the old process is gone."""
    old = stack.processes[FIRST_SERVER]
    restart = threading.Thread(target=stack.restart, args=(FIRST_SERVER,))
    restart.start()
    deadline = time.monotonic() + 30
    while old.poll() is None and time.monotonic() < deadline:
        time.sleep(0.1)  # waits for a real process to die; no time is asserted
    assert old.poll() is not None, "server 1 was not stopped"
    return restart


def test_a_tenant_mid_melding_survives_a_rolling_restart(
    stacks: tuple[Stack, str],  # noqa: F811
) -> None:
    stack, second = stacks
    sender = f"rolling-{uuid.uuid4().hex[:8]}"
    asked: list[str] = []

    def turn(message: str, url: str) -> list[dict[str, Any]]:
        replies = stack.say(sender, message, url)
        asked.append(said(replies))
        return replies

    replies = turn(FIRST, stack.url)
    replies = turn(next_message(replies, ANSWERS), stack.url)
    restart = _restart_in_background(stack)
    # Server 1 is loading the model: the tenant's next answer goes to server 2.
    replies = turn(next_message(replies, ANSWERS), second)
    restart.join(300)
    assert not restart.is_alive() and stack.processes[FIRST_SERVER].poll() is None
    number = None
    for _ in range(20):
        number = ticket_in(replies)
        if number:
            break
        replies = turn(next_message(replies, ANSWERS), stack.url)
    assert number, "\n---\n".join(asked)
    repeated = [text for text in asked if text and asked.count(text) > 1]
    assert repeated == [], "\n---\n".join(asked)
    with database(stack.database_url) as session:
        count = select(func.count()).select_from(Ticket).where(Ticket.conversation_id == sender)
        assert session.execute(count).scalar_one() == 1
