"""The contractor's work-order page: ``/werkbon/{token}``.

The link in a work order opens a page with what the contractor needs (address, tenant,
description, answers, deadline) and one big button per next step: bevestigen, onderweg
(with the arrival time), ter plaatse, gereed (with a short report), niet gelukt (with the
reason) and "ik kan niet" (the next contractor is asked at once). Only a button (a POST)
changes anything: link previews in mail and chat apps open links by themselves. No
account: the link is the secret. An unknown and an expired link get the same page (see
:mod:`meldkamer.dispatch.links`), with the meldkamer's phone number. Every step goes
through :func:`meldkamer.service.workorder.update_work_order`.
"""

from __future__ import annotations

import html
from datetime import datetime

from aiohttp import web

from console.forms import read_form
from console.keys import COLLABORATORS
from meldkamer.contact import MELDKAMER_PHONE
from meldkamer.dispatch.lifecycle import DECLINE, ETA_MINUTES, STATUS_LABELS, TransitionError
from meldkamer.dispatch.links import LinkPolicy, UnknownWorkOrder
from meldkamer.dispatch.models import WorkOrderStatus as S
from meldkamer.intake.validation import format_phone
from meldkamer.service.workorder import Request, Via, update_by_token
from meldkamer.service.workorder_view import WorkOrderView, work_order_view
from meldkamer.triage.officehours import AMSTERDAM

#: How long links work; read from the environment when the routes are added.
LINK_POLICY: web.AppKey[LinkPolicy] = web.AppKey("link_policy")

# No inline style: the Content-Security-Policy allows style sheets from /static only.
_PAGE = """<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="stylesheet" href="/static/console.css"></head>
<body class="werkbon"><main><h1>{title}</h1>{body}</main></body></html>"""

#: The button of each step, and what the contractor is told after it.
_BUTTONS = {
    S.BEVESTIGD: ("Ik ga: bevestig de werkbon", "Dank u. De meldkamer weet dat u gaat."),
    S.ONDERWEG: ("Ik ben onderweg", "Dank u. De huurder hoort dat u onderweg bent."),
    S.TER_PLAATSE: ("Ik ben ter plaatse", "Dank u. Genoteerd dat u ter plaatse bent."),
    S.GEREED: ("Gereed: het werk is klaar", "Dank u. De werkbon is gereed gemeld."),
    S.NIET_GELUKT: ("Niet gelukt", "Genoteerd. De meldkamer regelt het vervolg."),
    DECLINE: ("Ik kan niet", "Genoteerd. De meldkamer vraagt meteen een andere aannemer."),
}
_ETA_CHOICES = (15, 30, 45, 60, 90, 120)


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


def _when(moment: datetime | None) -> str:
    return moment.astimezone(AMSTERDAM).strftime("%d-%m %H:%M") if moment else "-"


def _details(view: WorkOrderView) -> str:
    e = html.escape
    phone = format_phone(view.tenant_phone)
    rows = [
        ("Status", view.status_label + (f", verwacht {_when(view.eta_at)}" if view.eta_at else "")),
        ("Onderwerp", f"{view.topic} ({view.urgency})"),
        ("Adres", view.address),
        ("Uiterlijk", _when(view.deadline)),
        ("Omschrijving", view.description),
    ]
    cells = "".join(f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in rows)
    cells += (
        f"<dt>Huurder</dt><dd>{e(view.tenant_name)}, "
        f'<a href="tel:{e(view.tenant_phone)}">{e(phone)}</a></dd>'
    )
    answers = "".join(f"<li>{e(a)}</li>" for a in view.answers) or "<li>geen vragen nodig</li>"
    photos = (
        f"<p>Foto's van de huurder: {view.photos} (vraag de meldkamer).</p>" if view.photos else ""
    )
    history = "".join(
        f"<li>{_when(h.at)} {e(h.label)} ({e(h.by)}){': ' + e(h.note) if h.note else ''}</li>"
        for h in view.history
    )
    return f'<dl class="gegevens">{cells}</dl><h2>Antwoorden</h2><ul>{answers}</ul>{photos}' + (
        f"<h2>Geschiedenis</h2><ol>{history}</ol>" if history else ""
    )


