"""The delivery worker against real servers: aiosmtpd and an aiohttp SMS gateway on loopback.

Also kills a real ``meldkamer worker`` process with SIGKILL and stops one with SIGTERM.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import select

from meldkamer import db
from meldkamer.cli import main
from meldkamer.notify import OutboxMessage, enqueue, messages_for_ticket
from meldkamer.notify.mail import EmailSender, message_id
from meldkamer.notify.outbox import DEFAULT_LEASE
from meldkamer.notify.sms import SmsSender
from meldkamer.notify.worker import DeliveryReport, deliver_due, run_worker
from meldkamer.tickets import create_ticket
from tests.core.meldingen import melding
from tests.core.threads import at_once
from tests.fakes.mail import (
    GATEWAY_TOKEN,
    free_port,
    running_smtp_server,
)

NOW = datetime(2026, 3, 1, 2, 30, tzinfo=timezone.utc)
ROOT = Path(__file__).resolve().parents[2]
BODY = "Lekkage in de badkamer van Coolsingel 12a; water loopt door het plafond."


def queue_email(session, key: str, ticket_id: int | None = None, now: datetime = NOW):
    return enqueue(
        session,
        key=key,
        kind="email",
        recipient="storing@jansen-installatie.test",
        subject=f"Werkbon {key}",
        body=BODY,
        ticket_id=ticket_id,
        purpose="werkbon",
        now=now,
    )


def queue_sms(session, key: str, ticket_id: int | None = None, recipient: str = "+31612345678"):
    return enqueue(
        session,
        key=key,
        kind="sms",
        recipient=recipient,
        body="Uw melding is doorgezet naar de monteur. Meldkamer",
        ticket_id=ticket_id,
        purpose="bevestiging_huurder",
        now=NOW,
    )


def statuses(sessions) -> dict[str, tuple[str, int]]:
    with sessions() as session:
        rows = session.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars()
        return {m.key: (m.status, m.attempts) for m in rows}


class StubSender:
    """A sender without network, for the worker's own logic; calls ``action`` per message."""

    def __init__(self, action: Callable[[OutboxMessage], None]) -> None:
        self.action = action
        self.keys: list[str] = []

    async def send(self, message: OutboxMessage) -> None:
        self.keys.append(message.key)
        self.action(message)

    async def close(self) -> None:
        pass


# --- delivery ------------------------------------------------------------------------------------


async def test_email_and_sms_are_delivered_and_registered_on_the_ticket(
    sessions, smtp_server, sms_gateway
) -> None:
    with sessions() as session:
        ticket = create_ticket(session, melding(), NOW)
        # In the transaction that makes the ticket: both exist, or neither.
        queue_email(session, f"werkbon:{ticket.number}:jansen:1", ticket.id)
        queue_sms(session, f"bevestiging:{ticket.number}", ticket.id)
        session.commit()
    sms_sender = SmsSender(sms_gateway.settings())
    senders = {"email": EmailSender(smtp_server.settings()), "sms": sms_sender}
    try:
        report = await deliver_due(sessions, senders, NOW + timedelta(seconds=1))
        assert report == DeliveryReport(claimed=2, sent=2)
        assert await deliver_due(sessions, senders, NOW + timedelta(hours=1)) == DeliveryReport()
    finally:
        await sms_sender.close()

    (email,) = smtp_server.mailbox.messages
    assert email["To"] == "storing@jansen-installatie.test"
    assert email["Subject"] == "Werkbon werkbon:MK-2026-000001:jansen:1"
    assert email.get_content().replace("\r\n", "\n").rstrip("\n") == BODY
    assert email["Message-ID"] == message_id(
        "werkbon:MK-2026-000001:jansen:1", smtp_server.settings()
    )
    (sms,) = sms_gateway.requests
    assert (sms["to"], sms["from"], sms["reference"]) == (
        "+31612345678",
        "Meldkamer",
        "bevestiging:MK-2026-000001",
    )
    assert sms["text"] == "Uw melding is doorgezet naar de monteur. Meldkamer"

    with sessions() as session:
        registered = messages_for_ticket(session, ticket.id)
    assert [(m.purpose, m.status, m.attempts, m.sent_at) for m in registered] == [
        ("werkbon", "verzonden", 1, NOW + timedelta(seconds=1)),
        ("bevestiging_huurder", "verzonden", 1, NOW + timedelta(seconds=1)),
    ]


