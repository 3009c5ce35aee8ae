"""Phone mode (``/nieuw``): an agent takes a melding by phone, through the bot's intake.

The wizard's state travels in a signed hidden field (:mod:`console.signing`), bound
to the agent's session: the browser carries it but cannot change it, and every
computed value (client, questions, outcome) is computed again on the server. On
confirmation the melding is registered and dispatched in one transaction, exactly
as the bot does, with channel ``telefoon``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from aiohttp import web
from sqlalchemy import select

from console.forms import read_form
from console.identity import current
from console.intake_wizard import (
    CHANGES,
    UNKNOWN,
    Context,
    Step,
    WizardState,
    from_collected,
    topics_by_danger,
)
from console.keys import CLIENTS, CLOCK, COLLABORATORS, ENGINE, SESSIONS, SIGNING_KEY
from console.rendering import render
from console.scope import OUTSIDE_CLIENTS
from console.signing import BadSignature, sign, unsign
from console.summary import Reasons, fact_lines, reasons, unknown_lines
from meldkamer.agents.accounts import find_agent
from meldkamer.contact import EMERGENCY_PHONE
from meldkamer.handover.drafts import get_draft
from meldkamer.intake.safety import safety_lines
from meldkamer.intake.validation import Invalid, normalise_phone
from meldkamer.service.confirm import Stored, confirm_melding
from meldkamer.service.registration import Origin
from meldkamer.service.status_lookup import CallerTicket, caller_tickets
from meldkamer.tickets import Ticket
from meldkamer.triage import Outcome

logger = logging.getLogger(__name__)

TICKETS = Ticket.__table__.c
STATE_FIELD = "staat"
#: What the agent reads when the melding did not become a ticket right away.
NOT_REGISTERED = {
    Stored.SPOOLED: "De database is nu niet bereikbaar. De melding is bewaard en wordt "
    "vastgelegd zodra het systeem weer werkt; de huurder krijgt dan nog geen meldnummer.",
    Stored.SET_ASIDE: "Deze melding kan niet automatisch worden vastgelegd. Ze is apart "
    "gezet voor controle door de meldkamer.",
    Stored.NOT_STORED: "Opslaan lukt nu niet, ook niet tijdelijk. Probeer het opnieuw.",
}


def _context(request: web.Request) -> Context:
    return Context(
        engine=request.app[ENGINE], clients=request.app[CLIENTS], now=request.app[CLOCK]()
    )


def _render(
    request: web.Request,
    state: WizardState,
    *,
    error: str | None = None,
    entered: Mapping[str, str] | None = None,
    status: int = 200,
    caller: Caller | None = None,
) -> web.Response:
    context = _context(request)
    step = context.step(state)
    table = context.engine.table
    client, complex_ = context.client_of(state)
    fact = table.facts[step.fact] if step.fact else None
    outcome = context.outcome(state)
    options: list[tuple[str, str]] = (
        [(json.dumps(option.value), option.label) for option in fact.options] if fact else []
    )
    return render(
        request,
        "phone.html",
        {
            "state": state,
            "signed": sign(state.to_data(), request.app[SIGNING_KEY], current(request).token_hash),
            "step": step,
            "fact": fact,
            "options": options,
            "unknown_value": UNKNOWN,
            "topics": topics_by_danger(table),
            "client": client,
            "complex": complex_,
            "facts": fact_lines(table, state.facts),
            "unknown": unknown_lines(table, state.unknown),
            "outcome": outcome,
            "reasons": _reasons(context, state, outcome),
            "error": error,
            "entered": entered or {},
            "changes": list(CHANGES),
            # The bot's own instructions, read out before any question is asked.
            "safety": safety_lines(table.topics[state.topic].safety if state.topic else None),
            "emergency_phone": EMERGENCY_PHONE,
            "caller": caller,
        },
        status=status,
    )


def _reasons(context: Context, state: WizardState, outcome: Outcome | None) -> Reasons | None:
    """The outcome's reasons as the ticket page shows them, on the client's own row."""
    if outcome is None or state.topic is None:
        return None
    topic = context.engine.topic_for(state.topic, context.settings(state))
    table = context.engine.table
    return reasons(table, topic, state.facts, outcome.to_dict(), state.unknown)


def _outside_scope(request: web.Request, context: Context, state: WizardState) -> bool:
    """A limited agent takes meldingen only for addresses of its own clients."""
    client, _ = context.client_of(state)
    scope = current(request).scope
    return state.address is not None and not scope.allows(client.id if client else None)


def _state_from(request: web.Request, form: Mapping[str, Any]) -> WizardState:
    try:
        data = unsign(
            form.get(STATE_FIELD, ""), request.app[SIGNING_KEY], current(request).token_hash
        )
        return WizardState.from_data(data)
    except (BadSignature, KeyError, ValueError, TypeError, IndexError):
        raise web.HTTPBadRequest(
            text="Deze melding kan niet verder: het formulier is verlopen. Begin opnieuw via /nieuw."
        ) from None


# --- Who is calling: the caller's tickets by phone number (?beller=06...) ----------------

#: The number asked for, the error if it is none, the tickets found (open first).
Caller = tuple[str, str | None, list[CallerTicket]]
CALLER_FIELD = "beller"


def _caller(request: web.Request) -> Caller | None:
    asked = request.query.get(CALLER_FIELD, "").strip()
    if not asked:
        return None
    phone = normalise_phone(asked[:40])
    if isinstance(phone, Invalid):
        return asked[:40], phone.message, []
    return asked[:40], None, _in_scope(request, caller_tickets(request.app[COLLABORATORS], phone))


def _in_scope(request: web.Request, found: list[CallerTicket]) -> list[CallerTicket]:
    """Only the tickets of the agent's clients: a number may have called for several."""
    scope = current(request).scope
    if not scope.limited or not found:
        return found
    numbers = [ticket.number for ticket in found]
    with request.app[SESSIONS]() as session:
        rows = session.execute(
            select(TICKETS.number, TICKETS.client_id).where(TICKETS.number.in_(numbers))
        )
        owners: dict[str, str | None] = {number: client for number, client in rows}
    return [ticket for ticket in found if scope.allows(owners.get(ticket.number))]