def _form(action: str, status: S) -> str:
    label = html.escape(_BUTTONS[status][0])
    extra = ""
    if status is S.ONDERWEG:
        options = "".join(f'<option value="{m}">{m} minuten</option>' for m in _ETA_CHOICES)
        extra = f'<label>Aankomst over <select name="eta" required>{options}</select></label>'
    elif status is S.GEREED:
        extra = '<label>Kort verslag <textarea name="note" maxlength="1000"></textarea></label>'
    elif status is S.NIET_GELUKT:
        extra = '<label>Reden <textarea name="note" maxlength="1000" required></textarea></label>'
    css = "stap gevaar" if status is DECLINE else "stap"
    return (
        f'<form method="post" action="{action}" class="{css}">'
        f'<input type="hidden" name="status" value="{status.value}">{extra}'
        f'<button type="submit">{label}</button></form>'
    )


async def show(request: web.Request) -> web.Response:
    """The page behind the link: the work order, and a button per next step."""
    token = request.match_info["token"]
    try:
        view = work_order_view(request.app[COLLABORATORS], token, request.app[LINK_POLICY])
    except (UnknownWorkOrder, LookupError):
        return _not_valid()
    action = request.app.router["werkbon-bevestigen"].url_for(token=token)
    forms = "".join(_form(str(action), step) for step in view.next_steps if step in _BUTTONS)
    if view.status == S.BEVESTIGD.value:
        forms = f"<p>U heeft deze werkbon al bevestigd.</p>{forms}"
    title = f"Werkbon {view.number}: {view.topic}"
    return _page(title, _details(view) + (forms or "<p>Deze werkbon is afgesloten.</p>"))


def _minutes(text: str) -> int | None:
    low, high = ETA_MINUTES
    return int(text) if text.isdigit() and low <= int(text) <= high else None


async def confirm(request: web.Request) -> web.Response:
    """A button: apply the step (without a ``status`` field: acknowledge, as before)."""
    token = request.match_info["token"]
    form = await read_form(request)
    asked = form.get("status") or S.BEVESTIGD.value
    if asked not in STATUS_LABELS:
        return _page("Onbekende stap", "<p>Deze stap bestaat niet.</p>", status=400)
    step = S(asked)
    c = request.app[COLLABORATORS]
    try:
        change = update_by_token(
            c,
            token,
            Request(
                step,
                by="aannemer",
                via=Via.PAGINA,
                eta_minutes=_minutes(form.get("eta", "")),
                note=form.get("note"),
            ),
            request.app[LINK_POLICY],
        )
    except UnknownWorkOrder:
        return _not_valid()
    except TransitionError as error:
        return _page("Dit kan niet", f"<p>{html.escape(str(error))}.</p>", status=409)
    number = change.ticket.number
    if change.already:
        return _page(
            f"Werkbon {number}", f"<p>Deze werkbon was al {html.escape(STATUS_LABELS[asked])}.</p>"
        )
    back = request.app.router["werkbon"].url_for(token=token)
    text = html.escape(_BUTTONS.get(step, ("", "Genoteerd."))[1])
    return _page(
        f"Werkbon {number} {STATUS_LABELS[asked]}",
        f'<p>{text}</p><p><a href="{back}">Terug naar de werkbon</a></p>',
    )


def setup_routes(app: web.Application) -> None:
    """Add the work order routes (and how long links work, from the environment)."""
    app[LINK_POLICY] = LinkPolicy.from_env()
    # Tokens are secrets.token_urlsafe: anything else is no link of ours (404 from the
    # router), and never reaches the database (PostgreSQL refuses a NUL with an error).
    token = r"{token:[A-Za-z0-9_-]{1,100}}"
    app.router.add_get(f"/werkbon/{token}", show, name="werkbon")
    app.router.add_post(f"/werkbon/{token}", confirm, name="werkbon-bevestigen")
