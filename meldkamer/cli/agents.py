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
from typing import Any, TextIO

from sqlalchemy.exc import SQLAlchemyError

from meldkamer.agents.accounts import (
    AccountError,
    UnknownAgent,
    check_password_strength,
    create_agent,
    is_present,
    list_agents,
    set_password,
)
from meldkamer.agents.models import Role
from meldkamer.cli.common import database_error, database_session
from meldkamer.service.context import local_now

EXIT_NOT_FOUND = 1
EXIT_REFUSED = 2


def register(groups: argparse._SubParsersAction[Any]) -> None:
    """Add the ``agents`` command group to the top-level sub-parsers ``groups``."""
    parser = groups.add_parser("agents", help="accounts van medewerkers en supervisors")
    commands = parser.add_subparsers(dest="agents_command", metavar="SUBCOMMAND", required=True)

    add = commands.add_parser("add", help="een account aanmaken")
    add.add_argument("username", metavar="USERNAME", help="gebruikersnaam om mee in te loggen")
    add.add_argument("--name", required=True, help="naam zoals de huurder en collega's die zien")
    add.add_argument(
        "--role", choices=[role.value for role in Role], default=Role.AGENT.value, help="rol"
    )
    add.add_argument(
        "--password-stdin", action="store_true", help="wachtwoord lezen van standaardinvoer"
    )
    add.set_defaults(handler=run_add)

    passwd = commands.add_parser("passwd", help="een nieuw wachtwoord instellen")
    passwd.add_argument("username", metavar="USERNAME")
    passwd.add_argument(
        "--password-stdin", action="store_true", help="wachtwoord lezen van standaardinvoer"
    )
    passwd.set_defaults(handler=run_passwd)

    listing = commands.add_parser("list", help="alle accounts tonen")
    listing.add_argument("--json", action="store_true", help="als JSON-lijst")
    listing.set_defaults(handler=run_list)


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
    try:
        password = read_password(args.password_stdin)
        with database_session(transaction=True) as session:
            agent = create_agent(
                session,
                username=args.username,
                display_name=args.name,
                password=password,
                role=args.role,
                now=local_now(),
            )
            summary = f"{agent.username} ({agent.display_name}, {agent.role})"
    except AccountError as error:
        print(f"Niet aangemaakt: {error}", file=sys.stderr)
        return EXIT_REFUSED
    except SQLAlchemyError as error:
        return database_error(error)
    print(f"Account aangemaakt: {summary}")
    return 0


def run_passwd(args: argparse.Namespace) -> int:
    """Set a new password."""
    try:
        password = read_password(args.password_stdin)
        with database_session(transaction=True) as session:
            agent = set_password(session, args.username, password)
            username = agent.username
    except UnknownAgent:
        print(f"Geen account met gebruikersnaam {args.username!r}.", file=sys.stderr)
        return EXIT_NOT_FOUND
    except AccountError as error:
        print(f"Niet gewijzigd: {error}", file=sys.stderr)
        return EXIT_REFUSED
    except SQLAlchemyError as error:
        return database_error(error)
    print(f"Wachtwoord van {username} gewijzigd.")
    return 0


def run_list(args: argparse.Namespace) -> int:
    """Show every account with role, status and presence."""
    now = local_now()
    try:
        with database_session(transaction=True) as session:
            rows = [
                {
                    "username": agent.username,
                    "name": agent.display_name,
                    "role": agent.role,
                    "active": agent.active,
                    "present": is_present(agent, now),
                    "last_seen_at": agent.last_seen_at.isoformat() if agent.last_seen_at else None,
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
        print(f"{row['username']:<20} {row['name']:<30} {row['role']:<11} {state}")
    return 0
