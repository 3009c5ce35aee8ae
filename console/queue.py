"""The queue (``/``): two lanes, live conversations and call-backs, lives first.

Each lane lists the waiting items first, acuut on top, then urgent, then the rest, the
longest waiting first within one urgency; taken items follow. The page updates in place
(``/api/queue/events``); a new acuut item raises the alert of ``static/queue.js``
(sound, title count, highlight, desktop notification). Taking one is a POST and one
conditional UPDATE in :func:`meldkamer.handover.service.take`, so of two agents clicking
at once exactly one gets the conversation; the other is told who.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aiohttp import web
from sqlalchemy.orm import Session

from console.events import stream
from console.identity import current
from console.keys import CLIENTS, CLOCK, SESSIONS
from console.rasa_client import announce_agent
from console.rendering import render, render_string
from meldkamer.agents.accounts import display_names
from meldkamer.agents.scope import UNLIMITED, AgentScope
from meldkamer.handover.models import Handover, HandoverStatus
from meldkamer.handover.service import AlreadyTaken, HandoverNotFound, lanes, take
from meldkamer.handover.summary import HandoverSummary

ACUTE_RANK = 2


@dataclass(frozen=True)
class QueueRow:
    """One line of the queue, ready for the template."""

    id: int
    urgency: str | None
    urgency_rank: int
    topic: str | None
    address: str | None
    phone: str | None
    client: str | None
    waiting_minutes: int
    reason: str
    callback: bool
    channel: str
    status: str
    taken_by: str | None
    taken_by_me: bool
    ticket: str | None

    @property
    def waiting(self) -> bool:
        """No agent has it yet."""
        return self.status == HandoverStatus.WACHTEND.value

    @property
    def acute_waiting(self) -> bool:
        """Acuut and nobody has it: the alert is for these."""
        return self.waiting and self.urgency_rank >= ACUTE_RANK


@dataclass(frozen=True)
class QueueView:
    """Both lanes of the queue."""

    live: list[QueueRow]
    callbacks: list[QueueRow]

    @property
    def rows(self) -> list[QueueRow]:
        return self.live + self.callbacks

    def data(self) -> dict[str, Any]:
        """The counts the page's script shows: title, status line, alert."""
        return {
            "count": len(self.rows),
            "waiting": sum(1 for row in self.rows if row.waiting),
            "live_waiting": sum(1 for row in self.live if row.waiting),
            "callbacks_waiting": sum(1 for row in self.callbacks if row.waiting),
            "acute": [row.id for row in self.rows if row.acute_waiting],
        }


def agent_names(session: Session) -> dict[str, str]:
    """Display names by username (handovers, notes and edits record the username)."""
    return display_names(session)


def _row(
    handover: Handover, now: datetime, me: str, names: Mapping[str, str], clients: Mapping[str, str]
) -> QueueRow:
    summary = HandoverSummary.from_dict(handover.summary)
    client_id = handover.client_id or summary.client_id
    return QueueRow(
        id=handover.id,
        urgency=summary.urgency,
        urgency_rank=handover.urgency_rank,
        topic=summary.topic,
        address=summary.address,
        phone=summary.phone,
        client=clients.get(client_id, client_id) if client_id else None,
        waiting_minutes=max(0, int((now - handover.requested_at).total_seconds() // 60)),
        reason=handover.reason,
        callback=handover.callback,
        channel=handover.channel,
        status=handover.status,
        taken_by=names.get(handover.agent, handover.agent) if handover.agent else None,
        taken_by_me=handover.agent == me,
        ticket=summary.ticket,
    )


def view(
    session: Session,
    now: datetime,
    me: str,
    scope: AgentScope = UNLIMITED,
    clients: Mapping[str, str] | None = None,
) -> QueueView:
    """The open handovers of ``scope``'s clients in two lanes; ``clients``: names by id."""
    names = agent_names(session)
    found = lanes(session, scope)
    known = clients or {}
    return QueueView(
        live=[_row(h, now, me, names, known) for h in found.live],
        callbacks=[_row(h, now, me, names, known) for h in found.callbacks],
    )


def _client_names(request: web.Request) -> dict[str, str]:
    return {client.id: client.name for client in request.app[CLIENTS].registry()}


def _view_for(request: web.Request) -> QueueView:
    clients = _client_names(request)
    with request.app[SESSIONS]() as session:
        me = current(request)
        return view(session, request.app[CLOCK](), me.username, me.scope, clients)


def _page(request: web.Request, error: str | None, status: int = 200) -> web.StreamResponse:
    queue = _view_for(request)
    return render(
        request,
        "queue.html",
        {"queue": queue, "counts": queue.data(), "error": error},
        status=status,
    )


async def page(request: web.Request) -> web.StreamResponse:
    """The queue page."""
    return _page(request, None)


async def events(request: web.Request) -> web.StreamResponse:
    """The queue's lanes as an HTML fragment with their counts, whenever they change."""

    async def produce() -> dict[str, Any]:
        queue = _view_for(request)
        html = render_string(request, "_queue_rows.html", {"queue": queue})
        return {"html": html, **queue.data()}

    return await stream(request, "wachtrij", produce)


async def take_handover(request: web.Request) -> web.StreamResponse:
    """Neem over: the conversation becomes this agent's, or a clear 'already taken'."""
    me = current(request)
    handover_id = int(request.match_info["handover_id"])
    now = request.app[CLOCK]()
    try:
        with request.app[SESSIONS].begin() as session:
            taken = take(session, handover_id, me.username, now)
            conversation_id = taken.conversation_id
            language = HandoverSummary.from_dict(taken.summary).language
    except HandoverNotFound:
        raise web.HTTPNotFound(text="Dit gesprek bestaat niet.") from None
    except AlreadyTaken:
        with request.app[SESSIONS]() as session:
            handover = session.get(Handover, handover_id)
            names = agent_names(session)
        assert handover is not None  # take() found it
        if handover.agent == me.username:
            raise web.HTTPSeeOther(f"/gesprek/{handover_id}") from None
        if handover.status == HandoverStatus.IN_BEHANDELING.value:
            who = names.get(handover.agent or "", handover.agent or "een collega")
            error = f"Dit gesprek is al overgenomen door {who}."
        else:
            error = "Dit gesprek staat niet meer in de wachtrij."
        return _page(request, error, status=409)
    await announce_agent(request.app, conversation_id, me.display_name, language)
    raise web.HTTPSeeOther(f"/gesprek/{handover_id}")


def setup_routes(app: web.Application) -> None:
    """Add the queue routes."""
    app.router.add_get("/", page, name="queue")
    app.router.add_get("/api/queue/events", events, name="queue-events")
    app.router.add_post(r"/overnemen/{handover_id:\d+}", take_handover, name="take")
