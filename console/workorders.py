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

# No inline style: the Content-Security-Policy allows style sheets from /static only.
_PAGE = """<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="stylesheet" href="/static/console.css"></head>
<body class="werkbon"><main><h1>{title}</h1>{body}</main></body></html>"""


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
    # Tokens are secrets.token_urlsafe: anything else is no link of ours (404 from the
    # router), and never reaches the database (PostgreSQL refuses a NUL with an error).
    token = r"{token:[A-Za-z0-9_-]{1,100}}"
    app.router.add_get(f"/werkbon/{token}", show, name="werkbon")
    app.router.add_post(f"/werkbon/{token}", confirm, name="werkbon-bevestigen")
