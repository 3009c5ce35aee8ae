"""A taken-over conversation (``/gesprek/{id}``): summary, live transcript, reply.

The agent who took the conversation (or a supervisor) replies, hands back to the
assistant, or closes it; every colleague can read along and add internal notes.
Replies go through Rasa (:mod:`console.rasa_client`), so the tracker is the one record
of what the tenant was told; nothing else is stored for them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aiohttp import web
from sqlalchemy.orm import Session

from console.canned import CannedReply
from console.events import stream
from console.forms import read_form
from console.identity import current
from console.keys import CANNED, CLOCK, COLLABORATORS, ENGINE, RASA, SESSIONS
from console.notes import add_agent_note
from console.queue import agent_names
from console.rasa_client import RasaClient, RasaError
from console.rendering import render, render_string
from console.summary import Summary, summarise
from console.transcript import Line, lines
from meldkamer.agents.scope import UNLIMITED, AgentScope
from meldkamer.agents.sessions import SignedIn
from meldkamer.clients.schema import Client, Complex
from meldkamer.handover.drafts import drafts_of
from meldkamer.handover.models import STATUS_LABELS, Handover, HandoverStatus
from meldkamer.handover.service import HandoverNotFound, close, hand_back, notes
from meldkamer.handover.summary import HandoverSummary
from meldkamer.handover.texts import handover_texts
from meldkamer.intake.fields import UNKNOWN
from meldkamer.intake.validation import Address, parse_address
from meldkamer.service.collected import FACT_PREFIX, plan_correction, save_correction
from meldkamer.service.transfer import transfer_panel
from meldkamer.tickets import Ticket, TicketStatus, get_ticket
from meldkamer.tickets.edits import EDITABLE, edits
from meldkamer.triage import Urgency
from meldkamer.triage.table import DecisionTable

MAX_REPLY = 2000
UNSENT = (
    "Uw bericht aan de huurder is nog niet verstuurd. Verstuur het eerst, of maak het vak "
    "leeg als het niet weg hoeft; daarna kunt u teruggeven of afsluiten."
)
NOT_YOURS = "Alleen wie het gesprek heeft overgenomen kan dit."


@dataclass(frozen=True)
class FactField:
    """One triage question in the agent's correction form."""

    name: str
    question: str
    options: list[tuple[str, str]]
    current: str


def _id(request: web.Request) -> int:
    return int(request.match_info["handover_id"])


def _handover(session: Session, handover_id: int, scope: AgentScope = UNLIMITED) -> Handover:
    handover: Handover | None = session.get(Handover, handover_id)
    if handover is None or not scope.allows(handover.client_id):
        raise web.HTTPNotFound(text="Dit gesprek bestaat niet.")
    return handover


def may_act(handover: Handover, me: SignedIn) -> bool:
    """Only the agent who took it, or a supervisor, speaks for the meldkamer here."""
    return handover.status == HandoverStatus.IN_BEHANDELING.value and (
        handover.agent == me.username or me.is_supervisor
    )


@dataclass(frozen=True)
class _Acting:
    """What a handler acting for the meldkamer needs of the handover it acts on."""

    conversation_id: str
    summary: HandoverSummary


async def _acting_on(
    request: web.Request, handover_id: int, field: str, message: str
) -> _Acting | web.Response:
    """The handover the signed-in agent may act on, or the page refusing it (403).

    The refusal is the conversation page with ``message`` at the form ``field``: only the
    agent who took the conversation, or a supervisor, speaks for the meldkamer here.
    """
    with request.app[SESSIONS]() as session:
        handover = _handover(session, handover_id)
        allowed = may_act(handover, current(request))
        acting = _Acting(handover.conversation_id, HandoverSummary.from_dict(handover.summary))
    if not allowed:
        return await _refused(request, handover_id, field, message, status=403)
    return acting


async def _refused(
    request: web.Request,
    handover_id: int,
    field: str,
    message: str,
    *,
    status: int = 400,
    form: Mapping[str, str] | None = None,
) -> web.Response:
    """The page again with ``message`` at the form ``field``; ``form``: what was typed, kept."""
    return await render_page(
        request, handover_id, errors={field: message}, form=form, status=status
    )


