"""Queueing messages in the outbox and recording how their delivery went.

Like the ticket store, every function takes the caller's session and flushes but does
not commit. :func:`enqueue` is meant to run in the transaction that changes the
ticket, so the message is queued if and only if the change is committed.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from typing import Any, TypedDict

from sqlalchemy import and_, or_, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from typing_extensions import NotRequired, Unpack

from meldkamer.intake.validation import EMAIL_PATTERN
from meldkamer.notify.models import MessageKind, OutboxMessage, OutboxStatus
from meldkamer.rows import one_row, rows_of

MAX_ATTEMPTS = 12
FIRST_RETRY_DELAY = timedelta(seconds=30)
MAX_RETRY_DELAY = timedelta(hours=1)
# Long enough for a whole batch of sends with their network timeouts; a shorter lease
# would let a second worker take over messages that are still being sent.
DEFAULT_LEASE = timedelta(minutes=10)
MAX_ERROR_LENGTH = 1000

_EMAIL_RE = re.compile(rf"^{EMAIL_PATTERN}$")
_PHONE_RE = re.compile(r"^\+\d{8,15}$")
_LINE_BREAK_RE = re.compile(r"[\r\n]")
logger = logging.getLogger(__name__)
# The table's columns, for comparisons mypy cannot check on the annotated attributes.
_columns: Any = OutboxMessage.__table__.c


def _as_utc(now: datetime) -> datetime:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError(f"tijdstip {now.isoformat()} heeft geen tijdzone")
    return now.astimezone(timezone.utc)


def _check_text(name: str, value: str, max_length: int | None) -> None:
    if not value.strip():
        raise ValueError(f"{name} is leeg")
    if max_length is not None and len(value) > max_length:
        raise ValueError(f"{name} is langer dan {max_length} tekens")


class Outgoing(TypedDict):
    """A message to queue: the keyword arguments :func:`enqueue` and its wrappers take.

    The wrappers (:func:`meldkamer.contacts.sent.enqueue_logged`,
    :func:`meldkamer.notify.attachments.enqueue_with_attachments`) pass it on whole.

    Attributes:
        key: The caller's idempotency key (at most 200 characters).
        recipient: An e-mail address, a phone number as ``+31612345678``, or (chat)
            the tenant's conversation id.
        body: The plain text to send.
        purpose: What the message is for, e.g. ``werkbon`` or ``bevestiging_huurder``.
        subject: The subject line; required for an e-mail, not sent with an SMS.
        ticket_id: The ticket the message is about, if any.
    """

    key: str
    recipient: str
    body: str
    purpose: str
    subject: NotRequired[str | None]
    ticket_id: NotRequired[int | None]


def _check_message(kind: MessageKind | str, message: Outgoing) -> MessageKind:
    recipient = message["recipient"]
    subject = message.get("subject")
    _check_text("key", message["key"], 200)
    _check_text("purpose", message["purpose"], 40)
    _check_text("body", message["body"], None)
    try:
        message_kind = MessageKind(kind)
    except ValueError:
        known = ", ".join(k.value for k in MessageKind)
        raise ValueError(f"kind {kind!r} onbekend; mogelijk: {known}") from None
    if message_kind is MessageKind.EMAIL:
        if len(recipient) > 254 or not _EMAIL_RE.match(recipient):
            raise ValueError(f"ontvanger {recipient!r} is geen e-mailadres")
        if subject is None:
            raise ValueError("een e-mail heeft een onderwerp nodig")
    elif message_kind is MessageKind.CHAT:
        # The tenant's conversation id, as the chat channel named it.
        if len(recipient) > 254 or not recipient.strip() or _LINE_BREAK_RE.search(recipient):
            raise ValueError(f"ontvanger {recipient!r} is geen gespreks-id")
    elif not _PHONE_RE.match(recipient):
        raise ValueError(
            f"ontvanger {recipient!r} is geen genormaliseerd telefoonnummer (+31612345678)"
        )
    if subject is not None:
        _check_text("subject", subject, 300)
        # A line break in a header would let the text add headers of its own.
        if _LINE_BREAK_RE.search(subject):
            raise ValueError("subject bevat een regeleinde")
    return message_kind


def find_by_key(session: Session, key: str) -> OutboxMessage | None:
    """Return the message queued under ``key``, if any."""
    return one_row(session, OutboxMessage, OutboxMessage.key == key)


def enqueue(
    session: Session, *, kind: MessageKind | str, now: datetime, **message: Unpack[Outgoing]
) -> OutboxMessage:
    """Queue a message, or return the one already queued under ``key`` (see :func:`queue`)."""
    return queue(session, kind=kind, now=now, **message)[0]


def queue(
    session: Session, *, kind: MessageKind | str, now: datetime, **message: Unpack[Outgoing]
) -> tuple[OutboxMessage, bool]:
    """Queue a message, or find the one already queued under ``key``; and whether it is new.

    Idempotent on ``key``: an existing message is returned unchanged, whatever the
    other arguments say, also when another transaction queues the same key at the
    same moment. The message is due at once.

    Args:
        session: The caller's session, ideally the one that changes the ticket; the
            caller commits.
        key: The caller's idempotency key (at most 200 characters).
        kind: ``"email"``, ``"sms"`` or ``"chat"``.
        now: An aware datetime: the moment of queueing.
        message: What is sent, to whom and why (see :class:`Outgoing`).

    Returns:
        The queued message, and ``True`` when this call queued it (``False``: the key
        was queued before, by this or another transaction).

    Raises:
        ValueError: An argument is malformed (unknown kind, bad recipient, empty body,
            e-mail without subject, naive ``now``).
    """
    created_at = _as_utc(now)
    message_kind = _check_message(kind, message)
    key = message["key"]
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        insert = postgresql.insert
    elif dialect == "sqlite":
        insert = sqlite.insert
    else:
        raise NotImplementedError(f"de outbox ondersteunt database {dialect!r} niet")
    # ON CONFLICT DO NOTHING instead of a savepoint: a lost race leaves the caller's
    # transaction intact, and on SQLite a savepoint opened before any write would
    # commit the row on its own, outside the caller's transaction.
    # No look-up first: the insert's row count says whether the key was new (one round
    # trip less on every message the dispatch queues).
    session.flush()
    inserted = session.execute(
        insert(OutboxMessage.__table__)
        .values(
            key=key,
            ticket_id=message.get("ticket_id"),
            kind=message_kind.value,
            purpose=message["purpose"],
            recipient=message["recipient"],
            subject=message.get("subject"),
            body=message["body"],
            status=OutboxStatus.WACHTRIJ.value,
            attempts=0,
            next_attempt_at=created_at,
            locked_until=None,
            last_error=None,
            created_at=created_at,
            sent_at=None,
        )
        .on_conflict_do_nothing(index_elements=["key"])
    )
    queued = find_by_key(session, key)
    if queued is None:  # pragma: no cover - the row was just inserted or already there
        raise RuntimeError(f"bericht {key!r} niet gevonden na invoegen")
    if not inserted.rowcount:
        return queued, False
    # With the JSON log this line carries the correlation id of the tenant's message;
    # the worker logs the same key when it sends, which joins the two.
    logger.info(
        "bericht %s (%s, %s) in de wachtrij",
        key,
        queued.kind,
        queued.purpose,
        extra={"outbox_key": key},
    )
    return queued, True


def _claimable(now: datetime) -> Any:
    return or_(
        and_(
            OutboxMessage.status == OutboxStatus.WACHTRIJ.value,
            _columns.next_attempt_at <= now,
        ),
        # A sender that claimed the message and then died: its lease has run out.
        and_(
            OutboxMessage.status == OutboxStatus.BEZIG.value,
            _columns.locked_until <= now,
        ),
    )


def claim_due(
    session: Session,
    now: datetime,
    *,
    limit: int,
    lease: timedelta = DEFAULT_LEASE,
    kinds: Iterable[MessageKind | str] | None = None,
) -> list[OutboxMessage]:
    """Claim up to ``limit`` messages that are due, oldest due first.

    Due are queued messages whose ``next_attempt_at`` has come, and messages whose
    sender's lease ran out. Each claimed message is set to ``bezig`` until
    ``now + lease`` and its attempt is counted. A crashed message that has used up
    its attempts is marked ``mislukt`` instead of being claimed.

    On PostgreSQL the rows are locked with ``FOR UPDATE SKIP LOCKED``, so concurrent
    workers pass each other by. SQLite has one writer at a time: the claim takes the
    write lock before it reads, so claims run one after the other. Each row is
    moreover claimed with an UPDATE guarded by the same condition, so a row that is
    no longer due is never claimed twice, whatever the database does.

    Args:
        session: The caller's session; the caller commits to make the claim visible.
        now: An aware datetime.
        limit: The most messages to claim.
        lease: How long the claim holds.
        kinds: Only claim messages of these kinds (default: all).

    Raises:
        ValueError: ``limit`` is not positive or ``now`` is naive.
    """
    if limit <= 0:
        raise ValueError(f"limit moet positief zijn, niet {limit}")
    moment = _as_utc(now)
    statement = (
        select(OutboxMessage)
        .where(_claimable(moment))
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
        .execution_options(populate_existing=True)
    )
    if kinds is not None:
        wanted = sorted({MessageKind(kind).value for kind in kinds})
        if not wanted:
            return []
        statement = statement.where(_columns.kind.in_(wanted))
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        statement = statement.with_for_update(skip_locked=True)
    elif dialect == "sqlite":
        # SQLite's stand-in for FOR UPDATE: a write that changes nothing takes the
        # database's write lock before the read, so concurrent workers claim one after
        # the other instead of picking the same rows and one coming away empty-handed.
        session.execute(text("UPDATE outbox SET status = status WHERE 0"))
    candidates: list[OutboxMessage] = list(session.execute(statement).scalars())

    claimed: list[OutboxMessage] = []
    locked_until = moment + lease
    for message in candidates:
        exhausted = message.attempts >= MAX_ATTEMPTS
        if exhausted:
            values: dict[str, object] = {
                "status": OutboxStatus.MISLUKT.value,
                "locked_until": None,
                "last_error": "verzending steeds onderbroken; pogingen op",
            }
        else:
            values = {
                "status": OutboxStatus.BEZIG.value,
                "locked_until": locked_until,
                "attempts": message.attempts + 1,
            }
        result = session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message.id, _claimable(moment))
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            continue  # another worker got there first
        for name, value in values.items():
            set_committed_value(message, name, value)
        if not exhausted:
            claimed.append(message)
    return claimed


def retry_delay(attempts: int) -> timedelta:
    """Return the wait after the ``attempts``-th failed attempt: 30 s, doubling, at most 1 h."""
    if attempts <= 0:
        return FIRST_RETRY_DELAY
    # Capping the exponent first keeps the number small for any attempt count.
    delay = FIRST_RETRY_DELAY * (1 << min(attempts - 1, 16))
    return min(delay, MAX_RETRY_DELAY)


def mark_sent(session: Session, message: OutboxMessage, now: datetime) -> None:
    """Record that ``message`` was delivered at ``now``."""
    message.status = OutboxStatus.VERZONDEN.value
    message.sent_at = _as_utc(now)
    message.locked_until = None
    message.last_error = None
    session.flush()


def mark_failed(
    session: Session,
    message: OutboxMessage,
    error: str,
    now: datetime,
    *,
    permanent: bool = False,
) -> None:
    """Record a failed attempt and schedule the next one, or give up.

    The next attempt waits :func:`retry_delay`; after :data:`MAX_ATTEMPTS` attempts,
    or at once when ``permanent``, the message is ``mislukt`` for good.

    Args:
        session: The caller's session; the caller commits.
        message: A claimed message (its attempt is already counted).
        error: A short reason, kept on the message; never a secret.
        now: An aware datetime.
        permanent: The failure will not go away by trying again (e.g. a refused number).
    """
    moment = _as_utc(now)
    message.last_error = error[:MAX_ERROR_LENGTH]
    message.locked_until = None
    if permanent or message.attempts >= MAX_ATTEMPTS:
        message.status = OutboxStatus.MISLUKT.value
    else:
        message.status = OutboxStatus.WACHTRIJ.value
        message.next_attempt_at = moment + retry_delay(message.attempts)
    session.flush()


def release(session: Session, message: OutboxMessage) -> None:
    """Put a claimed but unsent message back in the queue, its attempt uncounted.

    For a worker that stops before it got to the message, so that the message need
    not wait for the lease to run out.
    """
    message.status = OutboxStatus.WACHTRIJ.value
    message.locked_until = None
    message.attempts = max(message.attempts - 1, 0)
    session.flush()


def messages_for_ticket(session: Session, ticket_id: int) -> list[OutboxMessage]:
    """Return every message about ticket ``ticket_id``, oldest first."""
    return rows_of(
        session,
        OutboxMessage,
        OutboxMessage.ticket_id == ticket_id,
        order_by=(OutboxMessage.created_at, OutboxMessage.id),
    )


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def outbox_to_dict(message: OutboxMessage) -> dict[str, object]:
    """Return the message as JSON-ready data."""
    return {
        "id": message.id,
        "key": message.key,
        "ticket_id": message.ticket_id,
        "kind": message.kind,
        "purpose": message.purpose,
        "recipient": message.recipient,
        "subject": message.subject,
        "body": message.body,
        "status": message.status,
        "attempts": message.attempts,
        "next_attempt_at": _iso(message.next_attempt_at),
        "locked_until": _iso(message.locked_until),
        "last_error": message.last_error,
        "created_at": _iso(message.created_at),
        "sent_at": _iso(message.sent_at),
    }
