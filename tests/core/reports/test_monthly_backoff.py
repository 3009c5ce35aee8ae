"""A client whose monthly report fails: the others are mailed, the gauge shows it, it waits.

Real parts only: the worker's report job on a moved clock, on SQLite and PostgreSQL, the
demo clients, the gauge read the way the console serves it (the business registry with
the clients' cache) and parsed with prometheus-client's parser. The fault is the
database's own: a trigger refuses De Linde's report mail, as a full disk or a broken
constraint would; dropping it is the fix.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from meldkamer import db
from meldkamer.clients.cache import ClientCache
from meldkamer.metrics import business_registry, render
from meldkamer.notify.models import OutboxMessage
from meldkamer.reports import Month, missing_report_mails
from meldkamer.service.context import Collaborators
from meldkamer.service.monthly_report import MonthlyReportJob, retry_delay
from meldkamer.tickets import create_ticket
from meldkamer.triage import default_engine
from tests.core.meldingen import melding
from tests.core.reports.month import AMS, apply_clients

FIRST = datetime(2026, 11, 1, 0, 30, tzinfo=AMS)
LINDE = "rapportage@de-linde.example.nl"
NOORD = "bestuur@vve-noord.example.nl"
GAUGE = "meldkamer_monthly_reports_missing"
FAILED = "maandrapport de-linde 2026-10 niet in de wachtrij gezet"


@pytest.fixture
def sessions(database_url: str) -> Iterator[sessionmaker[Session]]:
    """The demo clients and three October meldingen of De Linde; De Linde's mail refused."""
    db.upgrade(database_url)
    engine = db.make_engine(database_url)
    factory = db.make_sessionmaker(engine)
    with factory.begin() as session:
        apply_clients(session)
        for i, day in enumerate((3, 17, 25)):
            at = datetime(2026, 10, day, 14, 0, tzinfo=AMS)
            create_ticket(session, melding(f"okt-{i}", client_id="de-linde"), at)
    refuse_linde(factory, engine.dialect.name)
    try:
        yield factory
    finally:
        engine.dispose()


def refuse_linde(sessions: sessionmaker[Session], dialect: str) -> None:
    with sessions.begin() as session:
        if dialect == "sqlite":
            session.execute(
                text(
                    "CREATE TRIGGER weiger_linde BEFORE INSERT ON outbox "
                    f"WHEN NEW.recipient = '{LINDE}' "
                    "BEGIN SELECT RAISE(ABORT, 'schijf vol'); END"
                )
            )
            return
        session.execute(
            text(
                "CREATE FUNCTION weiger() RETURNS trigger AS "
                "$$ BEGIN RAISE EXCEPTION 'schijf vol'; END $$ LANGUAGE plpgsql"
            )
        )
        session.execute(
            text(
                "CREATE TRIGGER weiger_linde BEFORE INSERT ON outbox FOR EACH ROW "
                f"WHEN (NEW.recipient = '{LINDE}') EXECUTE FUNCTION weiger()"
            )
        )


