"""Ticket numbers ``MK-YYYY-NNNNNN``: consecutive per year, unique across processes."""

from __future__ import annotations

import re

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from meldkamer.tickets.models import TicketCounter

PREFIX = "MK"
# Six digits is the normal width; a year past 999999 tickets simply gets wider numbers.
TICKET_NUMBER_RE = re.compile(r"^MK-(\d{4})-(\d{6,})$")


def format_ticket_number(year: int, sequence: int) -> str:
    """Return the ticket number for the ``sequence``-th ticket of ``year``."""
    return f"{PREFIX}-{year:04d}-{sequence:06d}"


def parse_ticket_number(text: str) -> tuple[int, int]:
    """Return ``(year, sequence)`` of a ticket number.

    Raises:
        ValueError: ``text`` is not of the form ``MK-YYYY-NNNNNN``.
    """
    match = TICKET_NUMBER_RE.match(text)
    if match is None:
        raise ValueError(f"ongeldig ticketnummer {text!r}: verwacht MK-JJJJ-NNNNNN")
    return int(match.group(1)), int(match.group(2))


def _increment(session: Session, year: int) -> int | None:
    """Bump the counter of ``year`` and return its new value, or None without a row."""
    # The UPDATE comes first: it row-locks the counter on PostgreSQL (and takes the
    # write lock on SQLite) until the caller's transaction ends, so no two
    # transactions can read the same value.
    result = session.execute(
        update(TicketCounter)
        .where(TicketCounter.year == year)
        .values(last=TicketCounter.last + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount == 0:
        return None
    last: int = session.execute(
        select(TicketCounter.last).where(TicketCounter.year == year)
    ).scalar_one()
    return last


def next_ticket_number(session: Session, year: int) -> str:
    """Reserve the next ticket number of ``year`` in the caller's transaction.

    The number is only final when the caller commits; a rollback gives it back.
    Concurrent callers wait for each other on the counter row.
    """
    sequence = _increment(session, year)
    if sequence is None:
        try:
            # A savepoint, so that losing the race for the first ticket of the year
            # leaves the caller's transaction usable.
            with session.begin_nested():
                session.execute(insert(TicketCounter).values(year=year, last=1))
            sequence = 1
        except IntegrityError:
            # Another transaction created the row in the meantime: count on from it.
            sequence = _increment(session, year)
            if sequence is None:
                raise
    return format_ticket_number(year, sequence)
