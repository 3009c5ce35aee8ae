"""Console sessions: :mod:`meldkamer.websessions` on the console's own table.

A session ends 12 hours after sign-in or at sign-out; signing in and out moves the
agent's presence for the handover queue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from meldkamer.agents.models import PRESENCE, Agent, ConsoleSession, Role
from meldkamer.agents.scope import AgentScope, scope_of
from meldkamer.websessions import SessionKind, find_live, find_row, open_session
from meldkamer.websessions import purge_expired as _purge

SESSION_LIFETIME = timedelta(hours=12)
CONSOLE = SessionKind(ConsoleSession, Agent, "agent_id", SESSION_LIFETIME)

SESSIONS = ConsoleSession.__table__.c
AGENTS = Agent.__table__.c


@dataclass(frozen=True)
class SignedIn:
    """Who a request belongs to: the session and its agent, detached from the database."""

    session_id: int
    token_hash: str
    csrf_token: str
    expires_at: datetime
    agent_id: int
    username: str
    display_name: str
    role: str
    #: The clients this agent sees (read at every request: a change applies at once).
    scope: AgentScope

    @property
    def is_supervisor(self) -> bool:
        """Supervisors see the beheer pages."""
        return self.role == Role.SUPERVISOR.value


def start_session(session: Session, agent: Agent, now: datetime) -> tuple[str, SignedIn]:
    """A new session for ``agent``; returns the cookie's token (shown once) and the session."""
    token, row = open_session(session, CONSOLE, agent, now)
    return token, _signed_in(session, row, agent)


def resolve(session: Session, token: str, now: datetime) -> SignedIn | None:
    """The live session of this token, or ``None`` (unknown, expired, or account disabled)."""
    found = find_live(session, CONSOLE, token, now)
    if found is None:
        return None
    return _signed_in(session, *found)


def touch(session: Session, agent_id: int, now: datetime) -> None:
    """Record that the agent is at the console (presence for the handover queue)."""
    session.execute(
        update(Agent)
        .where(AGENTS.id == agent_id)
        .values(last_seen_at=now)
        .execution_options(synchronize_session=False)
    )


def end_session(session: Session, token: str, now: datetime | None = None) -> None:
    """Sign out: the session row is deleted, the token is worthless from now on.

    With ``now``, an agent who has no other live session stops counting as present at
    once: otherwise the bot would go on promising "a colleague" for the presence window
    after the last agent went home.
    """
    row = find_row(session, CONSOLE, token)
    if row is None:
        return
    agent_id = row.agent_id
    session.delete(row)
    session.flush()
    if now is None:
        return
    others = session.execute(
        select(SESSIONS.id).where(SESSIONS.agent_id == agent_id, SESSIONS.expires_at > now)
    ).first()
    if others is None:
        # Just outside the window: "last seen" stays roughly right, presence ends now.
        session.execute(
            update(Agent)
            .where(AGENTS.id == agent_id, AGENTS.last_seen_at > now - PRESENCE)
            .values(last_seen_at=now - PRESENCE - timedelta(seconds=1))
            .execution_options(synchronize_session=False)
        )


def purge_expired(session: Session, now: datetime) -> int:
    """Delete expired sessions; returns how many."""
    return _purge(session, CONSOLE, now)


def _signed_in(session: Session, row: ConsoleSession, agent: Agent) -> SignedIn:
    return SignedIn(
        session_id=row.id,
        token_hash=row.token_hash,
        csrf_token=row.csrf_token,
        expires_at=row.expires_at,
        agent_id=agent.id,
        username=agent.username,
        display_name=agent.display_name,
        role=agent.role,
        scope=scope_of(session, agent.id),
    )
