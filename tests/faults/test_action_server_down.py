"""Faults around the conversation: the action server killed mid-melding, a webhook twice.

Real servers (Rasa server with the trained model, action server) on PostgreSQL; the
tenant is simulated over the REST channel.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator

import pytest

from channels.rest import APOLOGY
from devstack.stack import Stack, read_events, webchat_send
from devstack.stored import ticket_numbers
from devstack.tenant import MELDINGEN, answer_until, converse, said, ticket_in
from tests.faults.servers import kill_action_server, restart_action_server, tracker

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    from meldkamer.db import upgrade
    from tests.conftest import create_pg_database

    url, drop = create_pg_database()
    upgrade(url)
    running = Stack(database_url=url, workdir=tmp_path_factory.mktemp("faults")).start()
    try:
        yield running
    finally:
        running.stop()
        drop()


def tickets_of(stack: Stack, conversation_id: str) -> int:
    return len(ticket_numbers(stack.database_url, conversation_id))


def test_killed_action_server_gets_an_apology_and_the_melding_goes_on(stack: Stack) -> None:
    sender = f"kill-{uuid.uuid4().hex[:8]}"
    first, answers = MELDINGEN[0]
    # Play until the bot asks the name: the problem and the address are known by then.
    answer_until(stack, sender, first, answers, "Fatima el Amrani")
    slots_before = tracker(stack, sender)["slots"]
    assert slots_before["adres"] == "1234 AB 12" and slots_before["feiten"]

    kill_action_server(stack)
    replies = stack.say(sender, "Fatima el Amrani")
    assert [r.get("text") for r in replies] == [APOLOGY]
    assert "niet verloren" in APOLOGY and "medewerker" in APOLOGY and "112" in APOLOGY

    restart_action_server(stack)
    # The tenant tries again: nothing told before is asked again, and the melding ends.
    number, transcript = converse(stack, "Fatima el Amrani", answers, sender=sender)
    after = "\n".join(transcript)
    assert "postcode en huisnummer" not in after and "/inform{" not in after
    slots = tracker(stack, sender)["slots"]
    for kept in ("adres", "postcode", "huisnummer", "feiten", "topic", "melding_id"):
        assert slots[kept] == slots_before[kept], kept
    assert slots["ticket_nummer"] == number
    assert tickets_of(stack, sender) == 1


def test_the_apology_is_only_for_an_action_server_that_is_down(stack: Stack) -> None:
    # An answer that is a bot message is passed as it is; a healthy action server never
    # leads to the apology.
    replies = stack.say(f"ok-{uuid.uuid4().hex[:8]}", "hallo")
    assert replies and APOLOGY not in said(replies)


def test_confirming_twice_is_one_ticket(stack: Stack) -> None:
    sender = f"twice-{uuid.uuid4().hex[:8]}"
    first, answers = MELDINGEN[1]
    answer_until(stack, sender, first, answers, "ja", turns=20)
    # The same confirmation delivered twice at once (a retrying client or proxy)...
    results: list[list[dict]] = []
    threads = [
        threading.Thread(target=lambda: results.append(stack.say(sender, "ja"))) for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    numbers = {ticket_in(r) for r in results} - {None}
    assert len(numbers) == 1, results
    # ... and once more afterwards.
    again = stack.say(sender, "ja")
    assert ticket_in(again) in (None, *numbers)
    assert tickets_of(stack, sender) == 1


def test_webchat_tenant_also_hears_something_when_the_action_server_is_down(stack: Stack) -> None:
    session = f"web-{uuid.uuid4().hex}"
    webchat_send(stack.url, session, "de cv doet het niet")
    seen = read_events(stack.url, session, want=20, timeout=5)
    kill_action_server(stack)
    try:
        webchat_send(stack.url, session, "ja")
        new = read_events(stack.url, session, after=seen[-1][0], want=2, timeout=5)
        assert [m.get("from") for _, m in new][1:] == ["bot"], new
    finally:
        restart_action_server(stack)
