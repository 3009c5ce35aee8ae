"""Tracker-store helpers of the fault and security tests: a store, a turn, what was stored."""

from __future__ import annotations

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from devstack.stored import tracker_events
from rasa_addons.tracker_store import DatabaseUrlTrackerStore


def new_store(url: str, monkeypatch: pytest.MonkeyPatch) -> DatabaseUrlTrackerStore:
    """Rasa's tracker store on ``url`` (through DATABASE_URL, as Rasa starts it); no retry wait."""
    monkeypatch.setenv("DATABASE_URL", url)
    return DatabaseUrlTrackerStore(Domain.empty(), retry_seconds=0.0)


def turn(tracker: DialogueStateTracker, said: str, answer: str) -> None:
    """The tenant says something, the bot answers, and listens again."""
    tracker.update(UserUttered(said))
    tracker.update(BotUttered(answer))
    tracker.update(ActionExecuted("action_listen"))


def stored_texts(direct_url: str, sender_id: str) -> list[str]:
    """What was said in the stored conversation, read past the proxy."""
    return [event["text"] for event in tracker_events(direct_url, sender_id) if event.get("text")]
