"""Accounts of agents and supervisors, and their console sessions."""

from __future__ import annotations

import enum
from datetime import datetime, timedelta

from sqlalchemy import Boolean, Column, ForeignKey, Integer, String

from meldkamer.db import Base, UTCDateTime
from meldkamer.labels import LabelTable

#: An agent heard from within this time counts as present.
PRESENCE = timedelta(minutes=2)


class Role(str, enum.Enum):
    """What a person may do in the console."""

    AGENT = "agent"
    SUPERVISOR = "supervisor"


#: How pages name the roles.
ROLE_LABELS: LabelTable[Role] = LabelTable(
    Role, {Role.AGENT: "medewerker", Role.SUPERVISOR: "supervisor"}
)


class Agent(Base):
    """A person of the meldkamer. Passwords are stored only as salted scrypt hashes.

    Attributes:
        last_seen_at: the last moment the console heard from this agent; agents seen in
            the last minutes count as available for a handover.
    """

    __tablename__ = "medewerkers"

    id: int = Column(Integer, primary_key=True)
    username: str = Column(String(100), nullable=False, unique=True)
    display_name: str = Column(String(100), nullable=False)
    password_hash: str = Column(String(300), nullable=False)
    role: str = Column(String(20), nullable=False, default=Role.AGENT.value)
    active: bool = Column(Boolean, nullable=False, default=True)
    created_at: datetime = Column(UTCDateTime(), nullable=False)
    last_seen_at: datetime | None = Column(UTCDateTime(), nullable=True)


class AgentClient(Base):
    """One client (opdrachtgever) a limited account works for.

    An account without rows here is unlimited and sees every client; with rows it sees
    only these (see :mod:`meldkamer.agents.scope`).
    """

    __tablename__ = "medewerker_opdrachtgevers"

    agent_id: int = Column(
        Integer, ForeignKey("medewerkers.id", ondelete="CASCADE"), primary_key=True
    )
    client_id: str = Column(String(64), primary_key=True)


class ConsoleSession(Base):
    """A signed-in console session; the cookie holds the token, the table its hash."""

    __tablename__ = "console_sessies"

    id: int = Column(Integer, primary_key=True)
    token_hash: str = Column(String(64), nullable=False, unique=True)
    agent_id: int = Column(
        Integer, ForeignKey("medewerkers.id", ondelete="CASCADE"), nullable=False, index=True
    )
    csrf_token: str = Column(String(64), nullable=False)
    created_at: datetime = Column(UTCDateTime(), nullable=False)
    expires_at: datetime = Column(UTCDateTime(), nullable=False, index=True)
