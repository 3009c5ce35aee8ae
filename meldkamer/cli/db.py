"""``meldkamer db``: maintenance of the Meldkamer database."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from meldkamer.cli.common import command_group
from meldkamer.db import database_url, safe_url, upgrade


def register(groups: argparse._SubParsersAction[Any]) -> None:
    """Add the ``db`` command group to the top-level sub-parsers ``groups``."""
    commands = command_group(groups, "db", "database beheren")
    upgrade_parser = commands.add_parser(
        "upgrade",
        help="database bijwerken naar het nieuwste schema",
        description="Voert de migraties uit op de database uit DATABASE_URL "
        "(standaard var/meldkamer.db).",
    )
    upgrade_parser.set_defaults(handler=run_upgrade)


def run_upgrade(args: argparse.Namespace) -> int:
    """Run the migrations on the configured database; returns the exit code."""
    url = database_url()
    print(f"Database: {safe_url(url)}")
    try:
        upgrade(url)
    except SQLAlchemyError as error:
        print(f"Bijwerken mislukt: {error}", file=sys.stderr)
        return 1
    print("Schema bijgewerkt tot de nieuwste versie.")
    return 0
