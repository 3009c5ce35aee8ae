"""Doorverbinden met opdrachtgever: the panel's two forms on a ticket and a conversation page.

The panel itself (``_transfer.html``) shows who is on duty at the client now; its forms
post here: the outcome of the call, or the ticket summary mailed in one click. All of it
is :func:`meldkamer.service.transfer.register_transfer`; this module only reads the form
and answers with the page again.
"""

from __future__ import annotations

from aiohttp import web

from console.conversation import render_page as render_conversation
from console.forms import read_form
from console.identity import current
from console.keys import COLLABORATORS, SESSIONS
from console.ticket import render_ticket
from meldkamer.handover.models import Handover
from meldkamer.handover.summary import HandoverSummary
from meldkamer.service.transfer import TransferError, TransferRequest, Where, register_transfer
from meldkamer.tickets import Ticket

#: Where the panel is on both pages.
ANCHOR = "#doorverbinden"


async def _request(request: web.Request) -> TransferRequest:
    form = await read_form(request)
    return TransferRequest(
        by=current(request).username,
        to=form.get("aan", ""),
        outcome=form.get("uitkomst", ""),
        note=form.get("notitie"),
    )


def _error(refused: TransferError) -> dict[str, str]:
    return {"doorverbinden": f"{refused}."}


async def for_ticket(request: web.Request) -> web.StreamResponse:
    """From the ticket page."""
    number = request.match_info["number"]
    asked = await _request(request)
    try:
        register_transfer(request.app[COLLABORATORS], Where(ticket_number=number), asked)
    except TransferError as refused:
        return await render_ticket(request, number, errors=_error(refused), status=400)
    raise web.HTTPSeeOther(f"/ticket/{number}{ANCHOR}")


async def for_conversation(request: web.Request) -> web.StreamResponse:
    """From a conversation page: about its ticket, or the conversation while it has none."""
    handover_id = int(request.match_info["handover_id"])
    asked = await _request(request)
    with request.app[SESSIONS]() as session:
        handover = session.get(Handover, handover_id)
        if handover is None or not current(request).scope.allows(handover.client_id):
            raise web.HTTPNotFound(text="Dit gesprek bestaat niet.")
        # The same ticket as the page shows: the handover's, else the one its summary names.
        ticket = session.get(Ticket, handover.ticket_id) if handover.ticket_id else None
        number = ticket.number if ticket else HandoverSummary.from_dict(handover.summary).ticket
        where = Where(
            ticket_number=number,
            conversation_id=handover.conversation_id,
            client_id=handover.client_id,
        )
    try:
        register_transfer(request.app[COLLABORATORS], where, asked)
    except TransferError as refused:
        return await render_conversation(request, handover_id, errors=_error(refused), status=400)
    raise web.HTTPSeeOther(f"/gesprek/{handover_id}{ANCHOR}")


def setup_routes(app: web.Application) -> None:
    """Add the transfer routes."""
    app.router.add_post(
        r"/ticket/{number:MK-\d{4}-\d{6}}/doorverbinden", for_ticket, name="ticket-doorverbinden"
    )
    app.router.add_post(
        r"/gesprek/{handover_id:\d+}/doorverbinden",
        for_conversation,
        name="gesprek-doorverbinden",
    )
