"""What the tracker store sends the database per message, and a restart between two messages.

A message costs the Rasa server one read and one write of its tracker: the write is one
INSERT of the new events (no count of the stored events first, no ping of the pooled
connection), unless the tracker is not the one this store handed out (another server's).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from rasa.shared.core.trackers import DialogueStateTracker

from rasa_addons.tracker_store import DatabaseUrlTrackerStore
from tests.faults.conftest import ProxiedDatabase
from tests.faults.trackers import new_store, stored_texts, turn


@pytest.fixture
def store(
    proxied_pg: ProxiedDatabase, monkeypatch: pytest.MonkeyPatch
) -> Iterator[DatabaseUrlTrackerStore]:
    tracker_store = new_store(proxied_pg.url, monkeypatch)
    yield tracker_store
    tracker_store.engine.dispose()


def statements(store: DatabaseUrlTrackerStore) -> list[str]:
    """The SQL statements the store sends from now on (first word, upper case)."""
    sent: list[str] = []

    def record(*args: object) -> None:
        sent.append(str(args[2]).split()[0].upper())

    sa.event.listen(store.engine, "before_cursor_execute", record)
    sa.event.listen(store.single_engine, "before_cursor_execute", record)
    return sent


@pytest.mark.postgres
async def test_a_message_is_one_select_and_one_insert(
    store: DatabaseUrlTrackerStore, proxied_pg: ProxiedDatabase
) -> None:
    tracker = await store.get_or_create_tracker("huurder-1")
    turn(tracker, "lekkage", "Waar woont u?")
    await store.save(tracker)

    sent = statements(store)
    again = await store.retrieve("huurder-1")
    assert again is not None
    turn(again, "1234 AB 12", "Hoe heet u?")
    await store.save(again)
    assert sent == ["SELECT", "INSERT"]
    assert stored_texts(proxied_pg.direct, "huurder-1") == [
        "lekkage",
        "Waar woont u?",
        "1234 AB 12",
        "Hoe heet u?",
    ]


@pytest.mark.postgres
async def test_another_servers_events_are_counted_not_overwritten(
    store: DatabaseUrlTrackerStore,
    proxied_pg: ProxiedDatabase,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    other = new_store(proxied_pg.url, monkeypatch)
    try:
        first = await store.get_or_create_tracker("huurder-2")
        turn(first, "lekkage", "Waar woont u?")
        await store.save(first)
        # The next message reaches the other server, the one after it this one again.
        there = await other.retrieve("huurder-2")
        assert there is not None
        turn(there, "1234 AB 12", "Hoe heet u?")
        await other.save(there)
        here = await store.retrieve("huurder-2")
        assert here is not None
        turn(here, "Fatima", "Uw telefoonnummer?")
        await store.save(here)
        # A tracker this store did not hand out (built from the API, say) is counted first.
        rebuilt = DialogueStateTracker.from_dict("huurder-2", [e.as_dict() for e in here.events])
        turn(rebuilt, "0612345678", "Klopt dit?")
        sent = statements(store)
        await store.save(rebuilt)
        assert sent == ["SELECT", "INSERT"]
    finally:
        other.engine.dispose()
    assert stored_texts(proxied_pg.direct, "huurder-2") == [
        "lekkage",
        "Waar woont u?",
        "1234 AB 12",
        "Hoe heet u?",
        "Fatima",
        "Uw telefoonnummer?",
        "0612345678",
        "Klopt dit?",
    ]


@pytest.mark.postgres
async def test_a_database_restart_between_two_messages_is_no_outage(
    store: DatabaseUrlTrackerStore, proxied_pg: ProxiedDatabase
) -> None:
    tracker = await store.get_or_create_tracker("huurder-3")
    turn(tracker, "lekkage", "Waar woont u?")
    await store.save(tracker)
    # The pooled connection dies with the restart; nothing pings it before use.
    proxied_pg.proxy.down()
    proxied_pg.proxy.up()
    again = await store.retrieve("huurder-3")
    # Read from the database, not answered from memory as during an outage.
    assert again is not None and again is not tracker
    assert len(again.events) == len(tracker.events)
    proxied_pg.proxy.down()
    proxied_pg.proxy.up()
    turn(again, "1234 AB 12", "Hoe heet u?")
    await store.save(again)
    assert store.pending == []
    assert stored_texts(proxied_pg.direct, "huurder-3") == [
        "lekkage",
        "Waar woont u?",
        "1234 AB 12",
        "Hoe heet u?",
    ]


async def test_on_sqlite_a_message_is_stored_for_the_next_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SQLite has no AUTOCOMMIT engine: the one-INSERT write must still be committed, or
    # the next read (another process, a restart) finds the conversation empty.
    url = f"sqlite:///{tmp_path / 'trackers.db'}"
    store = new_store(url, monkeypatch)
    tracker = await store.get_or_create_tracker("huurder-4")
    turn(tracker, "lekkage", "Waar woont u?")
    await store.save(tracker)
    again = await store.retrieve("huurder-4")
    assert again is not None
    turn(again, "1234 AB 12", "Hoe heet u?")
    await store.save(again)
    store.engine.dispose()

    other = new_store(url, monkeypatch)
    stored = await other.retrieve("huurder-4")
    assert stored is not None
    said = [event.text for event in stored.events if getattr(event, "text", None)]
    assert said == ["lekkage", "Waar woont u?", "1234 AB 12", "Hoe heet u?"]
