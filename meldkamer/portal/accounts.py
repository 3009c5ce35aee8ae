"""Portal accounts of a client's staff: creating, listing, disabling, passwords, signing in.

Passwords, usernames and display names follow the console's accounts exactly: the same
scrypt hashing and the same rules, called from :mod:`meldkamer.agents.accounts`, not
copied. A portal account belongs to one client (opdrachtgever) that must exist.
Signing in answers only "this user" or ``None``, like the console's.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from meldkamer.agents.accounts import (
    AccountError,
    check_password_strength,
    check_sign_in,
    existing_account,
    find_account,
    hash_password,
    new_account,
    normalise_username,
)
from meldkamer.portal.models import PortalSession, PortalUser
from meldkamer.rows import added, rows_of

USERS = PortalUser.__table__.c

__all__ = [
    "AccountError",
    "UnknownPortalUser",
    "authenticate",
    "create_user",
    "find_user",
    "list_users",
    "set_active",
    "set_password",
]


class UnknownPortalUser(LookupError):
    """No portal account with this username."""


def find_user(session: Session, username: str) -> PortalUser | None:
    """The portal account with this username (any case), or ``None``."""
    return find_account(session, PortalUser, username)


def create_user(
    session: Session,
    *,
    username: str,
    display_name: str,
    client_id: str,
    password: str,
    clients: Collection[str],
    now: datetime,
) -> PortalUser:
    """Add a portal account for a client's staff member (the caller commits).

    ``clients`` holds the ids of the clients that exist; ``client_id`` must be one.

    Raises:
        AccountError: a bad username, name, password or client, or the username is taken.
    """
    name = normalise_username(username)
    if client_id not in clients:
        raise AccountError(f"opdrachtgever {client_id!r} bestaat niet")
    columns = new_account(session, PortalUser, name, display_name, password, now)
    return added(session, PortalUser(client_id=client_id, **columns))


def set_password(session: Session, username: str, password: str) -> PortalUser:
    """A new password; every open session of the account ends (the caller commits).

    Raises:
        UnknownPortalUser: no such account.
        AccountError: the password is too short or too long.
    """
    user = existing_account(session, PortalUser, username, UnknownPortalUser)
    check_password_strength(password)
    user.password_hash = hash_password(password)
    _end_sessions(session, user)
    session.flush()
    return user


def set_active(session: Session, username: str, active: bool) -> PortalUser:
    """Enable or disable an account; disabling ends its sessions at once (caller commits).

    Raises:
        UnknownPortalUser: no such account.
    """
    user = existing_account(session, PortalUser, username, UnknownPortalUser)
    user.active = active
    if not active:
        _end_sessions(session, user)
    session.flush()
    return user


def _end_sessions(session: Session, user: PortalUser) -> None:
    # A reset password or a disabled account must not leave a stolen session working.
    for row in rows_of(session, PortalSession, PortalSession.user_id == user.id):
        session.delete(row)


def authenticate(session: Session, username: str, password: str) -> PortalUser | None:
    """The active account these credentials belong to, or ``None`` (no reason given)."""
    return check_sign_in(session, find_user(session, username), password)


def list_users(session: Session, client_id: str | None = None) -> list[PortalUser]:
    """Every portal account (of one client when given), by client and username."""
    query = select(PortalUser).order_by(USERS.client_id, USERS.username)
    if client_id is not None:
        query = query.where(USERS.client_id == client_id)
    return list(session.execute(query).scalars())
