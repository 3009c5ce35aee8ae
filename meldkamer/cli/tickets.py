"""``meldkamer tickets``: look up tickets from the command line.

Exit codes: 0 done, 1 ticket not found or database error, 2 malformed ticket number.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from meldkamer.cli.common import (
    command_group,
    database_error,
    database_session,
    local_time,
    positive,
    ticket_number,
)
from meldkamer.dispatch.lifecycle import STATUS_LABELS, VIA_LABELS
from meldkamer.dossier import dossier
from meldkamer.tickets.models import Ticket, TicketStatus
from meldkamer.tickets.store import get_ticket, list_tickets, ticket_to_dict

EXIT_NOT_FOUND = 1
EXIT_MALFORMED = 2


def register(groups: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``tickets`` command group to the top-level sub-parsers ``groups``."""
    commands = command_group(groups, "tickets", "tickets bekijken")

    list_parser = commands.add_parser("list", help="de nieuwste tickets tonen")
    list_parser.add_argument(
        "--status", choices=[status.value for status in TicketStatus], help="alleen deze status"
    )
    list_parser.add_argument(
        "--limit",
        type=positive(int, "geen geheel getal"),
        default=50,
        help="hoeveel tickets (standaard 50)",
    )
    list_parser.add_argument("--json", action="store_true", help="als JSON-lijst")
    list_parser.set_defaults(handler=run_list)

    show_parser = commands.add_parser("show", help="één ticket tonen")
    show_parser.add_argument("number", metavar="MK-JJJJ-NNNNNN", help="het ticketnummer")
    show_parser.add_argument("--json", action="store_true", help="als JSON")
    show_parser.set_defaults(handler=run_show)


def _address(ticket: Ticket) -> str:
    toevoeging = ticket.huisnummer_toevoeging or ""
    separator = "-" if toevoeging[:1].isdigit() else ""
    return f"{ticket.postcode} {ticket.huisnummer}{separator}{toevoeging}"


def _table(tickets: list[Ticket]) -> str:
    header = ("NUMMER", "AANGEMAAKT", "ONDERWERP", "URGENTIE", "STATUS", "ADRES")
    rows = [header] + [
        (t.number, local_time(t.created_at), t.topic, t.urgency, t.status, _address(t))
        for t in tickets
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )


def run_list(args: argparse.Namespace) -> int:
    """Print the newest tickets as a table or JSON; returns the exit code."""
    try:
        # Everything shown is loaded here; the objects stay readable after the session.
        with database_session() as session:
            tickets = list_tickets(session, status=args.status, limit=args.limit)
    except SQLAlchemyError as error:
        return database_error(error)
    if args.json:
        print(json.dumps([ticket_to_dict(t) for t in tickets], ensure_ascii=False, indent=2))
    else:
        print(_table(tickets) if tickets else "Geen tickets gevonden.")
    return 0


def _yes_no(value: bool) -> str:
    return "ja" if value else "nee"


def _describe(ticket: Ticket, extra: dict[str, Any]) -> str:
    lines = [
        f"Ticket {ticket.number}",
        f"  Status:             {ticket.status}",
        f"  Aangemaakt:         {local_time(ticket.created_at)}",
        f"  Bijgewerkt:         {local_time(ticket.updated_at)}",
        "",
        f"  Onderwerp:          {ticket.topic}",
        f"  Urgentie:           {ticket.urgency}",
        f"  Klant informeren:   {_yes_no(ticket.inform_client)}",
        f"  Beoordeling nodig:  {_yes_no(ticket.needs_assessment)}",
    ]
    if ticket.next_office_day is not None:
        lines.append(f"  Volgende werkdag:   {ticket.next_office_day.isoformat()}")
    lines.append("  Redenen:" + ("" if ticket.reasons else "            -"))
    lines += [f"    - {reason}" for reason in ticket.reasons]
    if ticket.facts:
        lines.append("  Gegevens:")
        lines += [f"    {key}: {value}" for key, value in ticket.facts.items()]
    lines += [
        "",
        f"  Naam:               {ticket.naam}",
        f"  Adres:              {_address(ticket)}",
        f"  Telefoon:           {ticket.telefoon}",
        f"  E-mail:             {ticket.email or '-'}",
        f"  Klantnummer:        {ticket.client_id or '-'}",
        f"  Kanaal:             {ticket.channel}",
        f"  Gesprek:            {ticket.conversation_id}",
        "",
        "  Omschrijving:",
        *(f"    {line}" for line in (ticket.beschrijving.splitlines() or ["-"])),
        "",
        "  Statusgeschiedenis:",
    ]
    for change in ticket.status_changes:
        step = f"{change.status_from or '-'} -> {change.status_to}"
        reason = f": {change.reason}" if change.reason else ""
        lines.append(f"    {local_time(change.changed_at)}  {step}  ({change.changed_by}){reason}")
    if ticket.attention:
        lines += ["", f"  Aandacht meldkamer: {ticket.attention}"]
    lines += ["", "  Werkbonnen:" + ("" if extra["workorders"] else "         -")]
    for order in extra["workorders"]:
        status = STATUS_LABELS.get(order["status"], order["status"])
        lines.append(
            f"    {order['contractor']} ({order['trade']}, stap {order['step'] + 1}): {status}"
        )
        for event in order["history"]:
            note = f": {event['note']}" if event["note"] else ""
            lines.append(
                f"      {local_time(datetime.fromisoformat(event['at']))}  "
                f"{STATUS_LABELS.get(event['status_to'], event['status_to'])} "
                f"({event['by']}, {VIA_LABELS.get(event['via'], event['via'])}){note}"
            )
    lines += ["", "  Berichten:" + ("" if extra["messages"] else "          -")]
    for message in extra["messages"]:
        failure = f" ({message['last_error']})" if message["last_error"] else ""
        lines.append(
            f"    {message['kind']} {message['purpose']} aan {message['recipient']}: "
            f"{message['status']}{failure}"
        )
    if extra["photos"]:
        lines += ["", f"  Foto's: {len(extra['photos'])}"]
    return "\n".join(lines)


def run_show(args: argparse.Namespace) -> int:
    """Print one ticket in Dutch or as JSON; returns the exit code."""
    number = ticket_number(args.number)
    if number is None:
        return EXIT_MALFORMED

    try:
        with database_session() as session:
            ticket = get_ticket(session, number)
            extra = dossier(session, ticket) if ticket is not None else {}
    except SQLAlchemyError as error:
        return database_error(error)
    if ticket is None:
        print(f"Ticket {number} niet gevonden.", file=sys.stderr)
        return EXIT_NOT_FOUND
    if args.json:
        print(json.dumps(extra, ensure_ascii=False, indent=2))
    else:
        print(_describe(ticket, extra))
    return 0
