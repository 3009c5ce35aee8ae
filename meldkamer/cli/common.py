"""What the command groups share: a database session, its error message, local times."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from meldkamer.composition import database
from meldkamer.tickets.numbering import parse_ticket_number
from meldkamer.triage.officehours import AMSTERDAM

#: Times are shown in the meldkamer's one zone.
LOCAL_TZ = AMSTERDAM


def command_group(
    groups: argparse._SubParsersAction[Any],
    name: str,
    summary: str,
    description: str | None = None,
) -> argparse._SubParsersAction[Any]:
    """Add ``meldkamer NAME SUBCOMMAND`` (``summary`` is its help); returns its sub-commands."""
    parser: argparse.ArgumentParser = groups.add_parser(name, help=summary, description=description)
    return parser.add_subparsers(dest=f"{name}_command", metavar="SUBCOMMAND", required=True)


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


def ticket_number(text: str) -> str | None:
    """``text`` as a ticket number (``MK-JJJJ-NNNNNN``, any case), or ``None`` after saying why."""
    number = text.strip().upper()
    try:
        parse_ticket_number(number)
    except ValueError:
        print(f"Ongeldig ticketnummer {text!r}: verwacht MK-JJJJ-NNNNNN.", file=sys.stderr)
        return None
    return number


@dataclass(frozen=True)
class Refusal:
    """How a command tells one expected error: a line on standard error and an exit code.

    ``{error}`` in ``message`` stands for the error's own text.
    """

    error: type[Exception]
    message: str
    code: int


def run_change(
    change: Callable[[Session, str | None], str],
    *refusals: Refusal,
    ask: Callable[[], str | None] = lambda: None,
) -> int:
    """Run one change in a transaction and print what it returns, or why not.

    ``ask`` reads input (a password) before the transaction, so no prompt holds a lock;
    its answer goes to ``change``. An error of ``refusals`` (the first that matches, from
    ``ask`` or ``change``) is told with its exit code; the transaction is rolled back.
    """
    try:
        answer = ask()
        with database_session(transaction=True) as session:
            done = change(session, answer)
    except tuple(refusal.error for refusal in refusals) as error:
        refusal = next(r for r in refusals if isinstance(error, r.error))
        print(refusal.message.replace("{error}", str(error)), file=sys.stderr)
        return refusal.code
    except SQLAlchemyError as error:
        return database_error(error)
    print(done)
    return 0
