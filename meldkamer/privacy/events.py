"""Rasa's tracker store, read and pruned as plain SQL: the ``events`` table.

Rasa's ``SQLTrackerStore`` (``rasa_addons/tracker_store.py``) keeps every event of every
conversation in one table in the same database as the tickets: ``sender_id`` (the
conversation id), ``type_name``, ``timestamp`` (seconds since 1970, UTC), ``intent_name``,
``action_name`` and ``data`` (the event as JSON, with the tenant's text). The table is
described here on a metadata of its own, so that Meldkamer's migrations never create or
change it; it does not exist until a Rasa server has run on the database.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable
from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

_metadata = sa.MetaData()

EVENTS = sa.Table(
    "events",
    _metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sender_id", sa.String(255), nullable=False, index=True),
    sa.Column("type_name", sa.String(255), nullable=False),
    sa.Column("timestamp", sa.Float),
    sa.Column("intent_name", sa.String(255)),
    sa.Column("action_name", sa.String(255)),
    sa.Column("data", sa.Text),
)

#: Ids per statement: stays under SQLite's limit on bound parameters.
_CHUNK = 500


def has_events(session: Session) -> bool:
    """Whether the database holds Rasa's events table."""
    found: bool = sa.inspect(session.connection()).has_table(EVENTS.name)
    return found


def idle_conversations(session: Session, cutoff: datetime) -> dict[str, datetime]:
    """The conversations whose last event lies before ``cutoff``, with that moment."""
    if not has_events(session):
        return {}
    last = sa.func.max(EVENTS.c.timestamp)
    statement = (
        sa.select(EVENTS.c.sender_id, last)
        .group_by(EVENTS.c.sender_id)
        .having(last < cutoff.timestamp())
    )
    return {
        sender_id: datetime.fromtimestamp(moment, timezone.utc)
        for sender_id, moment in session.execute(statement)
    }


def events_of(session: Session, sender_ids: Collection[str]) -> list[dict[str, Any]]:
    """Every event of these conversations, in order, as Rasa wrote it."""
    if not sender_ids or not has_events(session):
        return []
    found: list[dict[str, Any]] = []
    for chunk in _chunks(sorted(sender_ids)):
        rows = session.execute(
            sa.select(EVENTS.c.sender_id, EVENTS.c.data)
            .where(EVENTS.c.sender_id.in_(chunk))
            .order_by(EVENTS.c.id)
        )
        found.extend({"gesprek": sender_id, **json.loads(data or "{}")} for sender_id, data in rows)
    return found


def delete_events(session: Session, sender_ids: Collection[str]) -> int:
    """Delete every event of these conversations; returns how many (the caller commits)."""
    if not sender_ids or not has_events(session):
        return 0
    count = 0
    for chunk in _chunks(sorted(sender_ids)):
        result = session.execute(sa.delete(EVENTS).where(EVENTS.c.sender_id.in_(chunk)))
        count += int(result.rowcount or 0)
    return count


def _chunks(items: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]