async def _transcript(request: web.Request, conversation_id: str) -> tuple[list[Line], str | None]:
    try:
        tracker = await request.app[RASA].tracker(conversation_id)
    except RasaError as error:
        return [], f"Het gesprek kon niet worden geladen: {error}."
    return lines(tracker.get("events") or [], request.app[ENGINE].table), None


def _place(
    request: web.Request, client_id: str | None, address: str | None, ticket: Ticket | None
) -> tuple[Client | None, Complex | None]:
    """The client and complex by name, as the ticket page shows them (never their ids)."""
    collaborators = request.app[COLLABORATORS]
    if ticket is not None and ticket.client_id == client_id:
        return collaborators.place(client_id, ticket.complex_id)
    client = collaborators.client(client_id)
    parsed = parse_address(address) if client and address else None
    if client is None or not isinstance(parsed, Address):
        return client, None
    return client, client.complex_for(parsed.postcode, parsed.huisnummer)


def _ticket_for(session: Session, handover: Handover, number: str | None) -> Ticket | None:
    if handover.ticket_id is not None:
        found: Ticket | None = session.get(Ticket, handover.ticket_id)
        if found is not None:
            return found
    return get_ticket(session, number) if number else None


async def render_page(
    request: web.Request,
    handover_id: int,
    *,
    errors: Mapping[str, str] | None = None,
    status: int = 200,
    form: Mapping[str, str] | None = None,
) -> web.Response:
    """The conversation page (also with the errors of a refused form)."""
    me = current(request)
    table = request.app[ENGINE].table
    with request.app[SESSIONS]() as session:
        # Also for an id from a form (a ticket edit's way back), not only from the URL.
        handover = _handover(session, handover_id, me.scope)
        conversation_id = handover.conversation_id
    transcript, transcript_error = await _transcript(request, conversation_id)
    canned = request.app[CANNED]
    with request.app[SESSIONS]() as session:
        handover = _handover(session, handover_id)
        summary = summarise(
            session,
            table,
            HandoverSummary.from_dict(handover.summary),
            conversation_id,
            handover.ticket_id,
        )
        ticket = _ticket_for(session, handover, summary.ticket)
        draft = next(iter(drafts_of(session, conversation_id)), None)
        names = agent_names(session)
        client, complex_ = _place(request, summary.client, summary.address, ticket)
        return render(
            request,
            "conversation.html",
            {
                "handover": handover,
                "summary": summary,
                "client": client,
                "complex": complex_,
                "taken_by": names.get(handover.agent or "", handover.agent),
                "may_act": may_act(handover, me),
                "lines": transcript,
                "transcript_error": transcript_error,
                "canned": [(c, _fill(c, me, summary)) for c in canned.all()],
                "canned_error": canned.error,
                "notes": notes(session, conversation_id),
                "ticket": ticket,
                # The melding kept as a draft when it was handed over incomplete.
                "draft": draft,
                "draft_ticket": session.get(Ticket, draft.ticket_id)
                if draft and draft.ticket_id
                else None,
                "edits": edits(session, ticket.id) if ticket else [],
                "names": names,
                "errors": errors or {},
                "form": form or {},
                "editable": EDITABLE,
                "urgencies": [u.value for u in Urgency],
                "statuses": [s.value for s in TicketStatus],
                "transfer": transfer_panel(
                    request.app[COLLABORATORS],
                    session,
                    ticket=ticket,
                    conversation_id=conversation_id,
                    client_id=handover.client_id,
                ),
                "return_to": f"gesprek:{handover.id}",
                "fact_fields": fact_fields(table, HandoverSummary.from_dict(handover.summary)),
                "fact_prefix": FACT_PREFIX,
            },
            status=status,
        )


async def page(request: web.Request) -> web.StreamResponse:
    """The conversation page."""
    return await render_page(request, _id(request))


