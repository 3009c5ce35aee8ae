"""The composition root: the one place that builds the collaborators from the environment.

The action server (``actions/runtime.py``), the console (``console/app.py``), the worker
and the CLI get their database engine and sessions, triage engine, client cache,
dispatch settings and clock from here. Nothing is built at import time: each function
builds when called (tests build their own :class:`Collaborators` instead).

Environment: ``DATABASE_URL`` / ``MELDKAMER_VAR_DIR`` (:func:`meldkamer.db.database_url`),
``MELDKAMER_PUBLIC_URL``, ``MELDKAMER_PHONE``, ``MELDKAMER_AGENTS_EMAIL``
(:class:`~meldkamer.dispatch.service.DispatchSettings`), ``MELDKAMER_SPOOL_DIR``
(:func:`meldkamer.intake.spool.spool_dir`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from meldkamer.clients.cache import ClientCache
from meldkamer.db import database_url, make_engine, make_sessionmaker, upgrade
from meldkamer.dispatch.service import DispatchSettings
from meldkamer.service.context import Collaborators, local_now
from meldkamer.triage import default_engine

__all__ = ["Collaborators", "Database", "collaborators", "database", "local_now", "open_database"]


@dataclass(frozen=True)
class Database:
    """An engine and its session factory; :meth:`close` when the process ends."""

    engine: Engine
    sessions: sessionmaker[Session]

    def close(self) -> None:
        """Close the engine's connections."""
        self.engine.dispose()


def open_database(url: str | None = None, *, migrate: bool = True) -> Database:
    """The database at ``url`` (``DATABASE_URL`` when omitted), migrated to the newest schema."""
    url = url or database_url()
    if migrate:
        upgrade(url)
    engine = make_engine(url)
    return Database(engine, make_sessionmaker(engine))


@contextmanager
def database(url: str | None = None, *, migrate: bool = False) -> Iterator[Database]:
    """:func:`open_database` for one command; closed afterwards."""
    opened = open_database(url, migrate=migrate)
    try:
        yield opened
    finally:
        opened.close()


def collaborators(
    sessions: sessionmaker[Session],
    *,
    env: Mapping[str, str] | None = None,
    clock: Callable[[], datetime] = local_now,
    dispatch: DispatchSettings | None = None,
) -> Collaborators:
    """The use cases' collaborators on ``sessions``: matrix, clients, settings, clock."""
    engine = default_engine()
    return Collaborators(
        sessions=sessions,
        engine=engine,
        clock=clock,
        dispatch=dispatch or DispatchSettings.from_env(env),
        clients=ClientCache(sessions, engine),
    )
