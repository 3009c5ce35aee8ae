"""Supervisors only (``/beheer``): who is at the console, and every handover so far."""

from __future__ import annotations

from aiohttp import web

from console.auth import supervisor_only
from console.identity import current
from console.keys import CLOCK, SESSIONS
from console.queue import agent_names
from console.rendering import render
from meldkamer.agents.accounts import is_present, list_agents
from meldkamer.handover.service import availability, history

HISTORY_LIMIT = 200


@supervisor_only
async def page(request: web.Request) -> web.StreamResponse:
    """Agents with presence, the availability the bot sees, and the handover history."""
    now = request.app[CLOCK]()
    with request.app[SESSIONS]() as session:
        agents = list_agents(session)
        return render(
            request,
            "beheer.html",
            {
                "agents": [(agent, is_present(agent, now)) for agent in agents],
                "availability": availability(session, now),
                "history": history(session, HISTORY_LIMIT, current(request).scope),
                "names": agent_names(session),
                "limit": HISTORY_LIMIT,
            },
        )


def setup_routes(app: web.Application) -> None:
    """Add the supervisor routes."""
    app.router.add_get("/beheer", page, name="beheer")
