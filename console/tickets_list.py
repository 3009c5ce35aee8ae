"""Find anything (``/tickets``): search and filter the tickets, and export them as CSV.

``/tickets?q=...`` finds a ticket number, a postcode with house number, a phone number
or a name; the filters narrow by client, status, urgency, channel and period. The CSV
export (``/tickets.csv``) takes the same query string. Both go through
:func:`meldkamer.service.ticket_search.search_tickets` with the agent's scope.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from datetime import date

from aiohttp import web

from console.identity import current
from console.keys import COLLABORATORS, SESSIONS
from console.rendering import LABEL_FILTERS, render, topic_name
from meldkamer.clients.schema import Client
from meldkamer.handover.drafts import Draft
from meldkamer.intake.validation import format_phone
from meldkamer.service.ticket_search import TicketQuery, search_drafts, search_tickets
from meldkamer.tickets import Ticket

#: A page shows this many; the CSV this many (a month of a busy night shift and more).
PAGE_ROWS = 200
CSV_ROWS = 10_000
CSV_COLUMNS = (
    "Meldnummer",
    "Gemeld",
    "Urgentie",
    "Status",
    "Onderwerp",
    "Opdrachtgever",
    "Complex",
    "Postcode",
    "Huisnummer",
    "Naam",
    "Telefoon",
    "Kanaal",
)


class BadQuery(ValueError):
    """A filter value that is not one of the choices; the message is for the agent."""


def _choice(form: Mapping[str, str], name: str, allowed: Mapping[str, str]) -> str | None:
    value = form.get(name, "").strip()
    if not value:
        return None
    if value not in allowed:
        raise BadQuery(f"Onbekende keuze bij {name}.")
    return value


def _day(form: Mapping[str, str], name: str) -> date | None:
    value = form.get(name, "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadQuery("Een datum is bijvoorbeeld 2026-12-01.") from None


def clients_in_scope(request: web.Request) -> dict[str, Client]:
    """The clients the agent works for, by id (all of them for an unlimited agent)."""
    scope = current(request).scope
    registry = request.app[COLLABORATORS].registry()
    return {client.id: client for client in registry if scope.allows(client.id)}


def read_query(form: Mapping[str, str], clients: Mapping[str, Client]) -> TicketQuery:
    """The query string as a :class:`TicketQuery`; :class:`BadQuery` for a wrong value."""
    query = TicketQuery(
        text=form.get("q", "")[:100],
        client_id=_choice(form, "opdrachtgever", {k: k for k in clients}),
        status=_choice(form, "status", LABEL_FILTERS["ticketstatus"]),
        urgency=_choice(form, "urgentie", LABEL_FILTERS["urgentie"]),
        channel=_choice(form, "kanaal", LABEL_FILTERS["kanaal"]),
        since=_day(form, "van"),
        until=_day(form, "tot"),
    )
    if query.since and query.until and query.since > query.until:
        raise BadQuery("De periode begint na het einde.")
    return query


async def page(request: web.Request) -> web.StreamResponse:
    """The list, newest first, with the search and the filters."""
    clients = clients_in_scope(request)
    error: str | None = None
    found: list[Ticket] = []
    more = False
    try:
        query = read_query(request.query, clients)
    except BadQuery as refused:
        error, query = str(refused), TicketQuery()
    drafts: list[Draft] = []
    if error is None:
        found, more = search_tickets(
            request.app[SESSIONS], query, current(request).scope, limit=PAGE_ROWS
        )
        drafts = search_drafts(request.app[SESSIONS], query, current(request).scope, limit=50)
    return render(
        request,
        "tickets.html",
        {
            "tickets": found,
            # Meldingen handed over incomplete: not tickets yet, each with "Maak ticket".
            "drafts": drafts,
            "more": more,
            "limit": PAGE_ROWS,
            "error": error,
            "asked": request.query,
            "clients": clients,
            "choices": {
                "opdrachtgever": [(client.id, client.name) for client in clients.values()],
                "status": LABEL_FILTERS["ticketstatus"].choices(),
                "urgentie": LABEL_FILTERS["urgentie"].choices(),
                "kanaal": LABEL_FILTERS["kanaal"].choices(),
            },
            "csv_query": request.query_string,
        },
        status=400 if error else 200,
    )


def _row(ticket: Ticket, clients: Mapping[str, Client]) -> list[str]:
    client = clients.get(ticket.client_id or "")
    complex_ = client.complex(ticket.complex_id) if client and ticket.complex_id else None
    return [
        ticket.number,
        ticket.created_at.isoformat(timespec="minutes"),
        LABEL_FILTERS["urgentie"].label(ticket.urgency),
        LABEL_FILTERS["ticketstatus"].label(ticket.status),
        topic_name(ticket.topic),
        client.name if client else "onbekend",
        complex_.name if complex_ else "",
        ticket.postcode,
        f"{ticket.huisnummer}{ticket.huisnummer_toevoeging or ''}",
        _cell(ticket.naam),
        format_phone(ticket.telefoon),
        LABEL_FILTERS["kanaal"].label(ticket.channel),
    ]


def _cell(text: str) -> str:
    # A spreadsheet runs a cell that starts with = + - @ as a formula: a tenant's name
    # must stay text (CSV injection).
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


async def export(request: web.Request) -> web.StreamResponse:
    """The same query as CSV (semicolons, as Dutch spreadsheets expect)."""
    clients = clients_in_scope(request)
    try:
        query = read_query(request.query, clients)
    except BadQuery as refused:
        raise web.HTTPBadRequest(text=str(refused)) from None
    found, more = search_tickets(
        request.app[SESSIONS], query, current(request).scope, limit=CSV_ROWS
    )
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(CSV_COLUMNS)
    writer.writerows(_row(ticket, clients) for ticket in found)
    headers = {"Content-Disposition": 'attachment; filename="meldingen.csv"'}
    if more:
        headers["X-Meldkamer-Afgekapt"] = str(CSV_ROWS)
    return web.Response(
        body=out.getvalue().encode("utf-8-sig"),
        content_type="text/csv",
        charset="utf-8",
        headers=headers,
    )


def setup_routes(app: web.Application) -> None:
    """Add the ticket list and its export."""
    app.router.add_get("/tickets", page, name="tickets")
    app.router.add_get("/tickets.csv", export, name="tickets-csv")