async def events(request: web.Request) -> web.StreamResponse:
    """The transcript and the handover's status, whenever they change."""
    handover_id = _id(request)
    with request.app[SESSIONS]() as session:
        conversation_id = _handover(session, handover_id).conversation_id

    async def produce() -> dict[str, Any]:
        transcript, error = await _transcript(request, conversation_id)
        with request.app[SESSIONS]() as session:
            handover = _handover(session, handover_id)
            status = handover.status
            taken_by = agent_names(session).get(handover.agent or "", handover.agent)
        return {
            "html": render_string(
                request, "_transcript.html", {"lines": transcript, "transcript_error": error}
            ),
            "status": status,
            # In words, as the page says it (the stored value is only compared).
            "status_label": STATUS_LABELS.label(status),
            "taken_by": taken_by,
        }

    return await stream(request, "gesprek", produce)


def _fill(reply: CannedReply, me: SignedIn, summary: Summary | HandoverSummary) -> str:
    return reply.fill(
        {
            "medewerker": me.display_name,
            "huurder": summary.name or "meneer/mevrouw",
            "ticket": summary.ticket or "uw melding",
        }
    )


async def reply(request: web.Request) -> web.StreamResponse:
    """Send the agent's message to the tenant, through Rasa."""
    handover_id = _id(request)
    me = current(request)
    form = await read_form(request)
    text = form.get("tekst", "").strip()
    acting = await _acting_on(
        request, handover_id, "antwoord", "Alleen wie het gesprek heeft overgenomen kan antwoorden."
    )
    if isinstance(acting, web.Response):
        return acting
    canned_id = form.get("sjabloon", "")
    if canned_id:
        canned = request.app[CANNED].get(canned_id)
        if canned is None:
            return await _refused(
                request, handover_id, "antwoord", "Dit standaardantwoord bestaat niet."
            )
        text = _fill(canned, me, acting.summary)
    if not text:
        return await _refused(request, handover_id, "antwoord", "Typ eerst een bericht.")
    if len(text) > MAX_REPLY:
        error = f"Een bericht heeft hoogstens {MAX_REPLY} tekens."
        return await _refused(request, handover_id, "antwoord", error, form={"tekst": text})
    try:
        await request.app[RASA].send_agent_reply(acting.conversation_id, text, me.display_name)
    except RasaError as error:
        failed = f"Niet verstuurd: {error}. Probeer het opnieuw."
        return await _refused(
            request, handover_id, "antwoord", failed, form={"tekst": text}, status=502
        )
    raise web.HTTPSeeOther(f"/gesprek/{handover_id}#antwoord")


async def add_internal_note(request: web.Request) -> web.StreamResponse:
    """An internal note: for colleagues, never for the tenant."""
    handover_id = _id(request)
    form = await read_form(request)
    with request.app[SESSIONS].begin() as session:
        handover = _handover(session, handover_id)
        refused = add_agent_note(
            request, session, handover.conversation_id, form.get("notitie", ""), handover.ticket_id
        )
    if refused is not None:
        kept = {"notitie": form.get("notitie", "")}
        return await _refused(request, handover_id, "notitie", refused, form=kept)
    raise web.HTTPSeeOther(f"/gesprek/{handover_id}#notities")


async def _finish(
    request: web.Request,
    in_rasa: Callable[[RasaClient, str], Awaitable[None]],
    in_queue: Callable[[Session, int, datetime], object],
    failure: str,
) -> web.StreamResponse:
    """Hand back or close: first Rasa (so the tenant is never left alone), then the queue."""
    handover_id = _id(request)
    form = await read_form(request)
    acting = await _acting_on(request, handover_id, "acties", NOT_YOURS)
    if isinstance(acting, web.Response):
        return acting
    unsent = form.get("tekst", "").strip()
    if unsent:
        # The buttons send the reply box along: a typed reply is never dropped unseen.
        kept = {"tekst": form.get("tekst", "")}
        return await _refused(request, handover_id, "antwoord", UNSENT, form=kept, status=409)
    try:
        await in_rasa(request.app[RASA], acting.conversation_id)
    except RasaError as error:
        return await _refused(request, handover_id, "acties", f"{failure}: {error}.", status=502)
    try:
        with request.app[SESSIONS].begin() as session:
            in_queue(session, handover_id, request.app[CLOCK]())
    except HandoverNotFound:
        pass  # closed meanwhile; the assistant has the conversation either way
    raise web.HTTPSeeOther("/")


