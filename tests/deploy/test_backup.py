"""deploy/backup: dump a real database and its photos, restore them elsewhere, find all.

Tickets are made through the real use case (with work orders, messages and photos) in
a fresh PostgreSQL database; backup.sh dumps it, restore.sh restores it into another
fresh database and folders; every ticket, photo row and photo file must be back.
"""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from devstack.stack import apply_demo_clients
from meldkamer.attachments.files import store_file
from meldkamer.attachments.models import Attachment
from meldkamer.db import make_engine, make_sessionmaker
from meldkamer.dispatch.models import WorkOrder
from meldkamer.service.confirm import confirm_melding
from meldkamer.service.context import Collaborators
from meldkamer.service.photos import PhotoUpload, record_photo
from meldkamer.tickets.models import Ticket
from tests.conftest import create_pg_database
from tests.deploy.proxy import ROOT
from tests.service.conftest import NIGHT, burst_pipe

pytestmark = pytest.mark.postgres
BACKUP = ROOT / "deploy" / "backup" / "backup.sh"
RESTORE = ROOT / "deploy" / "backup" / "restore.sh"


def database() -> Iterator[tuple[str, sessionmaker[Session]]]:
    url, drop = create_pg_database()
    engine = make_engine(url)
    try:
        yield url, make_sessionmaker(engine)
    finally:
        engine.dispose()
        drop()


@pytest.fixture
def source() -> Iterator[tuple[str, sessionmaker[Session]]]:
    yield from database()


@pytest.fixture
def target() -> Iterator[tuple[str, sessionmaker[Session]]]:
    yield from database()


def photo(seed: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (seed * 40 % 256, 80, 160)).save(out, format="PNG")
    return out.getvalue()


def env(url: str, folder: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "MELDKAMER_UPLOAD_DIR": str(folder / "uploads"),
        "MELDKAMER_SPOOL_DIR": str(folder / "spool"),
    }


def run(script: Path, *args: str, environ: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(script), *args], env=environ, capture_output=True, text=True)


def make_tickets(url: str, sessions: sessionmaker[Session], folder: Path) -> None:
    apply_demo_clients(url)
    ctx = Collaborators(sessions=sessions, clock=lambda: NIGHT, spool=folder / "spool")
    for n in range(5):
        melding = burst_pipe(f"b-{n}", conversation_id=f"gesprek-b-{n}", naam=f"Huurder {n}")
        stored = store_file(photo(n), folder / "uploads", datetime.now(timezone.utc))
        upload = PhotoUpload(stored.relative, stored.content_type, stored.size, stored.sha256)
        record_photo(ctx, melding.conversation_id, upload)
        assert confirm_melding(ctx, melding, photos=[stored.relative]).ticket_number
    (folder / "spool").mkdir(exist_ok=True)
    (folder / "spool" / "m-wacht.json").write_text('{"melding": "nog niet vastgelegd"}')


def contents(sessions: sessionmaker[Session]) -> tuple[list[tuple[object, ...]], ...]:
    with sessions() as session:
        tickets = [
            (t.number, t.melding_id, t.naam, t.urgency, t.status)
            for t in session.execute(select(Ticket).order_by(Ticket.number)).scalars()
        ]
        photos = [
            (a.ticket_id, a.path, a.sha256)
            for a in session.execute(select(Attachment).order_by(Attachment.id)).scalars()
        ]
        orders = [
            (w.ticket_id, w.contractor_id, w.status)
            for w in session.execute(select(WorkOrder).order_by(WorkOrder.id)).scalars()
        ]
    return tickets, photos, orders


def test_a_restore_into_a_fresh_database_finds_every_ticket_and_photo(
    source, target, tmp_path: Path
) -> None:
    (source_url, source_sessions), (target_url, target_sessions) = source, target
    live, restored, backups = tmp_path / "live", tmp_path / "restored", tmp_path / "backups"
    make_tickets(source_url, source_sessions, live)

    made = run(BACKUP, str(backups), environ=env(source_url, live))
    assert made.returncode == 0, made.stderr
    stamp = made.stdout.strip().splitlines()[-1]
    back = run(RESTORE, str(backups), stamp, environ=env(target_url, restored))
    assert back.returncode == 0, back.stderr
    assert "5 tickets" in back.stdout

    tickets, photos, orders = contents(target_sessions)
    assert (tickets, photos, orders) == contents(source_sessions)
    assert len(tickets) == 5 and len(photos) == 5 and orders
    assert all(ticket_id is not None for ticket_id, _, _ in photos)
    for _, path, sha256 in photos:
        data = (restored / "uploads" / path).read_bytes()
        assert hashlib.sha256(data).hexdigest() == sha256
    assert (restored / "spool" / "m-wacht.json").read_text() == (
        live / "spool" / "m-wacht.json"
    ).read_text()

    # A second restore into the now full database is refused; nothing is overwritten.
    again = run(RESTORE, str(backups), stamp, environ=env(target_url, restored))
    assert again.returncode == 1 and "already has" in again.stderr
    assert contents(target_sessions)[0] == tickets


def test_a_damaged_backup_is_refused_before_anything_is_restored(
    source, target, tmp_path: Path
) -> None:
    (source_url, source_sessions), (target_url, target_sessions) = source, target
    make_tickets(source_url, source_sessions, tmp_path / "live")
    made = run(BACKUP, str(tmp_path / "b"), environ=env(source_url, tmp_path / "live"))
    stamp = made.stdout.strip()
    dump = tmp_path / "b" / f"meldkamer-{stamp}.dump"
    dump.write_bytes(dump.read_bytes()[:-10])
    back = run(RESTORE, str(tmp_path / "b"), stamp, environ=env(target_url, tmp_path / "r"))
    assert back.returncode != 0 and "FAILED" in (back.stdout + back.stderr)
    with target_sessions() as session:
        tables = session.execute(
            text("select count(*) from information_schema.tables where table_schema = 'public'")
        ).scalar_one()
    assert tables == 0
    assert not (tmp_path / "r" / "uploads").exists()


def test_a_sqlite_url_gets_a_clear_answer(tmp_path: Path) -> None:
    refused = run(BACKUP, str(tmp_path), environ=env("sqlite:///var/meldkamer.db", tmp_path))
    assert refused.returncode == 2 and "SQLite" in refused.stderr
