"""A ticket (``/ticket/{number}``): its dossier, the edits with reasons, and the notes.

Edits go through :func:`meldkamer.tickets.edits.edit_ticket`, which checks every
value like the bot does and refuses an urgency change without a reason; the history
shows old and new value, who, when and why.
"""

from __future__ import annotations

from collections.abc import Mapping

from aiohttp import web
from sqlalchemy.orm import Session

from console.conversation import render_page as render_conversation
from console.forms import read_form
from console.identity import current
from console.keys import CLOCK, COLLABORATORS, ENGINE, SESSIONS
from console.notes import add_agent_note, sentence
from console.queue import agent_names
from console.rendering import render
from console.summary import effective_topic, fact_lines, photos, reasons, unknown_lines
from meldkamer.contacts import LABELS as CONTACT_LABELS
from meldkamer.dispatch.lifecycle import STATUS_LABELS as WORK_ORDER_STATUS
from meldkamer.dispatch.lifecycle import VIA_LABELS
from meldkamer.dossier import dossier
from meldkamer.handover.service import notes
from meldkamer.service.transfer import transfer_panel
from meldkamer.tickets import StatusConflictError, Ticket, TicketStatus, get_ticket
from meldkamer.tickets.edits import EDITABLE, edit_ticket, edits
from meldkamer.triage import Urgency


def _ticket(session: Session, number: str) -> Ticket:
    """The ticket by its number; 404 when there is none."""
    ticket = get_ticket(session, number)
    if ticket is None:
        raise web.HTTPNotFound(text="Deze melding bestaat niet.")
    return ticket


async def render_ticket(
    request: web.Request,
    number: str,
    *,
    errors: Mapping[str, str] | None = None,
    form: Mapping[str, str] | None = None,
    status: int = 200,
) -> web.Response:
    """The ticket page (also with the errors of a refused edit)."""
    table = request.app[ENGINE].table
    with request.app[SESSIONS]() as session:
        ticket = _ticket(session, number)
        data = dossier(session, ticket)
        outcome = ticket.outcome or {}
        # The row the triage used: the client's protocol row in force at the time.
        topic = effective_topic(session, table, ticket.client_id, ticket.topic, ticket.created_at)
        unknown = outcome.get("unknown_facts") or []
        client, complex_ = request.app[COLLABORATORS].place(ticket.client_id, ticket.complex_id)
        return render(
            request,
            "ticket.html",
            {
                "ticket": ticket,
                "dossier": data,
                "facts": fact_lines(table, ticket.facts or {}),
                "unknown": unknown_lines(table, unknown),
                "reasons": reasons(table, topic, ticket.facts or {}, outcome, unknown),
                "client": client,
                "complex": complex_,
                "photos": photos(session, ticket.conversation_id),
                "edits": edits(session, ticket.id),
                "notes": notes(session, ticket.conversation_id),
                "names": agent_names(session),
                "errors": errors or {},
                "form": form or {},
                "editable": EDITABLE,
                "urgencies": [u.value for u in Urgency],
                "statuses": [s.value for s in TicketStatus],
                "werkbon_status": WORK_ORDER_STATUS,
                "werkbon_via": VIA_LABELS,
                "contact_labels": CONTACT_LABELS,
                "transfer": transfer_panel(request.app[COLLABORATORS], session, ticket=ticket),
                "return_to": "",
            },
            status=status,
        )


async def page(request: web.Request) -> web.StreamResponse:
    """The ticket page."""
    return await render_ticket(request, request.match_info["number"])


async def edit(request: web.Request) -> web.StreamResponse:
    """Change one field of the ticket, with the reason."""
    me = current(request)
    number = request.match_info["number"]
    form = await read_form(request)
    field = form.get("veld", "")
    value = form.get("waarde", "")
    reason = form.get("reden", "")
    return_to = form.get("terug", "")
    error: str | None = None
    with request.app[SESSIONS]() as session:
        ticket = _ticket(session, number)
        try:
            edit_ticket(
                session,
                ticket,
                field,
                value,
                by=me.username,
                reason=reason,
                now=request.app[CLOCK](),
            )
            session.commit()
        except (ValueError, StatusConflictError) as refused:
            session.rollback()
            error = str(refused)
    handover_id = (
        int(return_to.removeprefix("gesprek:"))
        if return_to.startswith("gesprek:") and return_to[8:].isdigit()
        else None
    )
    if error is not None:
        message = sentence(error)
        sent = {"veld": field, "waarde": value, "reden": reason}
        if handover_id is not None:
            return await render_conversation(
                request, handover_id, errors={"ticket": message}, form=sent, status=400
            )
        return await render_ticket(
            request, number, errors={"ticket": message}, form=sent, status=400
        )
    if handover_id is not None:
        raise web.HTTPSeeOther(f"/gesprek/{handover_id}#ticket")
    raise web.HTTPSeeOther(f"/ticket/{number}#geschiedenis")


async def add_internal_note(request: web.Request) -> web.StreamResponse:
    """An internal note on the ticket (also for tickets taken by phone, without a chat)."""
    number = request.match_info["number"]
    form = await read_form(request)
    text = form.get("notitie", "")
    with request.app[SESSIONS].begin() as session:
        ticket = _ticket(session, number)
        refused = add_agent_note(request, session, ticket.conversation_id, text, ticket.id)
    if refused is not None:
        return await render_ticket(
            request, number, errors={"notitie": refused}, form={"notitie": text}, status=400
        )
    raise web.HTTPSeeOther(f"/ticket/{number}#notities")


def setup_routes(app: web.Application) -> None:
    """Add the ticket routes."""
    number = r"{number:MK-\d{4}-\d{6}}"
    app.router.add_get(f"/ticket/{number}", page, name="ticket")
    app.router.add_post(f"/ticket/{number}/wijzigen", edit, name="ticket-edit")
    app.router.add_post(f"/ticket/{number}/notitie", add_internal_note, name="ticket-note")
