"""A stalled database does not block Rasa's event loop in the tracker store (issue 14).

The database hangs (the proxy holds every byte, connections stay open) while a save is
under way; the loop must still answer another request, and nothing is lost afterwards.
Before the fix the save ran its SQL on the loop, so nothing else ran until the database
answered again.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

import pytest

from rasa_addons.tracker_store import DatabaseUrlTrackerStore
from tests.faults.conftest import ProxiedDatabase, proxied_pg  # noqa: F401
from tests.faults.trackers import new_store, stored_texts, turn

pytestmark = pytest.mark.postgres

#: Longest the safety net lets the database hang before it lets go, so a blocked loop
#: makes the test fail instead of hang; the test asserts the order, never a duration.
SAFETY_NET_S = 15.0


@pytest.fixture
def store(
    proxied_pg: ProxiedDatabase,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[DatabaseUrlTrackerStore]:
    tracker_store = new_store(proxied_pg.url, monkeypatch)
    yield tracker_store
    proxied_pg.proxy.resume()
    tracker_store.engine.dispose()


async def answer_a_request() -> str:
    """A request served by the same loop: a loopback TCP round trip to a server on it."""

    async def echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(await reader.readline())
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(echo, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"status?\n")
        await writer.drain()
        answer = (await reader.readline()).decode().strip()
        writer.close()
        return answer
    finally:
        server.close()
        await server.wait_closed()


async def test_a_stalled_database_does_not_block_the_loop(
    store: DatabaseUrlTrackerStore,
    proxied_pg: ProxiedDatabase,  # noqa: F811
) -> None:
    tracker = await store.get_or_create_tracker("huurder-stil")
    turn(tracker, "lekkage", "Waar woont u?")
    await store.save(tracker)

    order: list[str] = []

    def let_go() -> None:
        order.append("database answers again")
        proxied_pg.proxy.resume()

    safety_net = threading.Timer(SAFETY_NET_S, let_go)
    proxied_pg.proxy.stall()
    turn(tracker, "1234 AB 12", "Hoe heet u?")
    saving = asyncio.create_task(store.save(tracker))
    safety_net.start()
    try:
        loop = asyncio.get_running_loop()
        # The save has reached the database and waits for it (the proxy holds its bytes).
        assert await loop.run_in_executor(None, proxied_pg.proxy.held.wait, SAFETY_NET_S)
        assert not saving.done()
        order.append(f"answered: {await answer_a_request()}")
    finally:
        safety_net.cancel()
    assert order == ["answered: status?"]

    proxied_pg.proxy.resume()
    await saving
    assert store.pending == []
    assert stored_texts(proxied_pg.direct, "huurder-stil") == [
        "lekkage",
        "Waar woont u?",
        "1234 AB 12",
        "Hoe heet u?",
    ]
