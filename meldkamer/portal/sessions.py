"""Portal sessions: :mod:`meldkamer.websessions` on the portal's own table.

The table is the portal's own, so a console session never opens the portal and a portal
session never opens the console. A session ends 8 hours after sign-in or at sign-out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session

from meldkamer.portal.models import PortalSession, PortalUser
from meldkamer.websessions import SessionKind, find_live, find_row, open_session
from meldkamer.websessions import purge_expired as _purge

SESSION_LIFETIME = timedelta(hours=8)
PORTAL = SessionKind(PortalSession, PortalUser, "user_id", SESSION_LIFETIME)

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
    token, row = open_session(session, PORTAL, user, now)
    return token, _signed_in(row, user)


def resolve(session: Session, token: str, now: datetime) -> PortalSignedIn | None:
    """The live session of this token, or ``None`` (unknown, expired, account disabled)."""
    found = find_live(session, PORTAL, token, now)
    if found is None:
        return None
    row, user = found
    session.execute(
        update(PortalUser)
        .where(USERS.id == user.id)
        .values(last_seen_at=now)
        .execution_options(synchronize_session=False)
    )
    return _signed_in(row, user)


def end_session(session: Session, token: str) -> None:
    """Sign out: the session row is deleted, the token is worthless from now on."""
    row = find_row(session, PORTAL, token)
    if row is not None:
        session.delete(row)
        session.flush()


def purge_expired(session: Session, now: datetime) -> int:
    """Delete expired portal sessions; returns how many."""
    return _purge(session, PORTAL, now)


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
