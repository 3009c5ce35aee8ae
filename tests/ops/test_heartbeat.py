"""The worker's heartbeat (migration 0011) and ``meldkamer_worker_last_run_timestamp_seconds``.

The real worker loop (:func:`meldkamer.notify.worker.run_worker`) on a moved clock, on
SQLite and PostgreSQL; the figure is read the way the console serves it
(:func:`meldkamer.metrics.business_registry`) and parsed with prometheus-client's parser.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.orm import Session, sessionmaker

from meldkamer.db import make_engine, make_sessionmaker, upgrade
from meldkamer.metrics import business_registry, render
from meldkamer.metrics.heartbeat import heartbeat_job
from meldkamer.notify.worker import run_worker
from tests.conftest import ROOT

NAME = "meldkamer_worker_last_run_timestamp_seconds"
START = datetime(2026, 12, 1, 3, 0, tzinfo=timezone.utc)


def last_run(sessions: sessionmaker[Session], now: datetime) -> float | None:
    text = render(business_registry(sessions, lambda: now, None)).decode()
    found = [
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == NAME
    ]
    assert len(found) <= 1
    return found[0] if found else None


def rounds(sessions: sessionmaker[Session], worker: str, count: int, start: datetime) -> datetime:
    """``count`` rounds of the real worker loop, a minute apart; returns the last moment."""
    moments = [start + timedelta(minutes=i) for i in range(count)]
    now = iter(moments)
    current = [next(now)]
    stop = asyncio.Event()

    async def next_round(_sessions: object, _at: datetime) -> None:
        try:
            current[0] = next(now)
        except StopIteration:
            stop.set()

    asyncio.run(
        run_worker(
            sessions,
            {},
            interval=0,
            clock=lambda: current[0],
            stop_event=stop,
            extra_jobs=(heartbeat_job(worker), next_round),
        )
    )
    return moments[-1]


def test_no_worker_yet_shows_no_heartbeat(demo_sessions: sessionmaker[Session]) -> None:
    assert last_run(demo_sessions, START) is None


def test_each_round_moves_the_heartbeat(demo_sessions: sessionmaker[Session]) -> None:
    last = rounds(demo_sessions, "worker-a", 3, START)
    assert last_run(demo_sessions, last) == last.timestamp()
    later = rounds(demo_sessions, "worker-a", 2, last + timedelta(hours=1))
    assert last_run(demo_sessions, later) == later.timestamp()


def test_the_newest_of_several_workers_counts(demo_sessions: sessionmaker[Session]) -> None:
    newest = rounds(demo_sessions, "worker-b", 2, START + timedelta(minutes=30))
    rounds(demo_sessions, "worker-a", 2, START)  # an older pod that stopped
    assert last_run(demo_sessions, newest) == newest.timestamp()


def test_the_worker_command_beats(tmp_path: Path) -> None:
    """`meldkamer worker` itself, as make run starts it: its heartbeat shows."""
    url = f"sqlite:///{tmp_path / 'meldkamer.db'}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SMTP_", "SMS_", "MAIL_"))}
    env.update(DATABASE_URL=url, MELDKAMER_VAR_DIR=str(tmp_path))
    upgrade(url)
    engine = make_engine(url)
    process = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "meldkamer"), "worker", "--interval", "0.2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        sessions = make_sessionmaker(engine)
        deadline = time.monotonic() + 60
        while last_run(sessions, datetime.now(timezone.utc)) is None:
            assert process.poll() is None, "the worker stopped"
            assert time.monotonic() < deadline, "no heartbeat within 60 s"
            time.sleep(0.2)  # polling the database, not waiting a fixed time
        beat = last_run(sessions, datetime.now(timezone.utc))
        assert beat is not None and abs(beat - time.time()) < 60
    finally:
        process.terminate()
        process.wait(30)
        engine.dispose()
