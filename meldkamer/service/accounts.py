"""Account management in the console: add, disable or enable, new password, clients.

The same functions of :mod:`meldkamer.agents.accounts` and :mod:`meldkamer.agents.scope`
as the command line (``meldkamer agents``), so the rules are the same: usernames,
password strength, known clients. A password is never chosen by the supervisor: a
random one is made, returned once for the page to show, and stored only as its hash.
Hashing costs about a tenth of a second on purpose; the console runs these use cases
on its password pool, off the event loop.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from meldkamer.agents.accounts import (
    AccountError,
    UnknownAgent,
    create_agent,
    find_agent,
    is_present,
    list_agents,
    set_active,
    set_password,
)
from meldkamer.agents.scope import UNLIMITED, AgentScope, scopes, set_scope
from meldkamer.service.context import Collaborators

#: No 0/o, 1/l/i: the password is read from a screen and typed over.
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_GROUPS = 4
_GROUP_LENGTH = 4


@dataclass(frozen=True)
class AccountRow:
    """One account as the overview shows it."""

    username: str
    display_name: str
    role: str
    active: bool
    present: bool
    last_seen_at: datetime | None
    scope: AgentScope


@dataclass(frozen=True)
class Issued:
    """A new password for an account: shown once, never stored in clear."""

    username: str
    display_name: str
    password: str


def new_password() -> str:
    """A random password of four groups (``abcd-efgh-jkmn-pqrs``, about 79 bits)."""
    groups = (
        "".join(secrets.choice(_ALPHABET) for _ in range(_GROUP_LENGTH)) for _ in range(_GROUPS)
    )
    return "-".join(groups)


def client_names(ctx: Collaborators) -> dict[str, str]:
    """The clients in force: name by id, sorted by name (the choices of a scope)."""
    clients = sorted(ctx.registry(), key=lambda client: client.name.lower())
    return {client.id: client.name for client in clients}


def account_overview(ctx: Collaborators) -> list[AccountRow]:
    """Every account by username, with presence and the clients it sees."""
    now = ctx.clock()
    with ctx.sessions() as session:
        limited = scopes(session)
        return [
            AccountRow(
                username=agent.username,
                display_name=agent.display_name,
                role=agent.role,
                active=agent.active,
                present=is_present(agent, now),
                last_seen_at=agent.last_seen_at,
                scope=limited.get(agent.id, UNLIMITED),
            )
            for agent in list_agents(session)
        ]


def add_account(
    ctx: Collaborators,
    *,
    username: str,
    display_name: str,
    role: str,
    clients: list[str] | None,
) -> Issued:
    """Create an account with a new password, limited to ``clients`` (``None``: all).

    Raises:
        AccountError: a bad or taken username, a bad name or role, an unknown client.
    """
    password = new_password()
    known = ctx.registry().ids()
    with ctx.sessions.begin() as session:
        agent = create_agent(
            session,
            username=username,
            display_name=display_name,
            password=password,
            role=role,
            now=ctx.clock(),
        )
        set_scope(session, agent, clients, known=known)
        return Issued(agent.username, agent.display_name, password)


def reset_password(ctx: Collaborators, username: str) -> Issued:
    """Give an account a new random password; the old one stops working at once.

    Raises:
        UnknownAgent: no such account.
    """
    password = new_password()
    with ctx.sessions.begin() as session:
        agent = set_password(session, username, password)
        return Issued(agent.username, agent.display_name, password)


def set_account_active(ctx: Collaborators, username: str, active: bool, *, by: str) -> str:
    """Enable or disable an account; returns its display name.

    Raises:
        UnknownAgent: no such account.
        AccountError: ``by`` disables their own account (nobody locks themselves out, so
            the last supervisor always stays).
    """
    with ctx.sessions.begin() as session:
        agent = find_agent(session, username)
        if agent is None:
            raise UnknownAgent(username)
        if not active and agent.username == by:
            raise AccountError("uw eigen account kunt u niet uitschakelen")
        return set_active(session, agent.username, active).display_name


def set_account_clients(ctx: Collaborators, username: str, clients: list[str] | None) -> AgentScope:
    """Limit an account to ``clients``, or make it see every client with ``None``.

    Raises:
        UnknownAgent: no such account.
        AccountError: no client chosen, or an unknown one.
    """
    known = ctx.registry().ids()
    with ctx.sessions.begin() as session:
        agent = find_agent(session, username)
        if agent is None:
            raise UnknownAgent(username)
        return set_scope(session, agent, clients, known=known)
