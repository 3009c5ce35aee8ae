"""The retention job with a moved clock, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from datetime import timedelta

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from meldkamer.clients import apply_all, load_client, parse_client
from meldkamer.clients.loader import LoadedClient
from meldkamer.notify.attachments import OutboxAttachment
from meldkamer.notify.models import OutboxMessage
from meldkamer.privacy.models import PrivacyAction
from meldkamer.privacy.policy import load_policy
from meldkamer.privacy.retention import RetentionJob, RetentionReport, run_retention
from meldkamer.privacy.scrub import REMOVED
from meldkamer.service.monthly_report import mail_key
from meldkamer.tickets import Ticket
from tests.conftest import ROOT
from tests.privacy.conftest import (
    ANNA,
    BART,
    CEES,
    DIRK,
    PETRA,
    REPORTED,
    STAFF,
    World,
    dump,
    later,
)


def statistics(session: Session) -> Counter[tuple[object, ...]]:
    """What the monthly report counts: tickets per client, urgency, channel, topic, status."""
    rows = session.execute(select(Ticket)).scalars()
    return Counter(
        (t.number, t.client_id, t.urgency, t.channel, t.topic, t.status, t.created_at) for t in rows
    )


def run(world: World, days: int) -> RetentionReport:
    return run_retention(world.sessions, later(days), photo_root=world.photos, spool=world.spool)


def event_senders(session: Session) -> set[str]:
    return set(session.execute(text("SELECT DISTINCT sender_id FROM events")).scalars())


def test_nothing_within_its_term_is_touched(world: World) -> None:
    with world.sessions() as session:
        before = dump(session)
    report = run(world, 30)
    assert not report.skipped and not any(report.counts.values()), report.counts
    with world.sessions() as session:
        assert dump(session).count(ANNA.phone) == before.count(ANNA.phone) > 0


def test_past_its_term_everything_personal_is_gone_and_the_statistics_remain(
    world: World,
) -> None:
    with world.sessions() as session:
        stats = statistics(session)
    report = run(world, 400)
    with world.sessions() as session:
        everything = dump(session)
        for tenant in (ANNA, BART):
            assert tenant.name not in everything
            assert tenant.phone not in everything
            assert tenant.email not in everything
            assert tenant.phone.removeprefix("+") not in everything  # the WhatsApp id
        # The open ticket of Cees keeps its contact details; his conversation text goes.
        assert CEES.phone in everything
        assert event_senders(session) == set()
        assert statistics(session) == stats
        ticket = session.execute(
            select(Ticket).where(Ticket.melding_id == "melding-a")
        ).scalar_one()
        assert (ticket.postcode, ticket.huisnummer, ticket.email) == ("1234", 0, None)
        recorded = session.execute(select(PrivacyAction)).scalars().all()
    files = sorted(p for p in world.photos.rglob("*") if p.is_file())
    assert len(files) == 1, "only the photo of the open ticket stays"
    assert list(world.spool.iterdir()) == []
    assert report.counts["contactgegevens"] == 2
    assert report.counts["fotos"] == 3
    assert report.counts["gesprekken"] > 0
    assert [r.counts for r in recorded] == [report.counts]


def test_a_second_run_the_same_day_is_skipped_and_a_later_one_finds_nothing(
    world: World,
) -> None:
    first = run(world, 400)
    assert not first.skipped
    assert run(world, 400).skipped
    again = run(world, 401)
    assert not again.skipped and not any(again.counts.values()), again.counts


def test_two_workers_at_once_run_it_once(world: World) -> None:
    reports: list[RetentionReport] = []

    def work() -> None:
        reports.append(run(world, 400))

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r.skipped for r in reports) == [False, True]
    with world.sessions() as session:
        assert len(session.execute(select(PrivacyAction)).scalars().all()) == 1


def test_a_client_file_shortens_a_term_for_that_client_only(world: World) -> None:
    path = ROOT / "clients" / "vve-beheer-noord.yml"
    source = path.read_text("utf-8") + "\nbewaartermijnen:\n  gesprekken:\n    dagen: 7\n"
    loaded = LoadedClient(parse_client(source, str(path)), source, str(path))
    with world.sessions.begin() as session:
        apply_all(session, [loaded], by="test", now=later(0))
        barts = session.execute(
            text("SELECT COUNT(*) FROM events WHERE sender_id = :s"), {"s": BART.conversation}
        ).scalar_one()
    report = run(world, 10)
    with world.sessions() as session:
        senders = event_senders(session)
    assert BART.conversation not in senders
    assert {ANNA.conversation, CEES.conversation} <= senders
    assert report.counts["gesprekken"] == barts > 0


def test_the_defaults_and_the_demo_clients_are_valid() -> None:
    policy = load_policy()
    for path in sorted((ROOT / "clients").glob("*.yml")):
        client = load_client(path).client
        assert set(policy.terms_for(client)) == set(policy.defaults)


def test_the_workers_job_runs_retention_and_looks_again_only_an_hour_later(
    world: World, monkeypatch
) -> None:
    monkeypatch.setenv("MELDKAMER_UPLOAD_DIR", str(world.photos))
    monkeypatch.setenv("MELDKAMER_SPOOL_DIR", str(world.spool))
    job = RetentionJob()
    asyncio.run(job(world.sessions, later(400)))
    asyncio.run(job(world.sessions, later(400) + timedelta(minutes=30)))
    asyncio.run(job(world.sessions, later(401)))
    with world.sessions() as session:
        runs = session.execute(select(PrivacyAction)).scalars().all()
        assert ANNA.phone not in dump(session)
    assert len(runs) == 2 and runs[0].counts["contactgegevens"] == 2


def attachments(session: Session) -> list[bytes]:
    return [bytes(a.data) for a in session.execute(select(OutboxAttachment)).scalars()]


def report_mails(session: Session) -> dict[str, str]:
    rows = session.execute(select(OutboxMessage).where(OutboxMessage.purpose == "maandrapport"))
    return {m.key.split(":")[1]: m.recipient for m in rows.scalars()}


def test_a_report_mails_pdf_goes_with_its_text(world: World) -> None:
    with world.sessions() as session:
        assert sorted(attachments(session)) == sorted(s.pdf for s in STAFF)
    report = run(world, 100)  # past the 90 days of berichten (anonimiseren)
    with world.sessions() as session:
        assert attachments(session) == []
        mails = report_mails(session)
        assert set(mails.values()) == {REMOVED}  # that a mail went stays
        everything = dump(session)
        # (The address itself stays in the client file, which is the client's own.)
        assert not [s for s in STAFF if repr(s.pdf) in everything]
    assert report.counts["berichten"] >= len(STAFF)


def test_a_report_mail_follows_its_clients_own_term(world: World) -> None:
    # The mail has no ticket: its key names the client, whose shorter term then holds.
    path = ROOT / "clients" / "vve-beheer-noord.yml"
    source = path.read_text("utf-8") + (
        "\nbewaartermijnen:\n  berichten:\n    dagen: 7\n    actie: verwijderen\n"
    )
    loaded = LoadedClient(parse_client(source, str(path)), source, str(path))
    with world.sessions.begin() as session:
        apply_all(session, [loaded], by="test", now=later(0))
    run(world, 10)
    with world.sessions() as session:
        assert report_mails(session) == {DIRK.client_id: DIRK.report_to}
        assert attachments(session) == [DIRK.pdf]  # Petra's went with its row


def test_the_database_deletes_an_attachment_with_its_message(world: World) -> None:
    # The foreign key's ON DELETE CASCADE, on SQLite (foreign_keys=ON) and PostgreSQL.
    key = mail_key(PETRA.client_id, REPORTED, PETRA.report_to)
    with world.sessions.begin() as session:
        session.execute(text("DELETE FROM outbox WHERE key = :key"), {"key": key})
    with world.sessions() as session:
        assert attachments(session) == [DIRK.pdf]


def test_files_left_on_a_message_emptied_before_go_too(world: World) -> None:
    # A message anonymised by an earlier release kept its file; the next run removes it.
    with world.sessions.begin() as session:
        for message in session.execute(select(OutboxMessage)).scalars():
            message.recipient = REMOVED
    report = run(world, 1)
    with world.sessions() as session:
        assert attachments(session) == []
    assert report.counts["berichten"] == len(STAFF)
