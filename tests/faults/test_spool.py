"""The spool: a melding kept on disk while the database is away, registered once later."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import sessionmaker

from meldkamer.dispatch.models import WorkOrder
from meldkamer.intake.melding import Melding
from meldkamer.intake.spool import (
    ATTENTION,
    read_spooled,
    spool_dir,
    spool_melding,
    spooled,
)
from meldkamer.service.context import Collaborators
from meldkamer.service.spool import resume_spooled, spool_job
from meldkamer.tickets import Ticket
from meldkamer.triage.officehours import AMSTERDAM
from tests.service.conftest import burst_pipe

NIGHT = datetime(2026, 12, 5, 3, 0, tzinfo=AMSTERDAM)


def melding(key: str = "m-spool-1") -> Melding:
    return burst_pipe(key)


def flush_spool(sessions, *, directory: Path, now: datetime):
    """The spool's resume use case on ``sessions`` with the clock at ``now``."""
    return resume_spooled(Collaborators(sessions=sessions, clock=lambda: now), directory=directory)


def tickets(sessions) -> list[Ticket]:
    with sessions() as session:
        return list(session.execute(select(Ticket)).scalars())


def test_spooling_is_atomic_and_replaces(tmp_path: Path) -> None:
    first = spool_melding(melding(), received_at=NIGHT, directory=tmp_path)
    second = spool_melding(melding(), received_at=NIGHT, photos=["a.jpg"], directory=tmp_path)
    assert first == second and sorted(p.name for p in tmp_path.iterdir()) == ["m-spool-1.json"]
    item = read_spooled(first)
    assert item.melding == melding() and item.photos == ("a.jpg",) and item.received_at == NIGHT
    assert spooled(tmp_path) == [first]


def test_a_melding_id_cannot_escape_the_folder(tmp_path: Path) -> None:
    path = spool_melding(melding("../../etc/x"), received_at=NIGHT, directory=tmp_path)
    assert path.parent == tmp_path


def test_spool_folder_defaults(tmp_path: Path) -> None:
    assert spool_dir({"MELDKAMER_SPOOL_DIR": str(tmp_path / "s")}) == tmp_path / "s"
    engine = create_engine(f"sqlite:///{tmp_path / 'db' / 'm.db'}")
    assert spool_dir({}, sessionmaker(bind=engine)) == tmp_path / "db" / "spool"
    assert spool_dir({"MELDKAMER_VAR_DIR": str(tmp_path / "v")}) == tmp_path / "v" / "spool"


def test_flush_registers_once_with_dispatch_and_removes_the_file(
    demo_sessions, tmp_path: Path
) -> None:
    spool_melding(melding(), received_at=NIGHT, sessions=demo_sessions, directory=tmp_path)
    report = flush_spool(demo_sessions, directory=tmp_path, now=NIGHT)
    assert [(m, new) for m, _, new in report.registered] == [("m-spool-1", True)]
    assert spooled(tmp_path) == []
    (ticket,) = tickets(demo_sessions)
    assert ticket.urgency == "acuut" and ATTENTION in (ticket.attention or "")
    with demo_sessions() as session:
        assert session.execute(select(WorkOrder)).scalars().first() is not None
    # Spooled again (the tenant said "ja" once more during the outage): still one ticket.
    spool_melding(melding(), received_at=NIGHT, sessions=demo_sessions, directory=tmp_path)
    report = flush_spool(demo_sessions, directory=tmp_path, now=NIGHT)
    assert [(m, new) for m, _, new in report.registered] == [("m-spool-1", False)]
    assert len(tickets(demo_sessions)) == 1 and spooled(tmp_path) == []


def test_database_still_away_keeps_the_files(tmp_path: Path) -> None:
    (tmp_path / "gone.db").mkdir()  # a folder where the database file should be
    broken = sessionmaker(bind=create_engine(f"sqlite:///{tmp_path / 'gone.db'}"), future=True)
    folder = tmp_path / "spool"
    spool_melding(melding("a"), received_at=NIGHT, directory=folder)
    spool_melding(melding("b"), received_at=NIGHT, directory=folder)
    report = flush_spool(broken, directory=folder, now=NIGHT)
    assert report.waiting == 2 and report.registered == []
    assert len(spooled(folder)) == 2


def test_unreadable_file_is_set_aside(demo_sessions, tmp_path: Path) -> None:
    (tmp_path / "kapot.json").write_text("{niet json")
    spool_melding(melding(), received_at=NIGHT, directory=tmp_path)
    report = flush_spool(demo_sessions, directory=tmp_path, now=NIGHT)
    assert report.failed == ["kapot.json"] and len(report.registered) == 1
    assert (tmp_path / "kapot.json.fout").exists()


def test_a_file_for_another_database_is_left_alone(demo_sessions, tmp_path: Path) -> None:
    path = spool_melding(melding(), received_at=NIGHT, directory=tmp_path)
    record = json.loads(path.read_text())
    record["database"] = "postgresql:een_andere"
    path.write_text(json.dumps(record))
    report = flush_spool(demo_sessions, directory=tmp_path, now=NIGHT)
    assert report.skipped == ["m-spool-1.json"] and tickets(demo_sessions) == []


async def test_the_worker_job_flushes(demo_sessions, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("MELDKAMER_SPOOL_DIR", str(tmp_path))
    spool_melding(melding(), received_at=NIGHT, sessions=demo_sessions)
    await spool_job(Collaborators(sessions=demo_sessions, clock=lambda: NIGHT))(
        demo_sessions, NIGHT
    )
    assert len(tickets(demo_sessions)) == 1 and spooled(tmp_path) == []


def test_worker_runs_the_spool_job() -> None:
    import inspect

    from meldkamer.cli import worker

    assert "spool_job" in inspect.getsource(worker._serve)


@pytest.mark.parametrize("bad", [{"version": 2}, [], {"version": 1, "melding": {}}])
def test_read_refuses_bad_records(tmp_path: Path, bad) -> None:
    path = tmp_path / "x.json"
    path.write_text(json.dumps(bad))
    with pytest.raises((ValueError, KeyError, TypeError)):
        read_spooled(path)
