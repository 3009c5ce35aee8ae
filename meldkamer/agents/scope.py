"""Which clients (opdrachtgevers) an account works for: all of them, or a fixed set.

An account is unlimited unless it has rows in ``medewerker_opdrachtgevers``; a
supervisor too, unless limited explicitly. A limited account sees only queue items,
conversations, tickets, photos and work orders of its clients. Anything without a
known client is for unlimited accounts only: it may turn out to be any client's.

:class:`AgentScope` is the one check: :meth:`AgentScope.allows` for a loaded row,
:meth:`AgentScope.where` for a query, and :func:`serving` for the other direction
(which accounts can pick up a given client's conversation).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, delete, exists, false, or_, select, true
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from meldkamer.agents.accounts import AccountError
from meldkamer.agents.models import Agent, AgentClient

AGENTS = Agent.__table__.c
AGENT_CLIENTS = AgentClient.__table__.c
#: How the command line and the console say "unlimited".
ALL_CLIENTS = "alle opdrachtgevers"


@dataclass(frozen=True)
class AgentScope:
    """The clients an account sees; ``clients=None`` means every client."""

    clients: frozenset[str] | None = None

    @property
    def limited(self) -> bool:
        """Whether the account sees only some clients."""
        return self.clients is not None

    def allows(self, client_id: str | None) -> bool:
        """Whether a row of this client may be shown (``None``: client not known)."""
        if self.clients is None:
            return True
        return client_id is not None and client_id in self.clients

    def where(self, column: ColumnElement[Any]) -> ColumnElement[bool]:
        """A SQL condition on a ``client_id`` column: only rows this account may see."""
        if self.clients is None:
            return true()
        if not self.clients:
            return false()
        # A NULL client never matches IN, which is what allows() says too.
        return column.in_(sorted(self.clients))

    def describe(self) -> str:
        """For people: ``alle opdrachtgevers`` or the ids, sorted."""
        return ALL_CLIENTS if self.clients is None else ", ".join(sorted(self.clients))


UNLIMITED = AgentScope()


def scope_of(session: Session, agent_id: int) -> AgentScope:
    """The scope of one account (unlimited without rows)."""
    rows = session.execute(
        select(AGENT_CLIENTS.client_id).where(AGENT_CLIENTS.agent_id == agent_id)
    ).scalars()
    found = frozenset(rows)
    return AgentScope(found) if found else UNLIMITED


def scopes(session: Session) -> dict[int, AgentScope]:
    """The scope of every limited account, by agent id (others are unlimited)."""
    limited: dict[int, set[str]] = {}
    for agent_id, client_id in session.execute(
        select(AGENT_CLIENTS.agent_id, AGENT_CLIENTS.client_id)
    ):
        limited.setdefault(agent_id, set()).add(client_id)
    return {agent_id: AgentScope(frozenset(ids)) for agent_id, ids in limited.items()}


def set_scope(
    session: Session, agent: Agent, clients: Iterable[str] | None, *, known: Collection[str]
) -> AgentScope:
    """Limit ``agent`` to ``clients``, or make it unlimited with ``None`` (caller commits).

    Raises:
        AccountError: an empty list, or an id that is not among the ``known`` clients.
    """
    wanted: frozenset[str] | None = None
    if clients is not None:
        wanted = frozenset(client.strip() for client in clients)
        if not wanted:
            raise AccountError("geef minstens één opdrachtgever, of kies alle opdrachtgevers")
        unknown = sorted(wanted - set(known))
        if unknown:
            raise AccountError(f"onbekende opdrachtgever: {', '.join(unknown)}")
    session.execute(
        delete(AgentClient)
        .where(AGENT_CLIENTS.agent_id == agent.id)
        .execution_options(synchronize_session=False)
    )
    for client_id in sorted(wanted or ()):
        session.add(AgentClient(agent_id=agent.id, client_id=client_id))
    session.flush()
    return AgentScope(wanted) if wanted else UNLIMITED


def serving(client_id: str | None) -> ColumnElement[bool]:
    """A SQL condition on accounts: those who can see a conversation of ``client_id``.

    Unlimited accounts always; limited ones only for one of their clients. The bot uses
    it to promise a colleague only when one who may take the conversation is present.
    """
    limited = exists().where(AGENT_CLIENTS.agent_id == AGENTS.id)
    if client_id is None:
        return ~limited
    own = exists().where(
        and_(AGENT_CLIENTS.agent_id == AGENTS.id, AGENT_CLIENTS.client_id == client_id)
    )
    return or_(~limited, own)
