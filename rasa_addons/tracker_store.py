"""Rasa's SQL tracker store on the same database as the tickets, surviving short outages.

Rasa's own ``SQL`` store wants dialect, host and database as separate settings, and an
unset environment variable in endpoints.yml is an error; this store reads the one
``DATABASE_URL`` the rest of Meldkamer uses (SQLite file by default).

When the database is unreachable for a while, Rasa's own handling is to start every
conversation afresh in memory (its ``FailSafeTrackerStore`` answers ``None``) and to
throw the new events away. This store instead:

* keeps a tracker whose save failed on a connection error in memory (at most
  ``buffer_size`` of them; the oldest is dropped with an error in the log beyond that),
  and saves it again at the next save or retrieve once the database answers; only the
  events the database has not got yet are written, after what it has;
* answers a retrieve with that pending tracker (newer than the database's), and during
  an outage with the last tracker it saw of the conversation (the ``cache_size`` most
  recent are remembered), so a melding in progress goes on;
* treats only connection errors as an outage: a refused value (too long, invalid) is
  still an error.

Every database call runs in a small pool of worker threads (:data:`DB_THREADS`), never
on Rasa's event loop: a database that stalls (no answer rather than a refusal) holds up
only the conversations that wait for it; the server goes on answering everything else.
Rasa locks each conversation, so one conversation's calls never overtake each other.

With several Rasa servers each keeps its own memory: a conversation that moves to
another server during an outage continues there from what that server knew.

Creating the store also installs :func:`rasa_addons.action_schema.use_precompiled_action_schema`
and :func:`rasa_addons.action_client.use_pooled_connections` in the Rasa server (the
tracker store is the one plug-in every Rasa server loads); see there.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy.engine import make_url
from sqlalchemy.exc import (
    DBAPIError,
)
from sqlalchemy.orm import Session, sessionmaker

from meldkamer.db import database_url
from rasa_addons.action_client import use_pooled_connections
from rasa_addons.action_schema import use_precompiled_action_schema
from rasa_addons.db_outage import died_in_pool, is_outage, once_more
from rasa_addons.stored_metrics import count_messages

logger = logging.getLogger(__name__)

#: Trackers kept in memory while their save fails.
BUFFER_SIZE = 500
#: Conversations whose last known tracker is remembered for an outage.
CACHE_SIZE = 200
#: Seconds between two attempts to save the pending trackers while the database is away.
RETRY_SECONDS = 1.0
#: Seconds to wait for a PostgreSQL connection before calling it an outage.
CONNECT_TIMEOUT_S = 5
#: Most events in one INSERT statement (SQLite allows 32 766 bound values, 7 per event).
MAX_ROWS = 200
#: Worker threads for database calls (the connection pool holds 5 by default).
DB_THREADS = 4

_T = TypeVar("_T")


@dataclass
class _Pending:
    tracker: DialogueStateTracker
    #: How many of the tracker's events (of its latest session) the database has.
    stored: int
    since: float


class DatabaseUrlTrackerStore(SQLTrackerStore):
    """``SQLTrackerStore`` whose connection comes from ``DATABASE_URL``; see the module."""

    def __init__(
        self,
        domain: Domain | None = None,
        event_broker: EventBroker | None = None,
        buffer_size: int = BUFFER_SIZE,
        cache_size: int = CACHE_SIZE,
        retry_seconds: float = RETRY_SECONDS,
        **kwargs: Any,
    ) -> None:
        use_precompiled_action_schema()
        use_pooled_connections()
        url = database_url()
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite" and parsed.database:
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        # Rasa uses a full URL when the host contains a scheme.
        kwargs.pop("host", None)
        super().__init__(domain=domain, host=url, event_broker=event_broker, **kwargs)
        if parsed.get_backend_name() == "postgresql":
            # Do not wait minutes for a connection that will not come. Pooled connections
            # that died with an outage are not pinged before each use (a round trip on
            # every read and write): the call that meets one is repeated once on a fresh
            # connection instead (:func:`rasa_addons.db_outage.once_more`).
            options = create_engine_kwargs(url)
            connect_args = {**options.pop("connect_args", {}), "connect_timeout": CONNECT_TIMEOUT_S}
            old: sa.engine.Engine = self.engine  # type: ignore[has-type]
            old.dispose()
            self.engine = sa.create_engine(url, connect_args=connect_args, **options)
            self.sessionmaker = sessionmaker(bind=self.engine)
            # A message's read and write are one statement each: without a transaction
            # around them, psycopg2 sends no BEGIN and COMMIT (ROLLBACK) before and after,
            # one round trip each instead of three. A statement is atomic on its own.
            self.single_engine = sa.create_engine(
                url, isolation_level="AUTOCOMMIT", connect_args=connect_args, **options
            )
        else:
            self.single_engine = self.engine
        self._single = sessionmaker(bind=self.single_engine)
        self.buffer_size = int(buffer_size)
        self.cache_size = int(cache_size)
        self.retry_seconds = float(retry_seconds)
        self._pending: OrderedDict[str, _Pending] = OrderedDict()
        self._recent: OrderedDict[str, tuple[DialogueStateTracker, int]] = OrderedDict()
        self._last_attempt = 0.0
        self._retry_task: asyncio.Task[None] | None = None
        self._executor = ThreadPoolExecutor(DB_THREADS, thread_name_prefix="tracker-store")
        # Made on first use, inside Rasa's loop.
        self._flush_lock: asyncio.Lock | None = None

    async def _off_loop(self, call: Callable[..., _T], *args: Any) -> _T:
        """Run a blocking database call in a worker thread; the loop stays free."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, functools.partial(call, *args))

    # --- what the database is known to hold ------------------------------------------

    def _remember(self, tracker: DialogueStateTracker, count: int | None = None) -> None:
        """The database holds ``tracker``'s first ``count`` events (default: all) now."""
        count = len(tracker.events) if count is None else count
        self._recent[tracker.sender_id] = (tracker, count)
        self._recent.move_to_end(tracker.sender_id)
        while len(self._recent) > self.cache_size:
            self._recent.popitem(last=False)

    def _stored_count(self, sender_id: str) -> int:
        if sender_id in self._pending:
            return self._pending[sender_id].stored
        known = self._recent.get(sender_id)
        return known[1] if known else 0

    def _handed_out(self, tracker: DialogueStateTracker) -> int | None:
        """How many of ``tracker``'s events the database has, if this store knows.

        It knows when ``tracker`` is the very object it last read or stored for the
        conversation: Rasa holds the conversation's lock from reading the tracker to
        saving it, so nobody else wrote in between and counting again (a query on every
        save, as Rasa's own store does) would give the same number. Any other tracker
        (another server's, one built from the API) is counted in the database.
        """
        known = self._recent.get(tracker.sender_id)
        return known[1] if known is not None and known[0] is tracker else None

    def _keep(self, tracker: DialogueStateTracker, error: BaseException) -> None:
        sender_id = tracker.sender_id
        stored = self._stored_count(sender_id)
        self._pending[sender_id] = _Pending(tracker, stored, time.monotonic())
        self._pending.move_to_end(sender_id)
        logger.error(
            "database unreachable, tracker of %s kept in memory (%d pending): %s",
            sender_id,
            len(self._pending),
            error,
        )
        while len(self._pending) > self.buffer_size:
            lost, entry = self._pending.popitem(last=False)
            logger.error(
                "tracker buffer full (%d): events of %s since %.0f s ago are lost",
                self.buffer_size,
                lost,
                time.monotonic() - entry.since,
            )

    def _schedule_retry(self) -> None:
        """Keep trying in the background, so pending trackers do not wait for traffic."""
        if self._retry_task is not None and not self._retry_task.done():
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        self._retry_task = loop.create_task(self._retry_loop())

    async def _retry_loop(self) -> None:
        while self._pending:
            await asyncio.sleep(self.retry_seconds)
            await self._flush(force=True)

    @property
    def pending(self) -> list[str]:
        """Conversations whose newest events are only in memory."""
        return list(self._pending)

    # --- writing ---------------------------------------------------------------------

    def _add(self, session: Session, sender_id: str, events: Iterable[Event]) -> None:
        """Insert ``events``, one statement per :data:`MAX_ROWS` (one round trip each).

        Rasa adds one ORM object per event, which PostgreSQL gets as one
        ``INSERT ... RETURNING id`` each; nothing here needs the ids back.
        """
        rows = []
        for event in events:
            data = event.as_dict()
            rows.append(
                {
                    "sender_id": sender_id,
                    "type_name": event.type_name,
                    "timestamp": data.get("timestamp"),
                    "intent_name": data.get("parse_data", {})
                    .get("intent", {})
                    .get(INTENT_NAME_KEY),
                    "action_name": data.get("name"),
                    "data": json.dumps(data),
                }
            )
        for start in range(0, len(rows), MAX_ROWS):
            session.execute(
                sa.insert(self.SQLEvent.__table__).values(rows[start : start + MAX_ROWS])
            )

    def _save_new(self, sender_id: str, events: list[Event], known: int | None) -> None:
        """Append the events the database has not got (blocking): see :meth:`_insert`.

        With ``known`` (:meth:`_handed_out`) and at most :data:`MAX_ROWS` new events, one
        INSERT outside a transaction. If its connection had died in the pool the events
        may or may not be stored: they are counted in the database, in a transaction.
        """
        if known is not None and len(events) - known <= MAX_ROWS:
            try:
                with self._single() as session:
                    self._add(session, sender_id, events[known:])
                    # A no-op on PostgreSQL's AUTOCOMMIT engine (no COMMIT is sent); on
                    # SQLite, which shares the ordinary engine, this is what stores them.
                    session.commit()
            except DBAPIError as error:
                if not died_in_pool(error):
                    raise
            else:
                count_messages(events, known)
                return
        self._insert(sender_id, events, None)

    def _insert(self, sender_id: str, events: list[Event], first_new: int | None) -> None:
        """Append ``events[first_new:]`` in one transaction (blocking).

        ``first_new`` ``None``: counted in the database first, as Rasa's save does, for a
        tracker this store did not hand out itself. ``events`` is a copy taken on the
        loop: the thread never reads a live tracker.
        """
        for last_try in (False, True):
            with self.session_scope() as session:
                try:
                    start = self._latest_count(session, sender_id, first_new)
                    self._add(session, sender_id, events[start:])
                except DBAPIError as error:
                    if last_try or not died_in_pool(error):
                        raise
                    continue
                # Never repeated: a commit that failed may still have reached the database.
                session.commit()
            count_messages(events, start)
            return

    def _latest_count(self, session: Session, sender_id: str, known: int | None) -> int:
        """How many events of the latest session the database has (``known``, or counted)."""
        if known is not None:
            return known
        return int(
            self._event_query(session, sender_id, fetch_events_from_all_sessions=False).count()
        )

    def _load(self, sender_id: str, full: bool) -> DialogueStateTracker | None:
        """The tracker as the database has it, as Rasa's ``_retrieve`` builds it (blocking)."""
        events = once_more(self._event_data, sender_id, full)
        if not self.domain or not events:
            return None
        return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)

    def _event_data(self, sender_id: str, full: bool) -> list[dict[str, Any]]:
        with self._single() as session:  # one SELECT, no transaction around it
            rows = self._event_query(session, sender_id, fetch_events_from_all_sessions=full).all()
            return [json.loads(row.data) for row in rows]

    async def _flush(self, force: bool = False) -> bool:
        """Save the pending trackers, oldest first; whether none is left.

        One flush at a time (a lock), so a pending tracker is never written twice.
        """
        if not self._pending:
            return True
        if not force and time.monotonic() - self._last_attempt < self.retry_seconds:
            return False
        if self._flush_lock is None:
            self._flush_lock = asyncio.Lock()
        async with self._flush_lock:
            return await self._flush_pending()

    async def _flush_pending(self) -> bool:
        self._last_attempt = time.monotonic()
        for sender_id in list(self._pending):
            entry = self._pending.get(sender_id)
            if entry is None:
                continue
            tracker, events = entry.tracker, list(entry.tracker.events)
            try:
                await self._off_loop(self._insert, sender_id, events, entry.stored)
            except Exception as error:
                if is_outage(error):
                    logger.warning(
                        "database still unreachable; %d trackers pending", len(self._pending)
                    )
                    return False
                logger.exception("tracker of %s cannot be stored; dropped", sender_id)
                del self._pending[sender_id]
                continue
            if self._pending.get(sender_id) is not entry:
                continue
            if entry.tracker is not tracker or len(tracker.events) != len(events):
                # Newer events came in while writing: those written are stored now.
                entry.stored = len(events)
                continue
            del self._pending[sender_id]
            self._remember(tracker, len(events))
            logger.info(
                "tracker of %s stored after %.0f s in memory",
                sender_id,
                time.monotonic() - entry.since,
            )
        return True

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Store the tracker's new events; kept in memory while the database is away."""
        sender_id = tracker.sender_id
        await self._flush()
        if sender_id in self._pending:
            # Older events of this conversation wait too: keep them together, in order.
            self._pending[sender_id].tracker = tracker
            self._pending.move_to_end(sender_id)
            return
        await self.stream_events(tracker)
        events = list(tracker.events)
        try:
            await self._off_loop(self._save_new, sender_id, events, self._handed_out(tracker))
        except Exception as error:
            if not is_outage(error):
                raise
            self._keep(tracker, error)
            self._schedule_retry()
            return
        self._remember(tracker, len(events))

    # --- reading ---------------------------------------------------------------------

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        """The conversation's tracker: the pending one first, the database's otherwise."""
        return await self._read(sender_id, full=False)

    async def retrieve_full_tracker(self, conversation_id: str) -> DialogueStateTracker | None:
        """Every session's events; the pending tracker while it is not stored."""
        return await self._read(conversation_id, full=True)

    async def _read(self, sender_id: str, full: bool) -> DialogueStateTracker | None:
        await self._flush()
        if sender_id in self._pending:
            return self._pending[sender_id].tracker
        try:
            tracker = await self._off_loop(self._load, sender_id, full)
        except Exception as error:
            if not is_outage(error):
                raise
            known = self._recent.get(sender_id)
            logger.error(
                "database unreachable; %s from memory: %s",
                f"conversation {sender_id}" if known else f"no tracker of {sender_id} known",
                error,
            )
            if known is None:
                # Rasa starts the conversation afresh; all its events are new.
                self._recent.pop(sender_id, None)
                raise
            return known[0]
        if tracker is not None and not full:
            self._remember(tracker)
        elif tracker is None:
            self._recent.pop(sender_id, None)
        return tracker
