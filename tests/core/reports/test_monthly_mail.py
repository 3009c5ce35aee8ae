"""The monthly e-mail: two workers on the first of the month send each client's PDF once.

Real parts only: two engines on one database (SQLite and PostgreSQL), the workers' report
job and delivery round run at the same moment in threads, the loopback SMTP fake.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from meldkamer import db
from meldkamer.notify.attachments import session_loader
from meldkamer.notify.mail import EmailSender
from meldkamer.notify.models import OutboxMessage
from meldkamer.notify.worker import deliver_due
from meldkamer.service.context import Collaborators
from meldkamer.service.monthly_report import due_month, monthly_report_job
from meldkamer.tickets import create_ticket
from tests.core.meldingen import melding
from tests.core.reports.month import AMS, apply_clients
from tests.fakes.mail import SmtpServer

FIRST = datetime(2026, 11, 1, 0, 30, tzinfo=AMS)  # half past midnight on the first, local


@pytest.fixture
def two_workers(database_url: str) -> Iterator[list[sessionmaker[Session]]]:
    """Two session factories, each on its own engine, on one database with the demo clients."""
    db.upgrade(database_url)
    engines = [db.make_engine(database_url) for _ in range(2)]
    factories = [db.make_sessionmaker(engine) for engine in engines]
    with factories[0].begin() as session:
        apply_clients(session)
        for i, day in enumerate((3, 17, 25)):
            at = datetime(2026, 10, day, 14, 0, tzinfo=AMS)
            create_ticket(session, melding(f"okt-{i}", client_id="de-linde"), at)
    try:
        yield factories
    finally:
        for engine in engines:
            engine.dispose()


async def _round(workers: list[sessionmaker[Session]], smtp: SmtpServer, now: datetime) -> None:
    """One round of both workers at once: their report jobs, then their deliveries."""
    jobs = [monthly_report_job(Collaborators(sessions=w, clock=lambda: now)) for w in workers]
    await asyncio.gather(*(job(w, now) for job, w in zip(jobs, workers, strict=True)))
    senders = [
        {"email": EmailSender(smtp.settings(), attachments=session_loader(w))} for w in workers
    ]
    await asyncio.gather(*(deliver_due(w, s, now) for w, s in zip(workers, senders, strict=True)))


async def test_two_workers_send_each_clients_report_once_with_the_pdf(
    two_workers: list[sessionmaker[Session]], smtp_server: SmtpServer
) -> None:
    for minutes in (0, 1, 60):  # a second round, and a later one the same day
        await _round(two_workers, smtp_server, FIRST + timedelta(minutes=minutes))

    # The clients' apply confirmations go out too; the reports are these.
    mails = [m for m in smtp_server.mailbox.messages if m["Subject"].startswith("Maandrapportage")]
    assert sorted(m["To"] for m in mails) == [
        "bestuur@vve-noord.example.nl",
        "rapportage@de-linde.example.nl",
    ]
    linde = next(m for m in mails if m["To"] == "rapportage@de-linde.example.nl")
    assert linde["Subject"] == "Maandrapportage oktober 2026 – Woonstichting De Linde"
    (pdf,) = list(linde.iter_attachments())
    assert pdf.get_filename() == "de-linde-2026-10.pdf"
    assert pdf.get_content_type() == "application/pdf"
    page = PdfReader(io.BytesIO(pdf.get_content())).pages[0]
    first_page = " ".join(page.extract_text().split())
    assert "Maandrapportage oktober 2026" in first_page
    assert "Meldingen 3 0 +3" in first_page
    assert "3 meldingen" in linde.get_body(("plain",)).get_content()
    with two_workers[0]() as session:
        query = select(OutboxMessage.key).where(OutboxMessage.purpose == "maandrapport")
        keys = sorted(session.execute(query).scalars())
    assert keys == [
        "maandrapport:de-linde:2026-10:rapportage@de-linde.example.nl",
        "maandrapport:vve-beheer-noord:2026-10:bestuur@vve-noord.example.nl",
    ]


async def test_no_report_mail_outside_the_first_days(
    two_workers: list[sessionmaker[Session]], smtp_server: SmtpServer
) -> None:
    await _round(two_workers, smtp_server, datetime(2026, 10, 31, 23, 59, tzinfo=AMS))
    await _round(two_workers, smtp_server, datetime(2026, 11, 8, 9, 0, tzinfo=AMS))
    subjects = [m["Subject"] for m in smtp_server.mailbox.messages]
    assert subjects and not [s for s in subjects if s.startswith("Maandrapportage")]


def test_the_due_month_is_last_month_in_amsterdam() -> None:
    # 31 October 23:30 UTC is already 1 November in Amsterdam.
    assert str(due_month(datetime(2026, 10, 31, 23, 30, tzinfo=timezone.utc))) == "2026-10"
    assert due_month(datetime(2026, 10, 31, 22, 30, tzinfo=timezone.utc)) is None
    assert str(due_month(datetime(2027, 1, 7, 12, 0, tzinfo=AMS))) == "2026-12"
    assert due_month(datetime(2027, 1, 8, 0, 0, tzinfo=AMS)) is None