async def test_unreachable_smtp_server_backs_off_and_delivers_each_once(
    sessions, smtp_server
) -> None:
    smtp_server.stop()
    with sessions() as session:
        for n in range(3):
            queue_email(session, f"werkbon:{n}")
        session.commit()
    senders = {"email": EmailSender(smtp_server.settings(timeout=2.0))}

    report = await deliver_due(sessions, senders, NOW)
    assert report == DeliveryReport(claimed=3, retried=3)
    with sessions() as session:
        rows = list(session.execute(select(OutboxMessage)).scalars())
    assert {(m.status, m.attempts, m.next_attempt_at) for m in rows} == {
        ("wachtrij", 1, NOW + timedelta(seconds=30))
    }
    assert all(m.last_error.startswith("SMTP-server niet bereikbaar") for m in rows)

    # The injected clock moves on; nothing is retried before its time.
    assert (await deliver_due(sessions, senders, NOW + timedelta(seconds=29))).claimed == 0
    report = await deliver_due(sessions, senders, NOW + timedelta(seconds=30))
    assert report == DeliveryReport(claimed=3, retried=3)
    assert (await deliver_due(sessions, senders, NOW + timedelta(seconds=89))).claimed == 0

    smtp_server.start()
    report = await deliver_due(sessions, senders, NOW + timedelta(seconds=90))
    assert report == DeliveryReport(claimed=3, sent=3)
    assert (await deliver_due(sessions, senders, NOW + timedelta(days=1))).claimed == 0

    assert statuses(sessions) == {f"werkbon:{n}": ("verzonden", 3) for n in range(3)}
    received = Counter(smtp_server.mailbox.message_ids())
    expected = {message_id(f"werkbon:{n}", smtp_server.settings()) for n in range(3)}
    assert set(received) == expected and set(received.values()) == {1}


async def test_gateway_400_fails_at_once_and_500_is_retried(sessions, sms_gateway) -> None:
    with sessions() as session:
        ticket = create_ticket(session, melding(), NOW)
        queue_sms(session, "sms:ongeldig", ticket.id, recipient="+31600000000")
        queue_sms(session, "sms:later", ticket.id)
        session.commit()
    sms_gateway.statuses = [400, 500]
    async with SmsSender(sms_gateway.settings()) as sender:
        report = await deliver_due(sessions, {"sms": sender}, NOW)
        assert report == DeliveryReport(claimed=2, retried=1, failed=1)
        # The refused message is not tried again; the other one is, after 30 s.
        assert (
            await deliver_due(sessions, {"sms": sender}, NOW + timedelta(seconds=29))
        ).claimed == 0
        report = await deliver_due(sessions, {"sms": sender}, NOW + timedelta(seconds=30))
        assert report == DeliveryReport(claimed=1, sent=1)

    with sessions() as session:
        refused, later = messages_for_ticket(session, ticket.id)
    assert (refused.status, refused.attempts, refused.sent_at) == ("mislukt", 1, None)
    assert refused.last_error == 'SMS-gateway antwoordde HTTP 400: {"error": "ongeldig nummer"}'
    assert (later.status, later.attempts, later.sent_at) == (
        "verzonden",
        2,
        NOW + timedelta(seconds=30),
    )
    assert later.last_error is None
    assert [(r["reference"], r["_status"]) for r in sms_gateway.requests] == [
        ("sms:ongeldig", 400),
        ("sms:later", 500),
        ("sms:later", 202),
    ]


async def test_an_unexpected_sender_fault_is_a_failed_attempt(sessions) -> None:
    with sessions() as session:
        queue_email(session, "werkbon:1")
        session.commit()

    def explode(message: OutboxMessage) -> None:
        raise RuntimeError("bug")

    report = await deliver_due(sessions, {"email": StubSender(explode)}, NOW)
    assert report == DeliveryReport(claimed=1, retried=1)
    with sessions() as session:
        (message,) = session.execute(select(OutboxMessage)).scalars()
    assert (message.status, message.last_error) == ("wachtrij", "onverwachte fout: RuntimeError")


async def test_stopping_puts_the_unsent_part_of_a_batch_back(sessions) -> None:
    with sessions() as session:
        for n in range(3):
            queue_email(session, f"werkbon:{n}")
        session.commit()
    stop_event = asyncio.Event()
    sender = StubSender(lambda message: stop_event.set())
    report = await deliver_due(sessions, {"email": sender}, NOW, stop_event=stop_event)
    assert report == DeliveryReport(claimed=3, sent=1, released=2)
    assert statuses(sessions) == {
        "werkbon:0": ("verzonden", 1),
        "werkbon:1": ("wachtrij", 0),
        "werkbon:2": ("wachtrij", 0),
    }


