"""``meldkamer werkbon status``: an agent sets a step for a contractor who calls in.

``meldkamer werkbon status MK-2026-000123 onderweg --eta 30 --by "Sanne"`` applies the
step to the ticket's current work order through the same use case as the work-order
page and the SMS keywords, and records it with who and when.

Exit codes: 0 done (also when the order had this status already), 1 no such ticket or
work order, or a database error, 2 a malformed number or a step not allowed now.
"""

from __future__ import annotations

import argparse
import sys

from sqlalchemy.exc import SQLAlchemyError

from meldkamer.cli.common import command_group, database_error, local_time, positive, ticket_number
from meldkamer.composition import collaborators, database
from meldkamer.dispatch.lifecycle import STATUS_LABELS, STEPS, TransitionError
from meldkamer.service.workorder import NoWorkOrder, Request, Via, update_by_number

EXIT_NOT_FOUND = 1
EXIT_REFUSED = 2


def register(groups: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``werkbon`` command group to the top-level sub-parsers ``groups``."""
    commands = command_group(groups, "werkbon", "werkbonnen bijwerken")
    status = commands.add_parser(
        "status",
        help="de status van de werkbon van een ticket zetten (voor een aannemer die belt)",
        description="Stappen: "
        + "; ".join(f"{code} ({step.label}): {step.meaning}" for code, step in STEPS.items()),
    )
    status.add_argument("number", metavar="MK-JJJJ-NNNNNN", help="het ticketnummer")
    status.add_argument("status", choices=list(STATUS_LABELS), metavar="STATUS", help="de stap")
    status.add_argument(
        "--eta", type=positive(int, "geen geheel getal"), help="minuten tot aankomst (onderweg)"
    )
    status.add_argument("--note", help="verslag (gereed) of reden (niet_gelukt)")
    status.add_argument("--by", required=True, help="wie het invoert (uw naam)")
    status.set_defaults(handler=run_status)


def run_status(args: argparse.Namespace) -> int:
    """Apply the step; returns the exit code."""
    number = ticket_number(args.number)
    if number is None:
        return EXIT_REFUSED
    by = args.by.strip()
    if not by:
        print("--by mag niet leeg zijn: wie voert dit in?", file=sys.stderr)
        return EXIT_REFUSED
    request = Request(args.status, by=by, via=Via.CLI, eta_minutes=args.eta, note=args.note)
    try:
        with database() as opened:
            change = update_by_number(collaborators(opened.sessions), number, request)
    except NoWorkOrder as error:
        print(f"Niet gevonden: {error}.", file=sys.stderr)
        return EXIT_NOT_FOUND
    except TransitionError as error:
        print(f"Niet toegestaan: {error}.", file=sys.stderr)
        return EXIT_REFUSED
    except SQLAlchemyError as error:
        return database_error(error)
    label = STATUS_LABELS[change.order.status]
    if change.already:
        print(f"{number}: werkbon van {change.order.contractor_name} stond al op {label}.")
        return 0
    print(f"{number}: werkbon van {change.order.contractor_name} nu {label}.")
    if change.order.eta_at and change.order.status == "onderweg":
        print(f"  Verwachte aankomst: {local_time(change.order.eta_at)}")
    if change.escalation:
        print(f"  Escalatie: {change.escalation}")
    print(f"  Ticket: {change.ticket.status}")
    return 0
