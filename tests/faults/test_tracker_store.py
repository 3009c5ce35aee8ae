"""The tracker store through a database outage (a proxy in front of PostgreSQL switched off)."""

from __future__ import annotations

import pytest

from devstack.stored import tracker_events
from rasa_addons.tracker_store import DatabaseUrlTrackerStore, is_outage
from tests.faults.conftest import ProxiedDatabase
from tests.faults.trackers import new_store, turn

pytestmark = pytest.mark.postgres


@pytest.fixture
def store(proxied_pg: ProxiedDatabase, monkeypatch: pytest.MonkeyPatch) -> DatabaseUrlTrackerStore:
    tracker_store = new_store(proxied_pg.url, monkeypatch)
    yield tracker_store
    tracker_store.engine.dispose()


def stored_steps(direct_url: str, sender_id: str) -> list[str]:
    """What each stored event said, or for an action its name."""
    return [
        event.get("text") or event.get("name") for event in tracker_events(direct_url, sender_id)
    ]


async def test_a_conversation_goes_on_through_an_outage_and_is_stored_once(
    store: DatabaseUrlTrackerStore, proxied_pg: ProxiedDatabase
) -> None:
    tracker = await store.get_or_create_tracker("huurder-1")
    turn(tracker, "lekkage", "Waar woont u?")
    await store.save(tracker)
    before = stored_steps(proxied_pg.direct, "huurder-1")

    proxied_pg.proxy.down()
    during = await store.retrieve("huurder-1")
    assert during is not None and len(during.events) == len(tracker.events)
    turn(during, "1234 AB 12", "Hoe heet u?")
    await store.save(during)  # kept in memory
    assert store.pending == ["huurder-1"]
    again = await store.retrieve("huurder-1")  # the pending tracker, newer than the database's
    assert again is during
    turn(again, "Fatima", "Uw telefoonnummer?")
    await store.save(again)
    assert stored_steps(proxied_pg.direct, "huurder-1") == before

    proxied_pg.proxy.up()
    after = await store.retrieve("huurder-1")  # retries saving first
    assert store.pending == []
    assert after is not None and [e.as_dict().get("text") for e in after.events] == [
        e.as_dict().get("text") for e in again.events
    ]
    texts = stored_steps(proxied_pg.direct, "huurder-1")
    assert texts == before + [
        "1234 AB 12",
        "Hoe heet u?",
        "action_listen",
        "Fatima",
        "Uw telefoonnummer?",
        "action_listen",
    ]


async def test_a_conversation_started_during_the_outage_is_stored_afterwards(
    store: DatabaseUrlTrackerStore, proxied_pg: ProxiedDatabase
) -> None:
    proxied_pg.proxy.down()
    with pytest.raises(Exception) as raised:
        await store.retrieve("nieuw-1")
    assert is_outage(raised.value)  # Rasa's fail-safe wrapper then starts a new tracker
    tracker = await store.create_tracker("nieuw-1")
    turn(tracker, "ik ruik gas", "Verlaat de woning.")
    await store.save(tracker)
    assert store.pending == ["nieuw-1"]
    proxied_pg.proxy.up()
    other = await store.get_or_create_tracker("iemand-anders")  # any traffic retries
    await store.save(other)
    assert store.pending == []
    assert stored_steps(proxied_pg.direct, "nieuw-1") == [
        "action_listen",
        "ik ruik gas",
        "Verlaat de woning.",
        "action_listen",
    ]


async def test_pending_trackers_are_saved_without_more_traffic(
    store: DatabaseUrlTrackerStore, proxied_pg: ProxiedDatabase
) -> None:
    import asyncio

    tracker = await store.get_or_create_tracker("stil-1")
    proxied_pg.proxy.down()
    turn(tracker, "hallo", "Wat is er aan de hand?")
    await store.save(tracker)
    assert store.pending == ["stil-1"]
    proxied_pg.proxy.up()
    for _ in range(50):
        await asyncio.sleep(0.1)
        if not store.pending:
            break
    assert store.pending == []
    assert "hallo" in stored_steps(proxied_pg.direct, "stil-1")


async def test_the_buffer_is_bounded(
    store: DatabaseUrlTrackerStore, proxied_pg: ProxiedDatabase
) -> None:
    store.buffer_size = 3
    proxied_pg.proxy.down()
    for n in range(5):
        tracker = store.init_tracker(f"vol-{n}")
        turn(tracker, "hallo", "Wat is er?")
        await store.save(tracker)
    assert store.pending == ["vol-2", "vol-3", "vol-4"]
    proxied_pg.proxy.up()


async def test_refused_data_is_an_error_not_an_outage(store: DatabaseUrlTrackerStore) -> None:
    tracker = store.init_tracker("x" * 300)  # longer than the sender_id column
    turn(tracker, "hallo", "Wat is er?")
    with pytest.raises(Exception) as raised:
        await store.save(tracker)
    assert not is_outage(raised.value)
    assert store.pending == []