def repair(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        on = "" if session.get_bind().dialect.name == "sqlite" else " ON outbox"
        session.execute(text(f"DROP TRIGGER weiger_linde{on}"))


def report_mails(sessions: sessionmaker[Session]) -> list[str]:
    with sessions() as session:
        query = select(OutboxMessage.recipient).where(OutboxMessage.purpose == "maandrapport")
        return sorted(session.execute(query).scalars())


def gauge(ctx: Collaborators) -> list[float]:
    """The gauge's samples as a scrape of the console shows them."""
    registry = business_registry(ctx.sessions, ctx.clock, None, ctx.registry)
    return [
        sample.value
        for family in text_string_to_metric_families(render(registry).decode())
        for sample in family.samples
        if sample.name == GAUGE
    ]


def failures(caplog: pytest.LogCaptureFixture) -> int:
    return sum(FAILED in record.getMessage() for record in caplog.records)


@pytest.fixture
def ctx(sessions: sessionmaker[Session]) -> Collaborators:
    engine = default_engine()
    cache = ClientCache(sessions, engine)
    return Collaborators(sessions=sessions, engine=engine, clock=lambda: FIRST, clients=cache)


async def at(job: MonthlyReportJob, ctx: Collaborators, moment: datetime) -> None:
    """One round of the job at ``moment``; the clock the gauge reads is moved there too."""
    ctx.clock = lambda: moment
    await job(ctx.sessions, moment)


async def test_a_failing_client_waits_its_pause_while_the_others_are_mailed_once(
    ctx: Collaborators, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger="meldkamer.service.monthly_report")
    job = MonthlyReportJob(ctx)
    assert gauge(ctx) == [2.0]  # half past midnight, before the worker's first round

    await at(job, ctx, FIRST)
    assert report_mails(ctx.sessions) == [NOORD]
    assert gauge(ctx) == [1.0]
    assert failures(caplog) == 1
    assert "opnieuw vanaf 01-11 00:35" in caplog.records[-1].getMessage()
    assert "schijf vol" in caplog.text  # the database's own error is in the log

    repair(ctx.sessions)
    for later in (timedelta(seconds=2), timedelta(minutes=1), timedelta(minutes=4, seconds=58)):
        await at(job, ctx, FIRST + later)
    # Repaired, but inside its pause: not tried again, the other not mailed twice.
    assert report_mails(ctx.sessions) == [NOORD]
    assert gauge(ctx) == [1.0]
    assert failures(caplog) == 1

    await at(job, ctx, FIRST + timedelta(minutes=5))
    assert report_mails(ctx.sessions) == [NOORD, LINDE]
    assert gauge(ctx) == [0.0]
    await at(job, ctx, FIRST + timedelta(minutes=6))
    assert report_mails(ctx.sessions) == [NOORD, LINDE]
    assert failures(caplog) == 1


#: The pauses' arithmetic does not depend on the database, and each failed round draws a
#: whole report: the two tests below run on SQLite only; the first test above shows the
#: fault and the pause on PostgreSQL too.
sqlite_only = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@sqlite_only
async def test_the_pause_doubles_up_to_an_hour_while_the_fault_lasts(
    ctx: Collaborators, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger="meldkamer.service.monthly_report")
    job = MonthlyReportJob(ctx)
    tried = []
    # A round every minute at first, then the minute before and the minute of each pause's
    # end, to over three hours: a round that is not due changes nothing, so these show
    # the pause is neither cut short nor overslept (every minute took 200 rounds, 20 s).
    rounds = [*range(0, 16), 34, 35, 50, 74, 75, 134, 135, 160, 194, 195, 199]
    for minute in rounds:
        before = failures(caplog)
        await at(job, ctx, FIRST + timedelta(minutes=minute))
        if failures(caplog) > before:
            tried.append(minute)
    assert tried == [0, 5, 15, 35, 75, 135, 195]
    assert gauge(ctx) == [1.0]
    assert report_mails(ctx.sessions) == [NOORD]


@sqlite_only
async def test_a_new_month_starts_again_from_the_first_pause(
    ctx: Collaborators, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger="meldkamer.service.monthly_report")
    job = MonthlyReportJob(ctx)
    for minute in (0, 5, 15, 35):
        await at(job, ctx, FIRST + timedelta(minutes=minute))
    assert job.backoff.failures == {"de-linde": 4}
    # After the 7th nothing is due, so nothing is counted or tried.
    await at(job, ctx, datetime(2026, 11, 8, 0, 30, tzinfo=AMS))
    assert gauge(ctx) == [0.0]
    assert failures(caplog) == 4

    december = datetime(2026, 12, 1, 0, 30, tzinfo=AMS)
    await at(job, ctx, december)
    assert job.backoff.month == Month(2026, 11)
    assert job.backoff.failures == {"de-linde": 1}
    assert "opnieuw vanaf 01-12 00:35" in caplog.records[-1].getMessage()


def test_the_pauses() -> None:
    minutes = [retry_delay(n) / timedelta(minutes=1) for n in range(1, 8)]
    assert minutes == [5, 10, 20, 40, 60, 60, 60]
    assert retry_delay(10_000) == timedelta(hours=1)  # no overflow after days of failures


def test_the_missing_mails_are_those_of_the_due_month_without_an_outbox_row(
    ctx: Collaborators,
) -> None:
    clients = list(ctx.registry())
    with ctx.sessions() as session:
        due = missing_report_mails(session, clients, FIRST)
        assert {(m.client_id, str(m.month), m.address) for m in due} == {
            ("de-linde", "2026-10", LINDE),
            ("vve-beheer-noord", "2026-10", NOORD),
        }
        assert missing_report_mails(session, clients, FIRST - timedelta(hours=1)) == []
        assert missing_report_mails(session, clients, datetime(2026, 11, 8, tzinfo=AMS)) == []
