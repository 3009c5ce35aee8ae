"""What the command groups share: a database session, its error message, local times."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from meldkamer.db import database_url, make_engine, make_sessionmaker

LOCAL_TZ = ZoneInfo("Europe/Amsterdam")


@contextmanager
def database_session(*, transaction: bool = False) -> Iterator[Session]:
    """A session on ``DATABASE_URL``; with ``transaction`` it commits at the end."""
    engine = make_engine(database_url())
    try:
        factory = make_sessionmaker(engine)
        with factory.begin() if transaction else factory() as session:
            yield session
    finally:
        engine.dispose()


def database_error(error: SQLAlchemyError) -> int:
    """Tell what went wrong with the database; returns exit code 1."""
    print(f"Databasefout: {error}\n(Is 'meldkamer db upgrade' al uitgevoerd?)", file=sys.stderr)
    return 1


def local_time(moment: datetime) -> str:
    """``2026-11-29 03:12`` in Amsterdam time."""
    return moment.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")
