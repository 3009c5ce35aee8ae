"""The database away for a while during a melding: nothing is lost.

The Rasa server, the action server and the worker reach PostgreSQL only through a TCP
proxy on loopback (tests/faults/proxy.py); switching the proxy off is the outage. The
machine's PostgreSQL itself keeps running.
"""

from __future__ import annotations

import signal
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from devstack.stack import Stack
from devstack.stored import ticket_numbers, tracker_events
from devstack.tenant import MELDINGEN, next_message, said, ticket_in
from tests.faults.conftest import ProxiedDatabase
from tests.faults.servers import start_worker

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]


@pytest.fixture
def stack(proxied_pg: ProxiedDatabase, tmp_path: Path) -> Iterator[Stack]:
    running = Stack(
        database_url=proxied_pg.url,
        workdir=tmp_path,
        env={"MELDKAMER_SPOOL_DIR": str(tmp_path / "spool")},
    ).start()
    try:
        yield running
    finally:
        running.stop()


def stored_user_texts(direct: str, sender: str) -> list[str]:
    return [event["text"] for event in tracker_events(direct, sender) if event["event"] == "user"]


def wait_until(condition, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.5)
    raise AssertionError("timed out")


def test_a_melding_completes_during_an_outage_and_is_stored_once_afterwards(
    stack: Stack, proxied_pg: ProxiedDatabase, tmp_path: Path
) -> None:
    sender = f"outage-{uuid.uuid4().hex[:8]}"
    first, answers = MELDINGEN[0]
    replies = stack.say(sender, first)
    told: list[str] = [first]
    # Until the address is known (the clients are read from the database then).
    while "Wat is uw naam" not in said(replies):
        message = next_message(replies, answers)
        told.append(message)
        replies = stack.say(sender, message)

    proxied_pg.proxy.down()
    for _ in range(10):
        message = next_message(replies, answers)
        told.append(message)
        replies = stack.say(sender, message)
        if message == "ja":
            break
    kept = said(replies)
    assert "bewaard" in kept and "niet kwijt" in kept, kept
    assert ticket_in(replies) is None
    assert len(list((tmp_path / "spool").glob("*.json"))) == 1
    assert ticket_numbers(proxied_pg.direct, sender) == []

    proxied_pg.proxy.up()
    worker = start_worker(
        {"DATABASE_URL": proxied_pg.url, "MELDKAMER_SPOOL_DIR": str(tmp_path / "spool")},
        tmp_path / "worker.log",
    )
    try:
        wait_until(lambda: ticket_numbers(proxied_pg.direct, sender) != [])
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(30)
    assert list((tmp_path / "spool").glob("*.json")) == []
    (number,) = ticket_numbers(proxied_pg.direct, sender)

    # The conversation of the outage reached the database too (the Rasa server retries).
    wait_until(lambda: stored_user_texts(proxied_pg.direct, sender) == told, timeout=30)
    # The tenant confirms once more: the same ticket, not a second one.
    again = stack.say(sender, "ja")
    assert ticket_in(again) in (None, number)
    assert ticket_numbers(proxied_pg.direct, sender) == [number]
