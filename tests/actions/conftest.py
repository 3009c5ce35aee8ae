"""Fixtures for the custom actions: trackers from dicts, a dispatcher, a real database."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.runtime import Runtime, use_runtime
from devstack.stack import apply_demo_clients
from meldkamer.db import make_engine, make_sessionmaker
from meldkamer.triage.officehours import AMSTERDAM
from tests.databases import TEMPLATES, migrated_sqlite

ROOT = Path(__file__).resolve().parents[2]
#: A winter night: the office is closed until Monday morning.
NIGHT = datetime(2026, 12, 5, 3, 0, tzinfo=AMSTERDAM)


@pytest.fixture(scope="session")
def domain() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "domain.yml").read_text("utf-8"))


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[Runtime]:
    """The actions' runtime on a fresh SQLite database, with the clock at NIGHT."""
    yield from night_runtime(migrated_sqlite(tmp_path / "actions.db", demo_at=NIGHT))


def night_runtime(url: str) -> Iterator[Runtime]:
    """The actions' runtime on ``url`` with the demo clients applied and the clock at NIGHT.

    Installed as the actions' runtime while the caller (a fixture) holds it.
    """
    if url not in TEMPLATES.cloned:  # a template's copy has them already
        apply_demo_clients(url, now=NIGHT)
    engine = make_engine(url)
    rt = Runtime(sessions=make_sessionmaker(engine), clock=lambda: NIGHT)
    use_runtime(rt)
    yield rt
    use_runtime(None)
    engine.dispose()


def user_message(
    text: str,
    intent: str = "inform",
    confidence: float = 0.95,
    entities: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    return {
        "text": text,
        "intent": {"name": intent, "confidence": confidence},
        "entities": entities or [],
    }


@pytest.fixture
def make_tracker() -> Callable[..., Tracker]:
    """Build a tracker the way the action server receives one."""

    def build(
        slots: dict[str, Any] | None = None,
        message: dict[str, Any] | None = None,
        active_loop: str | None = None,
        channel: str = "rest",
    ) -> Tracker:
        message = message or user_message("hallo", "greet")
        return Tracker.from_dict(
            {
                "sender_id": "huurder-1",
                "slots": {"niet_begrepen": 0, "wacht_op_bevestiging": False, **(slots or {})},
                "latest_message": message,
                "events": [
                    *(
                        [
                            {
                                "event": "slot",
                                "name": "requested_slot",
                                "value": slots["requested_slot"],
                            }
                        ]
                        if slots and "requested_slot" in slots
                        else []
                    ),
                    {"event": "action", "name": "action_listen"},
                    {
                        "event": "user",
                        "text": message["text"],
                        "parse_data": message,
                        "input_channel": channel,
                    },
                ],
                "paused": False,
                "followup_action": None,
                "active_loop": {"name": active_loop} if active_loop else {},
                "latest_action_name": "action_listen",
            }
        )

    return build


def texts(dispatcher: CollectingDispatcher) -> list[str]:
    """What the bot said, responses by name and texts as they are."""
    return [m.get("response") or m.get("text") or "" for m in dispatcher.messages]


COMPLETE_MELDING = {
    "topic": "lekkage_waterleiding",
    "melding_id": "m-1",
    "feiten": {"leiding_gesprongen": True, "leiding_afsluitbaar": False},
    "onbekende_feiten": [],
    "adres": "1234 AB 12",
    "postcode": "1234 AB",
    "huisnummer": 12,
    "huisnummer_toevoeging": None,
    "naam": "Fatima el Amrani",
    "telefoon": "+31612345678",
    "email": "geen",
    "beschrijving": "water spuit uit de leiding onder het aanrecht",
}
