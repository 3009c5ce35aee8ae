"""``meldkamer agents``: accounts of the console's agents and supervisors.

Passwords are read from standard input (``--password-stdin``, for scripts) or asked
twice without echo; never from an argument, where the shell history and ``ps`` would
show them. Exit codes: 0 done, 1 unknown account or database error, 2 refused input.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections.abc import Callable
from typing import Any, TextIO

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from meldkamer.agents.accounts import (
    AccountError,
    UnknownAgent,
    check_password_strength,
    create_agent,
    find_agent,
    is_present,
    list_agents,
    set_active,
    set_password,
)
from meldkamer.agents.models import Agent, Role
from meldkamer.agents.scope import ALL_CLIENTS, AgentScope, scopes, set_scope
from meldkamer.cli.common import (
    Refusal,
    command_group,
    database_error,
    database_session,
    run_change,
)
from meldkamer.clients.store import newest_versions
from meldkamer.service.context import local_now

EXIT_NOT_FOUND = 1
EXIT_REFUSED = 2


def register(groups: argparse._SubParsersAction[Any]) -> None:
    """Add the ``agents`` command group to the top-level sub-parsers ``groups``."""
    commands = command_group(groups, "agents", "accounts van medewerkers en supervisors")

    add = commands.add_parser("add", help="een account aanmaken")
    add.add_argument("username", metavar="USERNAME", help="gebruikersnaam om mee in te loggen")
    add.add_argument("--name", required=True, help="naam zoals de huurder en collega's die zien")
    add.add_argument(
        "--role", choices=[role.value for role in Role], default=Role.AGENT.value, help="rol"
    )
    add.add_argument(
        "--password-stdin", action="store_true", help="wachtwoord lezen van standaardinvoer"
    )
    _scope_arguments(add, required=False)
    add.set_defaults(handler=run_add)

    update = commands.add_parser("update", help="de opdrachtgevers van een account instellen")
    update.add_argument("username", metavar="USERNAME")
    _scope_arguments(update, required=True)
    update.set_defaults(handler=run_update)

    passwd = commands.add_parser("passwd", help="een nieuw wachtwoord instellen")
    passwd.add_argument("username", metavar="USERNAME")
    passwd.add_argument(
        "--password-stdin", action="store_true", help="wachtwoord lezen van standaardinvoer"
    )
    passwd.set_defaults(handler=run_passwd)

    for command, active, text in (
        ("disable", False, "een account uitschakelen (kan niet meer inloggen)"),
        ("enable", True, "een uitgeschakeld account weer inschakelen"),
    ):
        toggle = commands.add_parser(command, help=text)
        toggle.add_argument("username", metavar="USERNAME")
        toggle.set_defaults(handler=run_set_active, active=active)

    listing = commands.add_parser("list", help="alle accounts tonen")
    listing.add_argument("--json", action="store_true", help="als JSON-lijst")
    listing.set_defaults(handler=run_list)


def _scope_arguments(parser: argparse.ArgumentParser, *, required: bool) -> None:
    scope = parser.add_mutually_exclusive_group(required=required)
    scope.add_argument(
        "--client",
        action="append",
        dest="clients",
        metavar="ID",
        help="alleen deze opdrachtgever (herhaalbaar); zonder: alle opdrachtgevers",
    )
    scope.add_argument(
        "--all-clients", action="store_true", help="alle opdrachtgevers (de standaard)"
    )


def _apply_scope(session: Session, agent: Agent, clients: list[str] | None) -> AgentScope:
    """Limit the account to ``clients`` (ids of applied clients), or make it unlimited."""
    known = {version.client_id for version in newest_versions(session)}
    return set_scope(session, agent, clients, known=known)


def read_password(from_stdin: bool, stdin: TextIO | None = None) -> str:
    """The new password: the first line of standard input, or typed twice without echo.

    Raises:
        AccountError: too short, or the two entries differ.
    """
    if from_stdin:
        line = (stdin or sys.stdin).readline()
        password = line.removesuffix("\n").removesuffix("\r")
    else:
        password = getpass.getpass("Wachtwoord: ")
        check_password_strength(password)
        if getpass.getpass("Nogmaals: ") != password:
            raise AccountError("de twee wachtwoorden zijn niet gelijk")
    check_password_strength(password)
    return password


def run_add(args: argparse.Namespace) -> int:
    """Create an account."""

    def add(session: Session, password: str | None) -> str:
        agent = create_agent(
            session,
            username=args.username,
            display_name=args.name,
            password=password or "",
            role=args.role,
            now=local_now(),
        )
        scope = _apply_scope(session, agent, args.clients)
        return (
            f"Account aangemaakt: {agent.username} ({agent.display_name}, {agent.role}), "
            f"ziet: {scope.describe()}"
        )

    refused = Refusal(AccountError, "Niet aangemaakt: {error}", EXIT_REFUSED)
    return run_change(add, refused, ask=lambda: read_password(args.password_stdin))


def _change(
    username: str,
    change: Callable[[Session, str | None], str],
    ask: Callable[[], str | None] = lambda: None,
) -> int:
    """Run one change to an existing account: unknown and refused are told apart."""
    unknown = Refusal(
        UnknownAgent, f"Geen account met gebruikersnaam {username!r}.", EXIT_NOT_FOUND
    )
    refused = Refusal(AccountError, "Niet gewijzigd: {error}", EXIT_REFUSED)
    return run_change(change, unknown, refused, ask=ask)


def run_update(args: argparse.Namespace) -> int:
    """Set the clients an account works for (``--client``) or make it unlimited."""

    def update(session: Session, _: str | None) -> str:
        agent = find_agent(session, args.username)
        if agent is None:
            raise UnknownAgent(args.username)
        scope = _apply_scope(session, agent, None if args.all_clients else args.clients)
        return f"{agent.username} ziet nu: {scope.describe()}."

    return _change(args.username, update)


def run_passwd(args: argparse.Namespace) -> int:
    """Set a new password."""

    def passwd(session: Session, password: str | None) -> str:
        agent = set_password(session, args.username, password or "")
        return f"Wachtwoord van {agent.username} gewijzigd."

    return _change(args.username, passwd, ask=lambda: read_password(args.password_stdin))


def run_set_active(args: argparse.Namespace) -> int:
    """Disable an account (its open sessions end at their next request) or enable it."""

    def toggle(session: Session, _: str | None) -> str:
        agent = set_active(session, args.username, args.active)
        return f"{agent.username} is {'ingeschakeld' if agent.active else 'uitgeschakeld'}."

    return _change(args.username, toggle)


def run_list(args: argparse.Namespace) -> int:
    """Show every account with role, status and presence."""
    now = local_now()
    try:
        with database_session(transaction=True) as session:
            limited = scopes(session)
            rows: list[dict[str, Any]] = [
                {
                    "username": agent.username,
                    "name": agent.display_name,
                    "role": agent.role,
                    "active": agent.active,
                    "present": is_present(agent, now),
                    "last_seen_at": agent.last_seen_at.isoformat() if agent.last_seen_at else None,
                    "clients": _client_list(limited.get(agent.id)),
                }
                for agent in list_agents(session)
            ]
    except SQLAlchemyError as error:
        return database_error(error)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    if not rows:
        print("Nog geen accounts. Maak er een met: meldkamer agents add USERNAME --name NAAM")
        return 0
    for row in rows:
        state = "aanwezig" if row["present"] else ("actief" if row["active"] else "uitgeschakeld")
        clients = ", ".join(row["clients"]) if row["clients"] else ALL_CLIENTS
        print(f"{row['username']:<20} {row['name']:<30} {row['role']:<11} {state:<14} {clients}")
    return 0


def _client_list(scope: AgentScope | None) -> list[str] | None:
    """The ids an account is limited to, sorted; ``None`` for an unlimited account."""
    return sorted(scope.clients) if scope is not None and scope.clients is not None else None