# --- the loop ------------------------------------------------------------------------------------


async def test_run_worker_delivers_runs_jobs_and_leaves_unconfigured_channels_queued(
    sessions, smtp_server, caplog
) -> None:
    with sessions() as session:
        queue_email(session, "werkbon:1")
        queue_sms(session, "sms:1")
        session.commit()
    ticks = iter(NOW + timedelta(seconds=n) for n in range(10_000))
    stop_event = asyncio.Event()
    rounds: list[datetime] = []

    async def escalation_check(job_sessions, now: datetime) -> None:
        assert job_sessions is sessions
        rounds.append(now)
        if len(rounds) == 3:
            stop_event.set()

    async def broken_job(job_sessions, now: datetime) -> None:
        raise RuntimeError("kapot")

    with caplog.at_level(logging.INFO):
        await asyncio.wait_for(
            run_worker(
                sessions,
                {"email": EmailSender(smtp_server.settings())},
                interval=0.01,
                clock=lambda: next(ticks),
                stop_event=stop_event,
                extra_jobs=[broken_job, escalation_check],
            ),
            timeout=10,
        )
    assert len(rounds) == 3 and rounds == sorted(rounds)
    assert statuses(sessions) == {"werkbon:1": ("verzonden", 1), "sms:1": ("wachtrij", 0)}
    assert smtp_server.mailbox.count() == 1
    assert caplog.text.count("kanaal sms is niet ingesteld") == 1
    assert caplog.text.count("taak broken_job mislukt") == 3
    assert "werkbon:1 (email, werkbon) verzonden" in caplog.text
    assert BODY not in caplog.text


def test_two_workers_in_parallel_never_send_a_message_twice(database_url, smtp_server) -> None:
    """Runs on PostgreSQL (SKIP LOCKED) and on SQLite (guarded claims)."""
    db.upgrade(database_url)
    engine = db.make_engine(database_url)
    try:
        with db.make_sessionmaker(engine)() as session:
            for n in range(24):
                queue_email(session, f"werkbon:{n:02}")
            session.commit()
    finally:
        engine.dispose()
    smtp_server.mailbox.delay = 0.01
    # An engine per worker, made before the race so that both start delivering at once.
    engines = [db.make_engine(database_url) for _ in range(2)]

    async def work(index: int) -> int:
        senders = {"email": EmailSender(smtp_server.settings())}
        factory, sent = db.make_sessionmaker(engines[index]), 0
        while (report := await deliver_due(factory, senders, NOW, limit=3)).claimed:
            sent += report.sent
        return sent

    try:
        sent = at_once(lambda index: asyncio.run(work(index)), timeout=60)
    finally:
        for worker_engine in engines:
            worker_engine.dispose()
    assert sum(sent) == 24 and min(sent) > 0, sent
    received = Counter(smtp_server.mailbox.message_ids())
    assert len(received) == 24 and set(received.values()) == {1}


# --- the command -----------------------------------------------------------------------------------


def _clear_env(monkeypatch) -> None:
    for name in list(os.environ):
        if name.startswith(("SMTP_", "SMS_", "MAIL_")) or name == "DATABASE_URL":
            monkeypatch.delenv(name)


def test_worker_once_sends_what_is_due_and_stops(tmp_path, monkeypatch, smtp_server) -> None:
    url = f"sqlite:///{tmp_path / 'worker.db'}"
    db.upgrade(url)
    engine = db.make_engine(url)
    try:
        with db.make_sessionmaker(engine)() as session:
            now = datetime.now(timezone.utc)
            for n in range(12):  # more than one batch
                queue_email(session, f"werkbon:{n}", now=now)
            queue_sms(session, "sms:1")
            session.commit()
    finally:
        engine.dispose()
    _clear_env(monkeypatch)
    monkeypatch.setenv("DATABASE_URL", url)
    for name, value in smtp_server.env().items():
        monkeypatch.setenv(name, value)

    assert main(["worker", "--once"]) == 0
    assert smtp_server.mailbox.count() == 12
    engine = db.make_engine(url)
    try:
        result = statuses(db.make_sessionmaker(engine))
    finally:
        engine.dispose()
    assert result.pop("sms:1") == ("wachtrij", 0), "SMS is off: the message waits"
    assert set(result.values()) == {("verzonden", 1)}


