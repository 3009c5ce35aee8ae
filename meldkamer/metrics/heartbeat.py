"""The worker's heartbeat: one row per worker, the end of its latest round.

A file in the var folder would not be seen by a console on another host, so the
heartbeat is a row in the shared database (migration 0011). The worker records it as
the last job of every round (:func:`heartbeat_job`); the console exposes the newest as
``meldkamer_worker_last_run_timestamp_seconds`` and the alert ``MeldkamerWorkerStil``
fires when it grows old (deploy/prometheus/alerts.yml). A worker that is gone keeps its
row; only the newest counts, so several workers or a replaced pod need no clean-up.
"""

from __future__ import annotations

import socket
from collections.abc import Awaitable, Callable
from datetime import datetime

from sqlalchemy import Column, String, func, select
from sqlalchemy.orm import Session

from meldkamer.db import Base, UTCDateTime

Job = Callable[[Callable[[], Session], datetime], Awaitable[None]]


class WorkerHeartbeat(Base):
    """When the worker named ``worker`` (its host name) last finished a round."""

    __tablename__ = "worker_hartslag"

    worker: str = Column(String(255), primary_key=True)
    last_round_at: datetime = Column(UTCDateTime(), nullable=False)


def record_round(session: Session, worker: str, now: datetime) -> None:
    """Record that ``worker`` finished a round at ``now`` (the caller commits)."""
    row = session.get(WorkerHeartbeat, worker)
    if row is None:
        session.add(WorkerHeartbeat(worker=worker, last_round_at=now))
    else:
        row.last_round_at = now


def last_round(session: Session) -> datetime | None:
    """The end of the newest round of any worker, or ``None`` when none ever ran."""
    latest: datetime | None = session.execute(
        select(func.max(WorkerHeartbeat.__table__.c.last_round_at))
    ).scalar()
    return latest


def heartbeat_job(worker: str | None = None) -> Job:
    """The worker's last job of each round; ``worker`` defaults to the host name."""
    name = worker or socket.gethostname()

    async def heartbeat(sessions: Callable[[], Session], now: datetime) -> None:
        with sessions() as session:
            record_round(session, name, now)
            session.commit()

    return heartbeat
