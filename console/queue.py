"""The queue (``/``): open handovers, most urgent first, then the longest waiting.

New handovers appear without a reload (``/api/queue/events``). Taking one is a POST
and one conditional UPDATE in :func:`meldkamer.handover.service.take`, so of two
agents clicking at once exactly one gets the conversation; the other is told who.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aiohttp import web
from sqlalchemy.orm import Session

from console.events import stream
from console.identity import current
from console.keys import CLOCK, SESSIONS
from console.rasa_client import announce_agent
from console.rendering import render, render_string
from meldkamer.agents.accounts import display_names
from meldkamer.agents.scope import UNLIMITED, AgentScope
from meldkamer.handover.models import Handover, HandoverStatus
from meldkamer.handover.service import AlreadyTaken, HandoverNotFound, queue, take
from meldkamer.handover.summary import HandoverSummary


@dataclass(frozen=True)
class QueueRow:
    """One line of the queue, ready for the template."""

    id: int
    urgency: str | None
    urgency_rank: int
    topic: str | None
    address: str | None
    waiting_minutes: int
    reason: str
    callback: bool
    channel: str
    status: str
    taken_by: str | None
    taken_by_me: bool
    ticket: str | None


def agent_names(session: Session) -> dict[str, str]:
    """Display names by username (handovers, notes and edits record the username)."""
    return display_names(session)


def rows(session: Session, now: datetime, me: str, scope: AgentScope = UNLIMITED) -> list[QueueRow]:
    """The open handovers of ``scope``'s clients in queue order."""
    names = agent_names(session)
    result = []
    for handover in queue(session, scope):
        summary = HandoverSummary.from_dict(handover.summary)
        result.append(
            QueueRow(
                id=handover.id,
                urgency=summary.urgency,
                urgency_rank=handover.urgency_rank,
                topic=summary.topic,
                address=summary.address,
                waiting_minutes=max(0, int((now - handover.requested_at).total_seconds() // 60)),
                reason=handover.reason,
                callback=handover.callback,
                channel=handover.channel,
                status=handover.status,
                taken_by=names.get(handover.agent, handover.agent) if handover.agent else None,
                taken_by_me=handover.agent == me,
                ticket=summary.ticket,
            )
        )
    return result


def _rows_for(request: web.Request) -> list[QueueRow]:
    with request.app[SESSIONS]() as session:
        me = current(request)
        return rows(session, request.app[CLOCK](), me.username, me.scope)


async def page(request: web.Request) -> web.StreamResponse:
    """The queue page."""
    return render(request, "queue.html", {"rows": _rows_for(request), "error": None})


async def events(request: web.Request) -> web.StreamResponse:
    """The queue's rows as an HTML fragment, whenever they change."""

    async def produce() -> dict[str, Any]:
        found = _rows_for(request)
        return {
            "html": render_string(request, "_queue_rows.html", {"rows": found}),
            "count": len(found),
            "waiting": sum(1 for row in found if row.status == HandoverStatus.WACHTEND.value),
        }

    return await stream(request, "wachtrij", produce)


async def take_handover(request: web.Request) -> web.StreamResponse:
    """Neem over: the conversation becomes this agent's, or a clear 'already taken'."""
    me = current(request)
    handover_id = int(request.match_info["handover_id"])
    now = request.app[CLOCK]()
    try:
        with request.app[SESSIONS].begin() as session:
            conversation_id = take(session, handover_id, me.username, now).conversation_id
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
        return render(
            request, "queue.html", {"rows": _rows_for(request), "error": error}, status=409
        )
    await announce_agent(request.app, conversation_id, me.display_name)
    raise web.HTTPSeeOther(f"/gesprek/{handover_id}")


def setup_routes(app: web.Application) -> None:
    """Add the queue routes."""
    app.router.add_get("/", page, name="queue")
    app.router.add_get("/api/queue/events", events, name="queue-events")
    app.router.add_post(r"/overnemen/{handover_id:\d+}", take_handover, name="take")
