"""Portal sessions: a random token in the browser's cookie, only its hash in the table.

The hash is the console's (:func:`meldkamer.agents.sessions.token_hash`); the table is
the portal's own, so a console session never opens the portal and a portal session
never opens the console. A session ends 8 hours after sign-in or at sign-out.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from meldkamer.agents.sessions import token_hash
from meldkamer.portal.models import PortalSession, PortalUser

SESSION_LIFETIME = timedelta(hours=8)
_MAX_TOKEN = 200

SESSIONS = PortalSession.__table__.c
USERS = PortalUser.__table__.c


@dataclass(frozen=True)
class PortalSignedIn:
    """Who a portal request belongs to, detached from the database."""

    session_id: int
    csrf_token: str
    expires_at: datetime
    user_id: int
    username: str
    display_name: str
    #: The only client whose data this request may read.
    client_id: str


def start_session(session: Session, user: PortalUser, now: datetime) -> tuple[str, PortalSignedIn]:
    """A new session for ``user``; returns the cookie's token (shown once) and the session."""
    token = secrets.token_urlsafe(32)
    row = PortalSession(
        token_hash=token_hash(token),
        user_id=user.id,
        csrf_token=secrets.token_urlsafe(32),
        created_at=now,
        expires_at=now + SESSION_LIFETIME,
    )
    session.add(row)
    user.last_seen_at = now
    session.flush()
    return token, _signed_in(row, user)


def resolve(session: Session, token: str, now: datetime) -> PortalSignedIn | None:
    """The live session of this token, or ``None`` (unknown, expired, account disabled)."""
    if not token or len(token) > _MAX_TOKEN:
        return None
    found = session.execute(
        select(PortalSession, PortalUser)
        .join(PortalUser, USERS.id == SESSIONS.user_id)
        .where(SESSIONS.token_hash == token_hash(token))
    ).first()
    if found is None:
        return None
    row, user = found
    if row.expires_at <= now or not user.active:
        return None
    session.execute(
        update(PortalUser)
        .where(USERS.id == user.id)
        .values(last_seen_at=now)
        .execution_options(synchronize_session=False)
    )
    return _signed_in(row, user)


def end_session(session: Session, token: str) -> None:
    """Sign out: the session row is deleted, the token is worthless from now on."""
    session.execute(
        delete(PortalSession)
        .where(SESSIONS.token_hash == token_hash(token))
        .execution_options(synchronize_session=False)
    )


def purge_expired(session: Session, now: datetime) -> int:
    """Delete expired portal sessions; returns how many."""
    result = session.execute(
        delete(PortalSession)
        .where(SESSIONS.expires_at <= now)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)


def _signed_in(row: PortalSession, user: PortalUser) -> PortalSignedIn:
    return PortalSignedIn(
        session_id=row.id,
        csrf_token=row.csrf_token,
        expires_at=row.expires_at,
        user_id=user.id,
        username=user.username,
        display_name=user.display_name,
        client_id=user.client_id,
    )
