"""What a running stack stored, read straight from its database.

Tests check the servers' work here rather than through the servers themselves: a
conversation's tracker events as Rasa's tracker store wrote them, and the tickets the
action server registered. Each call opens its own engine and disposes of it, so a test
may call these while the servers (or a proxy in front of the database) change state.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from meldkamer.db import make_engine, make_sessionmaker
from meldkamer.handover.models import Handover
from meldkamer.tickets import Ticket, get_ticket


@contextmanager
def database(database_url: str) -> Iterator[Session]:
    """A session on ``database_url`` whose engine is gone again afterwards."""
    engine = make_engine(database_url)
    try:
        with make_sessionmaker(engine)() as session:
            yield session
    finally:
        engine.dispose()


def tracker_events(database_url: str, sender_id: str) -> list[dict[str, Any]]:
    """The tracker store's events of one conversation, oldest first, as Rasa serialised them."""
    with database(database_url) as session:
        rows = session.execute(
            text("SELECT data FROM events WHERE sender_id = :s ORDER BY id"), {"s": sender_id}
        ).scalars()
        return [json.loads(data) for data in rows]


def ticket_numbers(database_url: str, conversation_id: str) -> list[str]:
    """The numbers of the tickets registered for a conversation."""
    with database(database_url) as session:
        return list(
            session.execute(
                select(Ticket.number).where(Ticket.conversation_id == conversation_id)
            ).scalars()
        )


def handovers(database_url: str, conversation_id: str) -> list[Handover]:
    """The handover queue's items of a conversation (a stack serves other tests too)."""
    with database(database_url) as session:
        mine = select(Handover).where(Handover.conversation_id == conversation_id)
        return list(session.execute(mine).scalars())


def stored_ticket(database_url: str, number: str) -> Ticket:
    """The ticket ``number`` as stored (fails when there is none)."""
    with database(database_url) as session:
        ticket = get_ticket(session, number)
        assert ticket is not None, number
        return ticket
