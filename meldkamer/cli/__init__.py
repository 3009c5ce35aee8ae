"""The ``meldkamer`` command: one sub-command group per module in this package."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from meldkamer import logformat, logmask
from meldkamer.cli import (
    agents,
    clients,
    db,
    portal,
    privacy,
    reports,
    tickets,
    triage,
    werkbon,
    worker,
)


def build_parser() -> argparse.ArgumentParser:
    """Return the parser with every sub-command group registered."""
    parser = argparse.ArgumentParser(
        prog="meldkamer",
        description="Meldkamer: intake and dispatch for 24/7 property-maintenance emergencies.",
    )
    groups = parser.add_subparsers(dest="group", metavar="COMMAND", required=True)
    for module in (triage, tickets, werkbon, db, worker, clients, agents, privacy, reports, portal):
        module.register(groups)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit code."""
    logmask.install()  # before any sub-command sets up logging: it masks new records
    logformat.install()  # JSON if MELDKAMER_LOG_FORMAT=json (the worker applies it again)
    parser = build_parser()
    args = parser.parse_args(argv)
    code: int = args.handler(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
