"""Browser sessions, one mechanism for the console and the portal, each with its own table.

A random token goes into the browser's cookie and only its SHA-256 into the table, so a
stolen database holds no usable session. Each session has its own CSRF token. Which
table (and which account table) a session lives in is a :class:`SessionKind`: the
console's and the portal's are separate, so a token of one never opens the other.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from meldkamer.rows import one_row

#: Longer "tokens" are not ours; refusing them early avoids hashing junk.
MAX_TOKEN = 200


class SessionRow(Protocol):
    """What every session table has."""

    id: int
    token_hash: str
    csrf_token: str
    expires_at: datetime


class Account(Protocol):
    """What every account table a session belongs to has."""

    id: int
    active: bool
    last_seen_at: datetime | None


R = TypeVar("R", bound=SessionRow)
A = TypeVar("A", bound=Account)


@dataclass(frozen=True)
class SessionKind(Generic[R, A]):
    """One kind of session: its table, its account table and how long it lives."""

    row: type[R]
    account: type[A]
    #: The session table's column naming the account (``agent_id``, ``user_id``).
    account_key: str
    lifetime: timedelta

    def _columns(self) -> Any:
        return self.row.__table__.c  # type: ignore[attr-defined]


def token_hash(token: str) -> str:
    """The stored form of a session token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def open_session(
    session: Session, kind: SessionKind[R, A], account: A, now: datetime
) -> tuple[str, R]:
    """A new session row for ``account``; returns the cookie's token (shown once) and the row."""
    token = secrets.token_urlsafe(32)
    make: Any = kind.row
    row: R = make(
        token_hash=token_hash(token),
        csrf_token=secrets.token_urlsafe(32),
        created_at=now,
        expires_at=now + kind.lifetime,
        **{kind.account_key: account.id},
    )
    session.add(row)
    account.last_seen_at = now
    session.flush()
    return token, row


def find_live(
    session: Session, kind: SessionKind[R, A], token: str, now: datetime
) -> tuple[R, A] | None:
    """The live session of this token and its account, or ``None``.

    ``None`` for an unknown or oversized token, an expired session, a disabled account.
    """
    if not token or len(token) > MAX_TOKEN:
        return None
    sessions = kind._columns()
    accounts: Any = kind.account.__table__.c  # type: ignore[attr-defined]
    found = session.execute(
        select(kind.row, kind.account)
        .join(kind.account, accounts.id == sessions[kind.account_key])
        .where(sessions.token_hash == token_hash(token))
    ).first()
    if found is None:
        return None
    row, account = found
    if row.expires_at <= now or not account.active:
        return None
    return row, account


def find_row(session: Session, kind: SessionKind[R, A], token: str) -> R | None:
    """The session row of this token, live or not (for signing out)."""
    return one_row(session, kind.row, kind._columns().token_hash == token_hash(token))


def purge_expired(session: Session, kind: SessionKind[R, A], now: datetime) -> int:
    """Delete this kind's expired sessions; returns how many."""
    result = session.execute(
        delete(kind.row)
        .where(kind._columns().expires_at <= now)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)
