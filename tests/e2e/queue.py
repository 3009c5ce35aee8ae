"""The handover queue of an e2e stack's database, read by the tests that check it."""

from __future__ import annotations

from sqlalchemy import select

from devstack.stack import Stack
from meldkamer.db import make_engine, make_sessionmaker
from meldkamer.handover.models import Handover


def handovers_of(stack: Stack, sender: str) -> list[Handover]:
    """The queue items of ``sender``'s conversation (the stack serves other tests too)."""
    engine = make_engine(stack.database_url)
    try:
        with make_sessionmaker(engine)() as session:
            mine = select(Handover).where(Handover.conversation_id == sender)
            return list(session.execute(mine).scalars())
    finally:
        engine.dispose()