async def back_to_bot(request: web.Request) -> web.StreamResponse:
    """Terug naar de assistent: Rasa resumes and continues where it was."""
    return await _finish(request, RasaClient.hand_back, hand_back, "Teruggeven lukte niet")


async def close_conversation(request: web.Request) -> web.StreamResponse:
    """Afsluiten: the agent says goodbye (``teksten.yml``) and the session ends.

    The tenant's next message starts a new session with the assistant (introduction,
    empty slots): without it a tenant who writes again would get the assistant's
    "Sorry, dat begreep ik niet" in the middle of the old conversation.
    """
    name = current(request).display_name
    with request.app[SESSIONS]() as session:
        # The goodbye is in the tenant's language (``teksten_<taal>.yml``).
        stored = _handover(session, _id(request)).summary
    closed = handover_texts(HandoverSummary.from_dict(stored).language).closed

    async def goodbye(rasa: RasaClient, conversation_id: str) -> None:
        await rasa.send_agent_reply(conversation_id, closed, name)
        await rasa.close_session(conversation_id)

    return await _finish(request, goodbye, close, "Afsluiten lukte niet")


def fact_fields(table: DecisionTable, summary: HandoverSummary) -> list[FactField]:
    """The topic's questions for the correction form, each with its answer so far."""
    if not summary.topic or summary.topic not in table.topics:
        return []
    fields = []
    for name in table.topic(summary.topic).questions:
        fact = table.facts[name]
        value = summary.facts.get(name)
        current = UNKNOWN if name in summary.unknown_facts else "" if value is None else str(value)
        options = [(str(o.value).lower(), o.label) for o in fact.options]
        fields.append(FactField(name, fact.question, options, current.lower()))
    return fields


async def correct(request: web.Request) -> web.StreamResponse:
    """Gegevens aanvullen: the agent's values into the conversation, then the summary."""
    handover_id = _id(request)
    form = await read_form(request)
    acting = await _acting_on(request, handover_id, "gegevens", NOT_YOURS)
    if isinstance(acting, web.Response):
        return acting
    plan = plan_correction(request.app[COLLABORATORS], acting.summary, form)
    if plan.errors or not plan.changed:
        errors = dict(plan.errors) or {"gegevens": "Er is niets veranderd."}
        return await render_page(request, handover_id, errors=errors, form=form, status=400)
    try:
        await request.app[RASA].set_slots(acting.conversation_id, plan.slots)
    except RasaError as error:
        failed = f"Niet opgeslagen: {error}. Probeer het opnieuw."
        return await _refused(request, handover_id, "gegevens", failed, form=form, status=502)
    save_correction(request.app[COLLABORATORS], handover_id, plan, current(request).username)
    raise web.HTTPSeeOther(f"/gesprek/{handover_id}#gegevens")


def setup_routes(app: web.Application) -> None:
    """Add the conversation routes."""
    app.router.add_get(r"/gesprek/{handover_id:\d+}", page, name="conversation")
    app.router.add_get(r"/api/gesprek/{handover_id:\d+}/events", events, name="conversation-events")
    app.router.add_post(r"/gesprek/{handover_id:\d+}/antwoord", reply, name="reply")
    app.router.add_post(r"/gesprek/{handover_id:\d+}/notitie", add_internal_note, name="note")
    app.router.add_post(r"/gesprek/{handover_id:\d+}/terug", back_to_bot, name="hand-back")
    app.router.add_post(r"/gesprek/{handover_id:\d+}/afsluiten", close_conversation, name="close")
    app.router.add_post(r"/gesprek/{handover_id:\d+}/gegevens", correct, name="correct")