#: A draft to complete (``?concept=<id>``): "Maak ticket" on a conversation or /tickets.
DRAFT_FIELD = "concept"
NO_DRAFT = "Dit concept bestaat niet of hoort niet bij uw opdrachtgevers."


def _from_draft(request: web.Request, raw: str) -> WizardState:
    """The wizard prefilled with a draft of the agent's clients (404 otherwise, or once a ticket)."""
    if not raw.isdigit() or len(raw) > 12:
        raise web.HTTPNotFound(text=NO_DRAFT)
    with request.app[SESSIONS]() as session:
        draft = get_draft(session, int(raw), current(request).scope)
        if draft is None:
            raise web.HTTPNotFound(text=NO_DRAFT)
        if not draft.is_open:
            ticket = session.get(Ticket, draft.ticket_id)
            raise web.HTTPSeeOther(f"/ticket/{ticket.number}" if ticket else "/tickets")
        collected, conversation = draft.collected, draft.conversation_id
    return from_collected(
        request.app[ENGINE].table, collected, draft=int(raw), conversation=conversation
    )


async def start(request: web.Request) -> web.StreamResponse:
    """A fresh wizard; with ``?beller=`` the caller's tickets above it and the number kept.

    The number the agent looked up is the caller's: the wizard does not ask it again.
    With ``?concept=`` it starts from what the bot collected: only the missing is asked.
    """
    if DRAFT_FIELD in request.query:
        return _render(request, _from_draft(request, request.query[DRAFT_FIELD]))
    caller = _caller(request)
    phone = normalise_phone(caller[0]) if caller is not None else None
    state = WizardState(telefoon=phone if isinstance(phone, str) else None)
    return _render(request, state, caller=caller)


async def step(request: web.Request) -> web.StreamResponse:
    """Apply the answer to the current step and show the next one."""
    form = await read_form(request)
    state = _state_from(request, form)
    context = _context(request)
    answered = form.get("stap", "")
    if answered == "aanpassen":
        part = form.get("onderdeel", "")
        if part not in CHANGES:
            return _render(request, state, error="Kies wat u wilt aanpassen.", status=400)
        return _render(request, state.cleared(part))
    now_asking: Step = context.step(state)
    if answered != now_asking.name:
        return _render(
            request, state, error="Die stap is al gedaan. Ga verder met de stap hieronder."
        )
    entered = {key: str(value) for key, value in form.items() if key != STATE_FIELD}
    result = context.answer(state, now_asking, entered)
    if isinstance(result, Invalid):
        return _render(request, state, error=result.message, entered=entered, status=400)
    if _outside_scope(request, context, result):
        return _render(request, state, error=OUTSIDE_CLIENTS, entered=entered, status=403)
    return _render(request, result)


async def confirm(request: web.Request) -> web.StreamResponse:
    """Register the melding and dispatch it, in one transaction; then show the ticket."""
    me = current(request)
    form = await read_form(request)
    state = _state_from(request, form)
    context = _context(request)
    if _outside_scope(request, context, state):
        return _render(request, state.cleared("adres"), error=OUTSIDE_CLIENTS, status=403)
    try:
        melding = context.melding(state)
    except ValueError as error:
        return _render(request, state, error=f"Nog niet compleet: {error}.", status=400)
    ctx = request.app[COLLABORATORS]
    # A completed draft is linked to the new ticket (registration does it, same transaction).
    origin = replace(Origin.phone(me.username, me.display_name), draft_id=state.draft)
    result = confirm_melding(ctx, melding, origin=origin)
    if result.stored is not Stored.REGISTERED:
        logger.error("phone melding %s by %s: %s", melding.melding_id, me.username, result.stored)
        return _render(request, state, error=NOT_REGISTERED[result.stored], status=503)
    if state.draft is not None and not result.new:
        maker = _completed_by(request, state.draft)
        if maker is not None:  # another agent was first: sent to that ticket, none added
            values = {"maker": maker, "number": result.ticket_number}
            return render(request, "phone_concept_al_ticket.html", values, status=409)
    logger.info("phone melding %s registered by %s", result.ticket_number, me.username)
    raise web.HTTPSeeOther(f"/ticket/{result.ticket_number}")


def _completed_by(request: web.Request, draft_id: int) -> str | None:
    """The name of whoever else made the draft's ticket (``None``: this agent did)."""
    with request.app[SESSIONS]() as session:
        draft = get_draft(session, draft_id)
        who = draft.completed_by if draft is not None else None
        if who is None or who == current(request).username:
            return None
        agent = find_agent(session, who)
        return agent.display_name if agent is not None else "De assistent"


def setup_routes(app: web.Application) -> None:
    """Add the phone wizard routes."""
    app.router.add_get("/nieuw", start, name="phone")
    app.router.add_post("/nieuw", step, name="phone-step")
    app.router.add_post("/nieuw/bevestigen", confirm, name="phone-confirm")
