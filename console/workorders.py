"""The contractor's acknowledgement link: ``/werkbon/{token}``.

The link in a work order opens a page with one button. Only the button (a POST)
acknowledges: link previews in mail and chat apps open links by themselves, and must
not acknowledge a work order nobody read. An unknown and an expired link get the same
page (see :mod:`meldkamer.dispatch.links`), with the meldkamer's phone number.
"""

from __future__ import annotations

import html

from aiohttp import web
from sqlalchemy.orm import Session

from console.keys import CLOCK, SESSIONS
from meldkamer.contact import MELDKAMER_PHONE
from meldkamer.dispatch.escalation import acknowledge
from meldkamer.dispatch.links import LinkPolicy, UnknownWorkOrder, find_valid
from meldkamer.dispatch.texts import topic_name
from meldkamer.tickets import Ticket

#: How long links work; read from the environment when the routes are added.
LINK_POLICY: web.AppKey[LinkPolicy] = web.AppKey("link_policy")

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


def _not_valid() -> web.Response:
    """One answer for a link that never existed and one that expired."""
    return _page(
        "Deze link werkt niet (meer)",
        "<p>Deze werkbonlink is niet geldig, of verlopen: een link werkt tot enige tijd "
        "nadat de melding is afgerond.</p>"
        "<p>Wilt u iets weten over een werkbon? Bel de meldkamer: "
        f"{html.escape(MELDKAMER_PHONE)}.</p>",
        status=404,
    )


async def show(request: web.Request) -> web.Response:
    """The page behind the link: what the work order is, and the button."""
    token = request.match_info["token"]
    with request.app[SESSIONS]() as session:
        try:
            order = find_valid(session, token, request.app[CLOCK](), request.app[LINK_POLICY])
        except UnknownWorkOrder:
            return _not_valid()
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
            ack = acknowledge(session, token, request.app[CLOCK](), request.app[LINK_POLICY])
        except UnknownWorkOrder:
            return _not_valid()
    text = (
        "Deze werkbon was al bevestigd." if ack.already else "Dank u. De meldkamer weet dat u gaat."
    )
    return _page(f"Werkbon {ack.ticket_number} bevestigd", f"<p>{text}</p>")


def topic_name_for(ticket_id: int, session: Session) -> str:
    """The ticket's number and topic for the page."""
    ticket = session.get(Ticket, ticket_id)
    return f"{ticket.number}: {topic_name(ticket.topic)}" if ticket else "onbekende melding"


def setup_routes(app: web.Application) -> None:
    """Add the work order routes (and how long links work, from the environment)."""
    app[LINK_POLICY] = LinkPolicy.from_env()
    # Tokens are secrets.token_urlsafe: anything else is no link of ours (404 from the
    # router), and never reaches the database (PostgreSQL refuses a NUL with an error).
    token = r"{token:[A-Za-z0-9_-]{1,100}}"
    app.router.add_get(f"/werkbon/{token}", show, name="werkbon")
    app.router.add_post(f"/werkbon/{token}", confirm, name="werkbon-bevestigen")
