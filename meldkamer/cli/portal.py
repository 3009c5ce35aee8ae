"""``meldkamer portal users``: accounts of clients' staff for the client portal (/portaal).

``add USERNAME --client ID --name NAME [--password-stdin]``, ``list [--client ID] [--json]``
and ``disable USERNAME``. The password is read from standard input or asked twice without
echo, never from an argument. Exit codes: 0 done, 1 unknown account or database error,
2 refused input (a bad name, an unknown client, a short password).
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from meldkamer.agents.accounts import AccountError
from meldkamer.cli.agents import EXIT_NOT_FOUND, EXIT_REFUSED, read_password
from meldkamer.cli.common import Refusal, database_error, database_session, run_change
from meldkamer.clients.store import newest_versions
from meldkamer.portal.accounts import UnknownPortalUser, create_user, list_users, set_active
from meldkamer.service.context import local_now


def register(groups: argparse._SubParsersAction[Any]) -> None:
    """Add the ``portal`` command group to the top-level sub-parsers ``groups``."""
    parser = groups.add_parser("portal", help="het klantportaal (/portaal)")
    group = parser.add_subparsers(dest="portal_group", metavar="GROUP", required=True)
    users = group.add_parser("users", help="accounts van medewerkers van opdrachtgevers")
    commands = users.add_subparsers(dest="portal_command", metavar="SUBCOMMAND", required=True)

    add = commands.add_parser("add", help="een portaalaccount aanmaken")
    add.add_argument("username", metavar="USERNAME", help="gebruikersnaam om mee in te loggen")
    add.add_argument("--client", required=True, metavar="ID", help="de opdrachtgever")
    add.add_argument("--name", required=True, help="naam van de medewerker")
    add.add_argument(
        "--password-stdin", action="store_true", help="wachtwoord lezen van standaardinvoer"
    )
    add.set_defaults(handler=run_add)

    listing = commands.add_parser("list", help="portaalaccounts tonen")
    listing.add_argument("--client", metavar="ID", help="alleen van deze opdrachtgever")
    listing.add_argument("--json", action="store_true", help="als JSON-lijst")
    listing.set_defaults(handler=run_list)

    disable = commands.add_parser("disable", help="een portaalaccount uitschakelen")
    disable.add_argument("username", metavar="USERNAME")
    disable.set_defaults(handler=run_disable)


def run_add(args: argparse.Namespace) -> int:
    """Create a portal account for a client's staff member."""

    def add(session: Session, password: str | None) -> str:
        known = {version.client_id for version in newest_versions(session)}
        user = create_user(
            session,
            username=args.username,
            display_name=args.name,
            client_id=args.client,
            password=password or "",
            clients=known,
            now=local_now(),
        )
        return (
            f"Portaalaccount aangemaakt: {user.username} ({user.display_name}) van {user.client_id}"
        )

    refused = Refusal(AccountError, "Niet aangemaakt: {error}", EXIT_REFUSED)
    return run_change(add, refused, ask=lambda: read_password(args.password_stdin))


def run_list(args: argparse.Namespace) -> int:
    """Show the portal accounts (of one client with ``--client``)."""
    try:
        with database_session() as session:
            rows = [
                {
                    "username": user.username,
                    "name": user.display_name,
                    "client": user.client_id,
                    "active": user.active,
                    "last_seen_at": user.last_seen_at.isoformat() if user.last_seen_at else None,
                }
                for user in list_users(session, args.client)
            ]
    except SQLAlchemyError as error:
        return database_error(error)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    for row in rows:
        state = "actief" if row["active"] else "uitgeschakeld"
        print(f"{row['username']:<24} {row['client']:<20} {state:<14} {row['name']}")
    if not rows:
        print("Geen portaalaccounts.")
    return 0


def run_disable(args: argparse.Namespace) -> int:
    """Disable a portal account; its open sessions end at once."""

    def disable(session: Session, _: str | None) -> str:
        return f"Portaalaccount {set_active(session, args.username, False).username} uitgeschakeld."

    unknown = Refusal(
        UnknownPortalUser,
        f"Geen portaalaccount met gebruikersnaam {args.username!r}.",
        EXIT_NOT_FOUND,
    )
    return run_change(disable, unknown)
