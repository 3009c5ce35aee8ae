"""The outbox queue: idempotent enqueue in the ticket's transaction, claims, retries, registration."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, inspect, select

from meldkamer import db
from meldkamer.notify import (
    MAX_ATTEMPTS,
    OutboxMessage,
    claim_due,
    enqueue,
    mark_failed,
    mark_sent,
    messages_for_ticket,
    outbox_to_dict,
    release,
    retry_delay,
)
from meldkamer.notify.outbox import queue
from meldkamer.tickets import Ticket, create_ticket
from tests.core.meldingen import melding
from tests.core.threads import at_once
from tests.migrating import downgrade

NOW = datetime(2026, 3, 1, 2, 30, tzinfo=timezone.utc)
LEASE = timedelta(minutes=10)


def werkbon(
    session, ticket_id: int | None, key: str = "werkbon:MK-2026-000001:jansen:1", **changes
):
    fields: dict[str, object] = {
        "key": key,
        "kind": "email",
        "recipient": "storing@jansen-installatie.test",
        "subject": "Werkbon MK-2026-000001",
        "body": "Lekkage in de badkamer.",
        "ticket_id": ticket_id,
        "purpose": "werkbon",
        "now": NOW,
    }
    fields.update(changes)
    return enqueue(session, **fields)


def sms(session, ticket_id: int | None, key: str, **changes):
    fields: dict[str, object] = {
        "kind": "sms",
        "recipient": "+31612345678",
        "body": "Uw melding MK-2026-000001 is doorgezet.",
        "purpose": "bevestiging_huurder",
    }
    fields.update(changes)
    return werkbon(session, ticket_id, key, **fields)


def count(session) -> int:
    return session.execute(select(func.count()).select_from(OutboxMessage)).scalar_one()


# --- enqueue ---------------------------------------------------------------------------------


def test_enqueue_queues_a_message_about_the_ticket(session) -> None:
    ticket = create_ticket(session, melding(), NOW)
    message = werkbon(session, ticket.id, now=NOW + timedelta(seconds=5))
    session.commit()

    assert outbox_to_dict(message) == {
        "id": message.id,
        "key": "werkbon:MK-2026-000001:jansen:1",
        "ticket_id": ticket.id,
        "kind": "email",
        "purpose": "werkbon",
        "recipient": "storing@jansen-installatie.test",
        "subject": "Werkbon MK-2026-000001",
        "body": "Lekkage in de badkamer.",
        "status": "wachtrij",
        "attempts": 0,
        "next_attempt_at": "2026-03-01T02:30:05+00:00",
        "locked_until": None,
        "last_error": None,
        "created_at": "2026-03-01T02:30:05+00:00",
        "sent_at": None,
    }


def test_enqueue_is_idempotent_on_the_key(session) -> None:
    ticket = create_ticket(session, melding(), NOW)
    first = werkbon(session, ticket.id)
    session.commit()
    again = werkbon(session, ticket.id, body="Iets anders", now=NOW + timedelta(hours=1))
    assert again.id == first.id
    assert (again.body, again.created_at) == ("Lekkage in de badkamer.", NOW)
    other = werkbon(session, ticket.id, key="werkbon:MK-2026-000001:jansen:2")
    assert other.id != first.id
    session.commit()
    assert count(session) == 2


def test_queue_says_whether_this_call_queued_the_key(sessions) -> None:
    """In one transaction, in a later one, and when two queue the same key at once."""
    fields = {"kind": "email", "recipient": "storing@jansen-installatie.test", "now": NOW}
    fields.update(subject="Werkbon MK-2026-000001", body="Lekkage.", purpose="werkbon")
    with sessions() as session:
        first, new = queue(session, key="werkbon:a", **fields)
        again, new_again = queue(session, key="werkbon:a", **{**fields, "body": "Anders."})
        assert (new, new_again, again.id, again.body) == (True, False, first.id, "Lekkage.")
        session.commit()
    with sessions() as session:
        assert queue(session, key="werkbon:a", **fields)[1] is False

    def run(n: int) -> bool:
        with sessions() as session:
            fresh = queue(session, key="werkbon:b", **{**fields, "body": f"tekst {n}"})[1]
            session.commit()
            return fresh

    assert sorted(at_once(run)) == [False, True]


@pytest.mark.parametrize("enqueue_first", [False, True])
def test_enqueue_belongs_to_the_callers_transaction(session, enqueue_first: bool) -> None:
    """Rolled back with the ticket, also when it is the first write of the transaction."""
    if enqueue_first:
        werkbon(session, None)
        create_ticket(session, melding(), NOW)
    else:
        ticket = create_ticket(session, melding(), NOW)
        werkbon(session, ticket.id)
    session.rollback()
    assert count(session) == 0
    assert session.execute(select(func.count()).select_from(Ticket)).scalar_one() == 0

    ticket = create_ticket(session, melding(), NOW)
    werkbon(session, ticket.id)
    session.commit()
    assert [m.key for m in messages_for_ticket(session, ticket.id)] == [
        "werkbon:MK-2026-000001:jansen:1"
    ]


def test_concurrent_enqueue_of_one_key_gives_one_message(sessions) -> None:
    def run(n: int) -> int:
        with sessions() as session:
            message = werkbon(session, None, body=f"tekst {n}")
            session.commit()
            return message.id

    ids = at_once(run)
    assert len(ids) == 2 and ids[0] == ids[1]
    with sessions() as session:
        assert count(session) == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"kind": "fax"}, "kind 'fax' onbekend"),
        ({"recipient": "geen-adres"}, "'geen-adres' is geen e-mailadres"),
        ({"recipient": "a@b"}, "geen e-mailadres"),
        ({"kind": "sms", "recipient": "0612345678"}, "geen genormaliseerd telefoonnummer"),
        ({"kind": "sms", "recipient": "storing@jansen.test"}, "geen genormaliseerd telefoonnummer"),
        ({"subject": None}, "een e-mail heeft een onderwerp nodig"),
        ({"subject": "Werkbon\r\nBcc: iedereen@example.nl"}, "subject bevat een regeleinde"),
        ({"subject": "x" * 301}, "subject is langer dan 300 tekens"),
        ({"body": "  "}, "body is leeg"),
        ({"key": ""}, "key is leeg"),
        ({"key": "k" * 201}, "key is langer dan 200 tekens"),
        ({"purpose": "p" * 41}, "purpose is langer dan 40 tekens"),
        ({"now": datetime(2026, 3, 1, 2, 30)}, "heeft geen tijdzone"),
    ],
)
def test_enqueue_refuses_malformed_messages(session, changes, message) -> None:
    with pytest.raises(ValueError, match=message):
        werkbon(session, None, **changes)
    assert count(session) == 0


# --- claims ------------------------------------------------------------------------------------


def test_claim_takes_due_messages_oldest_first(session) -> None:
    for n, delay in enumerate([20, 0, 10, 60]):
        werkbon(session, None, key=f"k{n}", now=NOW + timedelta(seconds=delay))
    session.commit()

    claimed = claim_due(session, NOW + timedelta(seconds=30), limit=2, lease=LEASE)
    session.commit()
    assert [m.key for m in claimed] == ["k1", "k2"]
    assert all(m.status == "bezig" and m.attempts == 1 for m in claimed)
    assert claimed[0].locked_until == NOW + timedelta(seconds=30) + LEASE

    rest = claim_due(session, NOW + timedelta(seconds=30), limit=10, lease=LEASE)
    assert [m.key for m in rest] == ["k0"], "k3 is not due yet, k1 and k2 are claimed"
    with pytest.raises(ValueError, match="limit moet positief"):
        claim_due(session, NOW, limit=0)


def test_claim_only_the_wanted_kinds(session) -> None:
    werkbon(session, None, key="mail")
    sms(session, None, key="sms")
    session.commit()
    assert claim_due(session, NOW, limit=10, kinds=[]) == []
    assert [m.key for m in claim_due(session, NOW, limit=10, kinds=["sms"])] == ["sms"]
    assert [m.key for m in claim_due(session, NOW, limit=10, kinds={"email", "sms"})] == ["mail"]


def test_a_crashed_senders_claim_runs_out(session) -> None:
    werkbon(session, None)
    session.commit()
    (claimed,) = claim_due(session, NOW, limit=5, lease=LEASE)
    session.commit()
    assert claim_due(session, NOW + LEASE - timedelta(seconds=1), limit=5, lease=LEASE) == []
    (again,) = claim_due(session, NOW + LEASE, limit=5, lease=LEASE)
    assert again.id == claimed.id and again.attempts == 2
    assert again.locked_until == NOW + 2 * LEASE


def test_a_message_that_keeps_crashing_its_sender_fails_in_the_end(session) -> None:
    message = werkbon(session, None)
    session.commit()
    moment = NOW
    for _ in range(MAX_ATTEMPTS):
        assert claim_due(session, moment, limit=1, lease=LEASE) == [message]
        session.commit()
        moment += LEASE
    assert claim_due(session, moment, limit=1, lease=LEASE) == []
    session.commit()
    session.refresh(message)
    assert (message.status, message.attempts) == ("mislukt", MAX_ATTEMPTS)
    assert message.last_error == "verzending steeds onderbroken; pogingen op"


def test_concurrent_claims_never_share_a_message(sessions) -> None:
    with sessions() as session:
        for n in range(40):
            werkbon(session, None, key=f"k{n:02}")
        session.commit()

    def run(worker: int) -> list[str]:
        claimed: list[str] = []
        while True:
            with sessions() as session:
                batch = claim_due(session, NOW, limit=3, lease=LEASE)
                session.commit()
            if not batch:
                return claimed
            claimed.extend(m.key for m in batch)

    first, second = at_once(run)
    everything = first + second
    assert sorted(everything) == [f"k{n:02}" for n in range(40)], "each message claimed once"


# --- outcomes ------------------------------------------------------------------------------------


def test_retry_delays_double_from_30_seconds_up_to_an_hour() -> None:
    assert [retry_delay(n).total_seconds() for n in range(1, 10)] == [
        30,
        60,
        120,
        240,
        480,
        960,
        1920,
        3600,
        3600,
    ]


@given(st.integers(min_value=0, max_value=10**6))
def test_retry_delay_stays_between_30_seconds_and_an_hour(attempts: int) -> None:
    delay = retry_delay(attempts)
    assert timedelta(seconds=30) <= delay <= timedelta(hours=1)
    assert retry_delay(attempts + 1) >= delay


def test_failures_back_off_and_give_up_after_twelve_attempts(session) -> None:
    message = werkbon(session, None)
    session.commit()
    moment = NOW
    waits = []
    for attempt in range(1, MAX_ATTEMPTS + 1):
        (claimed,) = claim_due(session, moment, limit=1, lease=LEASE)
        assert claimed.attempts == attempt
        mark_failed(session, claimed, "SMTP-server niet bereikbaar", moment)
        session.commit()
        if attempt < MAX_ATTEMPTS:
            assert claimed.status == "wachtrij" and claimed.locked_until is None
            waits.append((claimed.next_attempt_at - moment).total_seconds())
            # Not due a moment before its next attempt.
            assert claim_due(session, claimed.next_attempt_at - timedelta(seconds=1), limit=1) == []
            moment = claimed.next_attempt_at
    assert waits == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600, 3600]
    assert (message.status, message.attempts) == ("mislukt", MAX_ATTEMPTS)
    assert message.last_error == "SMTP-server niet bereikbaar"
    assert claim_due(session, moment + timedelta(days=1), limit=1) == []


def test_a_permanent_failure_gives_up_at_once(session) -> None:
    message = sms(session, None, key="sms")
    session.commit()
    (claimed,) = claim_due(session, NOW, limit=1)
    mark_failed(session, claimed, "x" * 5000, NOW, permanent=True)
    session.commit()
    assert (message.status, message.attempts) == ("mislukt", 1)
    assert message.last_error == "x" * 1000


def test_mark_sent_and_release(session) -> None:
    werkbon(session, None, key="a")
    werkbon(session, None, key="b")
    session.commit()
    first, second = claim_due(session, NOW, limit=2)
    mark_sent(session, first, NOW + timedelta(seconds=3))
    release(session, second)
    session.commit()
    assert (first.status, first.sent_at, first.locked_until) == (
        "verzonden",
        NOW + timedelta(seconds=3),
        None,
    )
    assert (second.status, second.attempts, second.locked_until) == ("wachtrij", 0, None)
    assert [m.key for m in claim_due(session, NOW, limit=5)] == ["b"]


# --- registration on the ticket ---------------------------------------------------------------------


def test_messages_for_ticket_oldest_first_and_only_that_ticket(session) -> None:
    ticket = create_ticket(session, melding("m-1"), NOW)
    other = create_ticket(session, melding("m-2"), NOW)
    sms(session, ticket.id, "bevestiging", now=NOW + timedelta(seconds=2))
    werkbon(session, ticket.id, now=NOW + timedelta(seconds=1))
    werkbon(session, other.id, key="werkbon:ander")
    werkbon(session, None, key="configuratie:1", purpose="configuratie")
    session.commit()
    assert [m.key for m in messages_for_ticket(session, ticket.id)] == [
        "werkbon:MK-2026-000001:jansen:1",
        "bevestiging",
    ]


def test_a_deleted_ticket_keeps_its_messages(session) -> None:
    ticket = create_ticket(session, melding(), NOW)
    message = werkbon(session, ticket.id)
    session.commit()
    session.delete(ticket)
    session.commit()
    session.refresh(message)
    assert message.ticket_id is None and count(session) == 1


# --- migration ------------------------------------------------------------------------------------


def test_migration_0002_adds_and_removes_the_outbox(database_url: str) -> None:
    db.upgrade(database_url)
    engine = db.make_engine(database_url)
    try:
        inspector = inspect(engine)
        assert "outbox" in inspector.get_table_names()
        assert {i["name"] for i in inspector.get_indexes("outbox")} >= {
            "ix_outbox_status",
            "ix_outbox_next_attempt_at",
            "ix_outbox_ticket_id",
        }
        with engine.connect() as connection:
            downgrade(connection, "0001")
        tables = set(inspect(engine).get_table_names())
        assert "outbox" not in tables and "tickets" in tables
    finally:
        engine.dispose()
    db.upgrade(database_url)
