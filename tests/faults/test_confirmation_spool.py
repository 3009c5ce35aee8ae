"""Confirming a melding while the database is away: kept in the spool, one ticket later."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions.confirmation import ActionVerwerkAntwoord
from actions.runtime import Runtime
from meldkamer.intake.spool import spooled
from meldkamer.tickets import Ticket
from tests.actions.conftest import COMPLETE_MELDING, night_runtime
from tests.faults.conftest import ProxiedDatabase

pytestmark = pytest.mark.postgres

MELDING = {
    **COMPLETE_MELDING,
    "melding_id": "m-uitval-1",
    "wacht_op_bevestiging": True,
    "niet_begrepen": 0,
}


def yes() -> Tracker:
    message = {"text": "ja", "intent": {"name": "affirm", "confidence": 0.99}, "entities": []}
    return Tracker.from_dict(
        {
            "sender_id": "huurder-uitval",
            "slots": MELDING,
            "latest_message": message,
            "events": [
                {"event": "action", "name": "action_listen"},
                {"event": "user", "text": "ja", "parse_data": message, "input_channel": "rest"},
            ],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        }
    )


@pytest.fixture
def runtime(proxied_pg: ProxiedDatabase, tmp_path: Path, monkeypatch) -> Iterator[Runtime]:
    monkeypatch.setenv("MELDKAMER_SPOOL_DIR", str(tmp_path / "spool"))
    yield from night_runtime(proxied_pg.url)


def numbers(rt: Runtime) -> list[str]:
    with rt.sessions() as session:
        return [t.number for t in session.execute(select(Ticket)).scalars()]


async def test_outage_at_confirmation_keeps_the_melding_and_makes_one_ticket(
    runtime: Runtime, proxied_pg: ProxiedDatabase, tmp_path: Path
) -> None:
    runtime.registry()  # the clients were read before the outage
    proxied_pg.proxy.down()
    dispatcher = CollectingDispatcher()
    events = await ActionVerwerkAntwoord().run(dispatcher, yes(), {})
    said = dispatcher.messages[0]["text"]
    assert "bewaard" in said and "niet kwijt" in said and "112" in said
    assert events == []  # still waiting for the confirmation
    assert [p.name for p in spooled(tmp_path / "spool")] == ["m-uitval-1.json"]
    # The tenant tries again while the database is still away: still one file.
    await ActionVerwerkAntwoord().run(CollectingDispatcher(), yes(), {})
    assert len(spooled(tmp_path / "spool")) == 1

    proxied_pg.proxy.up()
    dispatcher = CollectingDispatcher()
    events = await ActionVerwerkAntwoord().run(dispatcher, yes(), {})
    (number,) = numbers(runtime)
    assert number in dispatcher.messages[0]["text"]
    assert any(e.get("name") == "ticket_nummer" and e["value"] == number for e in events)
    assert spooled(tmp_path / "spool") == []
