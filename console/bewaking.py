"""Bewaking (``/bewaking``): every open SLA clock, time left, colour by risk, most at risk first.

The rows refresh without a reload (``/api/bewaking/events``, the console's SSE pattern).
A breached clock can be taken on ("Opgepakt"): its escalation stops, registered with who
and when (:func:`meldkamer.sla.escalate.take_on`). The supervisor and the client's piket
take their step on through the link in their SMS and e-mail (``/sla/{token}``: no account,
the link is the secret, one big button; :mod:`meldkamer.service.sla_ack`).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from console.events import stream
from console.forms import read_form
from console.identity import current
from console.keys import CLOCK, COLLABORATORS, SESSIONS
from console.rendering import render, render_string
from console.workorders import LINK_POLICY
from meldkamer.contact import MELDKAMER_PHONE
from meldkamer.service.sla_ack import acknowledge_step, show_step
from meldkamer.sla.about import NO_TICKET
from meldkamer.sla.ack import AckView, UnknownAck
from meldkamer.sla.escalate import NotWatched, take_on
from meldkamer.sla.service import Watched, watched


def _rows(request: web.Request) -> list[Watched]:
    with request.app[SESSIONS]() as session:
        return watched(session, request.app[CLOCK](), current(request).scope)


def left_text(seconds: float) -> str:
    """``nog 12 min``, ``nog 3 u 05 min``, ``12 min te laat``."""
    minutes = int(abs(seconds) // 60)
    span = f"{minutes // 60} u {minutes % 60:02d} min" if minutes >= 60 else f"{minutes} min"
    return f"nog {span}" if seconds > 0 else f"{span} te laat"


def _values(rows: list[Watched]) -> dict[str, Any]:
    return {"rows": rows, "left": left_text, "no_ticket": NO_TICKET}


async def page(request: web.Request) -> web.StreamResponse:
    """The Bewaking page."""
    return render(request, "bewaking.html", {**_values(_rows(request)), "error": None})


async def events(request: web.Request) -> web.StreamResponse:
    """The rows as an HTML fragment, whenever they change (time left changes each minute)."""

    async def produce() -> dict[str, Any]:
        found = _rows(request)
        return {
            "html": render_string(request, "_bewaking_rows.html", _values(found)),
            "count": len(found),
            "breached": sum(1 for row in found if row.risk.level == "verlopen"),
        }

    return await stream(request, "bewaking", produce)


async def take(request: web.Request) -> web.StreamResponse:
    """Opgepakt: a person takes the breach on; the escalation stops."""
    me = current(request)
    note = (await read_form(request)).get("notitie", "")[:500]
    try:
        with request.app[SESSIONS].begin() as session:
            take_on(
                session,
                int(request.match_info["clock_id"]),
                me.username,
                request.app[CLOCK](),
                note,
            )
    except NotWatched:
        values = {**_values(_rows(request)), "error": "Deze klok wacht niet (meer) op iemand."}
        return render(request, "bewaking.html", values, status=409)
    raise web.HTTPSeeOther("/bewaking")


def _step_page(request: web.Request, found: AckView, title: str) -> web.Response:
    action = str(request.app.router["sla-opgepakt"].url_for(token=request.match_info["token"]))
    values = {"title": title, "view": found, "action": action, "phone": MELDKAMER_PHONE}
    return render(request, "sla_stap.html", values)


def _unknown(request: web.Request) -> web.Response:
    """One answer for a link that never existed, was replaced by a later step, or expired."""
    lines = (
        "Deze link is niet geldig, of verlopen: een escalatielink werkt zolang zijn stap wacht.",
        f"Wilt u iets weten over een melding? Bel de meldkamer: {MELDKAMER_PHONE}.",
    )
    values = {"title": "Deze link werkt niet (meer)", "lines": lines, "back": ""}
    return render(request, "werkbon_bericht.html", values, status=404)


async def step_link(request: web.Request) -> web.Response:
    """The page behind the link: what is late, and the one button."""
    try:
        found = show_step(
            request.app[COLLABORATORS], request.match_info["token"], request.app[LINK_POLICY]
        )
    except UnknownAck:
        return _unknown(request)
    return _step_page(request, found, f"SLA verlopen: {found.what}")


async def step_taken(request: web.Request) -> web.Response:
    """The button: the step is taken on, the escalation stops."""
    try:
        found, already = acknowledge_step(
            request.app[COLLABORATORS], request.match_info["token"], request.app[LINK_POLICY]
        )
    except UnknownAck:
        return _unknown(request)
    return _step_page(request, found, "Was al opgepakt" if already else "Dank u: opgepakt")


def setup_routes(app: web.Application) -> None:
    """Add the Bewaking routes."""
    app.router.add_get("/bewaking", page, name="bewaking")
    app.router.add_get("/api/bewaking/events", events, name="bewaking-events")
    app.router.add_post(r"/bewaking/{clock_id:\d+}/opgepakt", take, name="bewaking-opgepakt")
    # Secrets are secrets.token_urlsafe: anything else never reaches the database.
    token = r"{token:[A-Za-z0-9_-]{1,100}}"
    app.router.add_get(f"/sla/{token}", step_link, name="sla-link")
    app.router.add_post(f"/sla/{token}", step_taken, name="sla-opgepakt")
