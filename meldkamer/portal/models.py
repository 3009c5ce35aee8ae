"""Tables of the client portal: accounts of a client's staff, their sessions, change requests.

A portal account belongs to exactly one client (opdrachtgever); every read of the portal
is filtered on that client id, so the column is required and indexed.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, Column, ForeignKey, Integer, String, Text

from meldkamer.db import Base, UTCDateTime


class RequestState(str, enum.Enum):
    """Where a change request stands (labels for people in the portal's texts)."""

    SUBMITTED = "submitted"
    APPLIED = "applied"
    REJECTED = "rejected"


class PortalUser(Base):
    """A member of a client's staff. Passwords are stored only as salted scrypt hashes."""

    __tablename__ = "portaal_gebruikers"

    id: int = Column(Integer, primary_key=True)
    username: str = Column(String(100), nullable=False, unique=True)
    display_name: str = Column(String(100), nullable=False)
    client_id: str = Column(String(64), nullable=False, index=True)
    password_hash: str = Column(String(300), nullable=False)
    active: bool = Column(Boolean, nullable=False, default=True)
    created_at: datetime = Column(UTCDateTime(), nullable=False)
    last_seen_at: datetime | None = Column(UTCDateTime(), nullable=True)


class PortalSession(Base):
    """A signed-in portal session; the cookie holds the token, the table its hash."""

    __tablename__ = "portaal_sessies"

    id: int = Column(Integer, primary_key=True)
    token_hash: str = Column(String(64), nullable=False, unique=True)
    user_id: int = Column(
        Integer,
        ForeignKey("portaal_gebruikers.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    )
    csrf_token: str = Column(String(64), nullable=False)
    created_at: datetime = Column(UTCDateTime(), nullable=False)
    expires_at: datetime = Column(UTCDateTime(), nullable=False, index=True)


class ChangeRequest(Base):
    """A client's proposed change to one part of its client file, and its review.

    ``source`` is the whole client file as it would be applied (the part merged into the
    version in force at submission, ``base_version``); ``diff`` is what the client saw.
    """

    __tablename__ = "wijzigingsverzoeken"

    id: int = Column(Integer, primary_key=True)
    client_id: str = Column(String(64), nullable=False, index=True)
    part: str = Column(String(40), nullable=False)
    #: The part as the client wrote it (YAML text).
    submitted: str = Column(Text, nullable=False)
    source: str = Column(Text, nullable=False)
    diff: str = Column(Text, nullable=False)
    base_version: int | None = Column(Integer, nullable=True)
    explanation: str | None = Column(Text, nullable=True)
    state: str = Column(String(20), nullable=False, index=True)
    submitted_by: str = Column(String(100), nullable=False)
    submitted_at: datetime = Column(UTCDateTime(), nullable=False)
    reviewed_by: str | None = Column(String(100), nullable=True)
    reviewed_at: datetime | None = Column(UTCDateTime(), nullable=True)
    review_note: str | None = Column(Text, nullable=True)
    applied_version: int | None = Column(Integer, nullable=True)
