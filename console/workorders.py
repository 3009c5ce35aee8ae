"""The contractor's acknowledgement link: ``/werkbon/{token}``.

The link in a work order opens a page with one button. Only the button (a POST)
acknowledges: link previews in mail and chat apps open links by themselves, and must
not acknowledge a work order nobody read.
"""

from __future__ import annotations

import html

from aiohttp import web
from sqlalchemy.orm import Session

from console.keys import CLOCK, SESSIONS
from meldkamer.dispatch.escalation import UnknownWorkOrder, acknowledge, find_by_token
from meldkamer.dispatch.texts import topic_name
from meldkamer.tickets import Ticket

_PAGE = """<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>body{{font:18px/1.5 system-ui,sans-serif;max-width:36em;margin:2em auto;padding:0 1em;color:#1a1a1a}}
button{{font:inherit;background:#0b3d91;color:#fff;border:0;border-radius:8px;padding:.8em 1.4em}}
button:focus-visible{{outline:3px solid #ffbf47;outline-offset:2px}}</style></head>
<body><main><h1>{title}</h1>{body}</main></body></html>"""


def _page(title: str, body: str, status: int = 200) -> web.Response:
    return web.Response(
        text=_PAGE.format(title=html.escape(title), body=body),
        status=status,
        content_type="text/html",
    )


async def show(request: web.Request) -> web.Response:
    """The page behind the link: what the work order is, and the button."""
    token = request.match_info["token"]
    with request.app[SESSIONS]() as session:
        try:
            order = find_by_token(session, token)
        except UnknownWorkOrder:
            return _page(
                "Werkbon niet gevonden", "<p>Deze link is niet (meer) geldig.</p>", status=404
            )
        summary = f"{topic_name_for(order.ticket_id, session)} ({order.urgency})"
        if order.status == "bevestigd":
            return _page(
                "Werkbon bevestigd",
                f"<p>U heeft deze werkbon al bevestigd: {html.escape(summary)}.</p>",
            )
    action = request.app.router["werkbon"].url_for(token=token)
    body = (
        f"<p>{html.escape(summary)} voor {html.escape(order.contractor_name)}.</p>"
        f'<form method="post" action="{action}"><button type="submit">Ik ga: bevestig de werkbon</button></form>'
    )
    return _page("Werkbon bevestigen", body)


async def confirm(request: web.Request) -> web.Response:
    """The button: record the acknowledgement."""
    token = request.match_info["token"]
    with request.app[SESSIONS].begin() as session:
        try:
            ack = acknowledge(session, token, request.app[CLOCK]())
        except UnknownWorkOrder:
            return _page(
                "Werkbon niet gevonden", "<p>Deze link is niet (meer) geldig.</p>", status=404
            )
    text = (
        "Deze werkbon was al bevestigd." if ack.already else "Dank u. De meldkamer weet dat u gaat."
    )
    return _page(f"Werkbon {ack.ticket_number} bevestigd", f"<p>{text}</p>")


def topic_name_for(ticket_id: int, session: Session) -> str:
    """The ticket's number and topic for the page."""
    ticket = session.get(Ticket, ticket_id)
    return f"{ticket.number}: {topic_name(ticket.topic)}" if ticket else "onbekende melding"


def setup_routes(app: web.Application) -> None:
    """Add the work order routes."""
    app.router.add_get("/werkbon/{token}", show, name="werkbon")
    app.router.add_post("/werkbon/{token}", confirm, name="werkbon-bevestigen")