def _worker_env(url: str, extra: dict[str, str]) -> dict[str, str]:
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("SMTP_", "SMS_", "MAIL_")) and name != "DATABASE_URL"
    }
    env.update(DATABASE_URL=url, PYTHONPATH=str(ROOT), **extra)
    return env


def _start_worker(env: dict[str, str]) -> subprocess.Popen[str]:
    code = "import sys; from meldkamer.cli import main; sys.exit(main(['worker', '--interval', '0.1']))"
    return subprocess.Popen(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_until(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.02)


async def test_killed_worker_loses_no_message(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'kill.db'}"
    db.upgrade(url)
    engine = db.make_engine(url)
    sessions = db.make_sessionmaker(engine)
    keys = [f"werkbon:MK-2026-{n:06}:jansen:1" for n in range(30)]
    with sessions() as session:
        now = datetime.now(timezone.utc)
        for key in keys:
            queue_email(session, key, now=now)
        session.commit()

    with running_smtp_server() as server:
        server.mailbox.delay = 0.1  # a slow server: the kill lands in the middle of a batch
        worker = _start_worker(_worker_env(url, server.env()))
        try:
            _wait_until(lambda: server.mailbox.count() >= 4)
        finally:
            worker.send_signal(signal.SIGKILL)
            worker.communicate(timeout=10)
        assert worker.returncode == -signal.SIGKILL

        at_kill = statuses(sessions)
        assert sorted(at_kill) == sorted(keys), "no outbox row is lost"
        in_flight = {key for key, (status, _) in at_kill.items() if status == "bezig"}
        assert in_flight, "killed while holding claimed messages"
        sent_before = {key for key, (status, _) in at_kill.items() if status == "verzonden"}
        assert 0 < len(sent_before) < len(keys)

        # Once the dead worker's lease has run out, another worker takes over.
        server.mailbox.delay = 0
        later = datetime.now(timezone.utc) + DEFAULT_LEASE + timedelta(seconds=1)
        senders = {"email": EmailSender(server.settings())}
        while (await deliver_due(sessions, senders, later, limit=50)).claimed:
            pass
        received = Counter(server.mailbox.message_ids())
    engine.dispose()

    assert {status for status, _ in statuses(sessions).values()} == {"verzonden"}
    by_id = {message_id(key, server.settings()): key for key in keys}
    assert set(received) == set(by_id), "every message delivered"
    # A message whose SMTP transaction had completed when the worker died, but whose
    # 'verzonden' was not yet committed, is sent again: at-least-once delivery. Only a
    # message in flight can be duplicated (this worker sends one at a time), and the
    # copy carries the same Message-ID, so the receiver can drop it.
    duplicated = {by_id[mid] for mid, times in received.items() if times > 1}
    assert len(duplicated) <= 1 and duplicated <= in_flight
    assert max(received.values()) <= 2


async def test_sigterm_stops_the_worker_gracefully_and_logs_no_secrets(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'term.db'}"
    db.upgrade(url)
    engine = db.make_engine(url)
    sessions = db.make_sessionmaker(engine)
    with sessions() as session:
        now = datetime.now(timezone.utc)
        queue_email(session, "werkbon:1", now=now)
        queue_sms(session, "sms:1")
        session.commit()

    password = "smtp-wachtwoord-geheim"
    with running_smtp_server(("meldkamer", password)) as server:
        extra = {
            **server.env(),
            "SMTP_USERNAME": "meldkamer",
            "SMTP_PASSWORD": password,
            # Nobody listens there: the SMS attempt fails and is retried later.
            "SMS_GATEWAY_URL": f"http://127.0.0.1:{free_port()}/sms",
            "SMS_GATEWAY_TOKEN": GATEWAY_TOKEN,
        }
        worker = _start_worker(_worker_env(url, extra))
        try:
            _wait_until(
                lambda: (
                    statuses(sessions)
                    == {
                        "werkbon:1": ("verzonden", 1),
                        "sms:1": ("wachtrij", 1),
                    }
                )
            )
            worker.send_signal(signal.SIGTERM)
            _, log = worker.communicate(timeout=10)
        finally:
            if worker.poll() is None:
                worker.kill()
                worker.communicate()
    engine.dispose()

    assert worker.returncode == 0, log
    assert "werkbon:1 (email, werkbon) verzonden, poging 1" in log
    assert "sms:1 (sms, bevestiging_huurder) poging 1 mislukt, wordt opnieuw geprobeerd" in log
    assert "worker gestopt" in log
    for secret in (password, GATEWAY_TOKEN, BODY, "doorgezet naar de monteur"):
        assert secret not in log
