"""``meldkamer reports monthly``: a client's monthly report as PDF, CSV and JSON in a folder.

Exit codes: 0 written, 1 database error, 2 bad arguments (unknown client, a month not
``YYYY-MM``, a folder that cannot be written).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from meldkamer.cli.common import database_error
from meldkamer.composition import collaborators, database
from meldkamer.reports import Month
from meldkamer.service.monthly_report import ReportError, write_monthly_report


def _month(text: str) -> Month:
    try:
        return Month.parse(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def register(groups: argparse._SubParsersAction[Any]) -> None:
    """Add the ``reports`` command group to the top-level sub-parsers ``groups``."""
    parser = groups.add_parser(
        "reports",
        help="rapportages voor opdrachtgevers",
        description="Rapportages voor opdrachtgevers (docs/REPORTS.md).",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    monthly = commands.add_parser(
        "monthly",
        help="de maandrapportage van een opdrachtgever (PDF, CSV, JSON)",
        description=(
            "Schrijft DIR/<opdrachtgever>-<maand>.pdf, .csv en .json uit de geregistreerde "
            "gegevens (tijden in Europe/Amsterdam)."
        ),
    )
    monthly.add_argument("--client", required=True, metavar="ID", help="de opdrachtgever (id)")
    monthly.add_argument(
        "--month", required=True, type=_month, metavar="YYYY-MM", help="de maand, bv. 2026-10"
    )
    monthly.add_argument("--out", required=True, type=Path, metavar="DIR", help="de doelmap")
    monthly.set_defaults(handler=run_monthly)


def run_monthly(args: argparse.Namespace) -> int:
    """Write the report; returns the exit code."""
    try:
        with database() as opened:
            ctx = collaborators(opened.sessions)
            paths = write_monthly_report(ctx, args.client, args.month, args.out)
    except ReportError as error:
        print(f"Fout: {error}", file=sys.stderr)
        return 2
    except SQLAlchemyError as error:
        return database_error(error)
    for path in paths:
        print(path)
    return 0
