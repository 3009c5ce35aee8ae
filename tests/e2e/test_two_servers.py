"""Two Rasa servers on PostgreSQL and Redis: handover, an agent's reply and resuming work
whichever server a message lands on (as behind a load balancer).
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timezone

import pytest

from devstack.stack import Stack, post_json, read_events, webchat_send
from meldkamer import db
from meldkamer.agents.models import Agent
from meldkamer.handover.service import queue, take

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]


@pytest.fixture(scope="module")
def stacks(two_servers: tuple[Stack, str]) -> tuple[Stack, str]:
    """The session's two servers (tests/e2e/conftest.py), shared with test_rolling_update."""
    return two_servers


def agent_present(database_url: str) -> None:
    engine = db.make_engine(database_url)
    with db.make_sessionmaker(engine).begin() as session:
        session.add(
            Agent(
                username=f"sanne-{uuid.uuid4().hex[:6]}",
                display_name="Sanne",
                password_hash="scrypt$unused",
                role="agent",
                active=True,
                created_at=datetime.now(timezone.utc),
                last_seen_at=datetime.now(timezone.utc),
            )
        )
    engine.dispose()


def test_handover_reply_and_resume_across_two_servers(stacks: tuple[Stack, str]) -> None:
    stack, second = stacks
    a, b = stack.url, second
    session = f"web-{uuid.uuid4().hex}"
    agent_present(stack.database_url)

    # The tenant starts on server A and asks for a person on server B.
    webchat_send(a, session, "ik ben buitengesloten")
    webchat_send(b, session, "ik wil een medewerker spreken")
    seen = read_events(a, session, want=6)
    assert any("medewerker van de meldkamer" in m.get("text", "") for _, m in seen)

    engine = db.make_engine(stack.database_url)
    try:
        with db.make_sessionmaker(engine).begin() as db_session:
            (handover,) = [h for h in queue(db_session) if h.conversation_id == session]
            take(db_session, handover.id, "Sanne", datetime.now(timezone.utc))
    finally:
        engine.dispose()

    # The bot is paused: a message on A gets no bot answer.
    webchat_send(a, session, "hallo? is daar iemand?")
    # The agent replies through server B's API; the tenant, connected to A, receives it.
    assert stack.agent_says(session, "Goedenavond, met Sanne.", "webchat", b) == 200
    new = read_events(a, session, after=seen[-1][0], want=2)
    assert [m.get("from") for _, m in new] == ["tenant", "agent"]
    assert new[1][1]["text"] == "Goedenavond, met Sanne."

    # Hand back on server A; the bot asks its question again and continues on B.
    # action_listen after resuming: the next turn then reads like any turn to the policies.
    status, _ = post_json(
        stack.api(f"/conversations/{session}/tracker/events", a),
        [{"event": "resume"}, {"event": "action", "name": "action_listen"}],
    )
    assert status == 200
    status, _ = post_json(
        stack.api(f"/conversations/{session}/trigger_intent", a, output_channel="webchat"),
        {"name": "hervat"},
    )
    assert status == 200
    for text in [
        "1234 AB 12",
        "Fatima el Amrani",
        "0612345678",
        "geen",
        "sleutels liggen binnen",
        "ja",
    ]:
        webchat_send(b if text != "geen" else a, session, text)
    everything = read_events(b, session, want=200, timeout=5)
    said = "\n".join(m.get("text", "") for _, m in everything)
    assert "digitale assistent" in said.split("Goedenavond, met Sanne.")[1]
    assert re.search(r"MK-\d{4}-\d{6}", said), said
