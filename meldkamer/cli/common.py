"""What the command groups share: a database session, its error message, local times."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TypeVar

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from meldkamer.composition import database
from meldkamer.triage.officehours import AMSTERDAM

#: Times are shown in the meldkamer's one zone.
LOCAL_TZ = AMSTERDAM


@contextmanager
def database_session(*, transaction: bool = False) -> Iterator[Session]:
    """A session on ``DATABASE_URL``; with ``transaction`` it commits at the end."""
    with database() as opened:
        factory = opened.sessions
        with factory.begin() if transaction else factory() as session:
            yield session


Number = TypeVar("Number", int, float)


def positive(convert: Callable[[str], Number], what: str) -> Callable[[str], Number]:
    """An argparse ``type``: ``text`` read by ``convert``, refused unless above 0."""

    def parse(text: str) -> Number:
        try:
            value = convert(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{what}: {text!r}") from None
        if not value > 0:
            raise argparse.ArgumentTypeError(f"moet groter dan 0 zijn: {text}")
        return value

    return parse


def database_error(error: SQLAlchemyError) -> int:
    """Tell what went wrong with the database; returns exit code 1."""
    print(f"Databasefout: {error}\n(Is 'meldkamer db upgrade' al uitgevoerd?)", file=sys.stderr)
    return 1


def local_time(moment: datetime) -> str:
    """``2026-11-29 03:12`` in Amsterdam time."""
    return moment.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")
