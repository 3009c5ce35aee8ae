"""The contractor's work-order page: ``/werkbon/{token}``.

The link in a work order opens a page with what the contractor needs (address, tenant,
description, answers, deadline) and one big button per next step: bevestigen, onderweg
(with the arrival time), ter plaatse, gereed (with a short report), niet gelukt (with the
reason) and "ik kan niet" (the next contractor is asked at once). Only a button (a POST)
changes anything: link previews in mail and chat apps open links by themselves. No
account: the link is the secret. An unknown and an expired link get the same page (see
:mod:`meldkamer.dispatch.links`), with the meldkamer's phone number. Every step goes
through :func:`meldkamer.service.workorder.update_work_order`. The HTML is in
``templates/werkbon*.html`` (mobile first: ``body.werkbon`` in console.css).
"""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from console.forms import read_form
from console.keys import COLLABORATORS
from console.rendering import render
from meldkamer.contact import MELDKAMER_PHONE
from meldkamer.dispatch.lifecycle import DECLINE, ETA_MINUTES, STATUS_LABELS, TransitionError
from meldkamer.dispatch.links import LinkPolicy, UnknownWorkOrder
from meldkamer.dispatch.models import WorkOrderStatus as S
from meldkamer.service.workorder import Request, Via, update_by_token
from meldkamer.service.workorder_view import work_order_view

#: How long links work; read from the environment when the routes are added.
LINK_POLICY: web.AppKey[LinkPolicy] = web.AppKey("link_policy")


@dataclass(frozen=True)
class Button:
    """One step's button, what it asks for, and what the contractor is told after it.

    Attributes:
        note: the label of the text field the step has (``None``: no text field).
    """

    label: str
    done: str
    note: str | None = None
    note_required: bool = False
    eta: bool = False
    danger: bool = False


_BUTTONS = {
    S.BEVESTIGD: Button("Ik ga: bevestig de werkbon", "Dank u. De meldkamer weet dat u gaat."),
    S.ONDERWEG: Button(
        "Ik ben onderweg", "Dank u. De huurder hoort dat u onderweg bent.", eta=True
    ),
    S.TER_PLAATSE: Button("Ik ben ter plaatse", "Dank u. Genoteerd dat u ter plaatse bent."),
    S.GEREED: Button(
        "Gereed: het werk is klaar", "Dank u. De werkbon is gereed gemeld.", note="Kort verslag"
    ),
    S.NIET_GELUKT: Button(
        "Niet gelukt",
        "Genoteerd. De meldkamer regelt het vervolg.",
        note="Reden",
        note_required=True,
    ),
    DECLINE: Button(
        "Ik kan niet", "Genoteerd. De meldkamer vraagt meteen een andere aannemer.", danger=True
    ),
}
_ETA_CHOICES = (15, 30, 45, 60, 90, 120)


def _message(
    request: web.Request, title: str, *lines: str, back: str = "", status: int = 200
) -> web.Response:
    values = {"title": title, "lines": lines, "back": back}
    return render(request, "werkbon_bericht.html", values, status=status)


def _not_valid(request: web.Request) -> web.Response:
    """One answer for a link that never existed and one that expired."""
    return _message(
        request,
        "Deze link werkt niet (meer)",
        "Deze werkbonlink is niet geldig, of verlopen: een link werkt tot enige tijd "
        "nadat de melding is afgerond.",
        f"Wilt u iets weten over een werkbon? Bel de meldkamer: {MELDKAMER_PHONE}.",
        status=404,
    )


def _steps(next_steps: list[S]) -> list[tuple[str, Button]]:
    """(status, button) of each next step that has a button, in the order of the work."""
    return [(step.value, _BUTTONS[step]) for step in next_steps if step in _BUTTONS]


async def show(request: web.Request) -> web.Response:
    """The page behind the link: the work order, and a button per next step."""
    token = request.match_info["token"]
    try:
        view = work_order_view(request.app[COLLABORATORS], token, request.app[LINK_POLICY])
    except (UnknownWorkOrder, LookupError):
        return _not_valid(request)
    values = {
        "title": f"Werkbon {view.number}: {view.topic}",
        "view": view,
        "steps": _steps(view.next_steps),
        "action": str(request.app.router["werkbon-bevestigen"].url_for(token=token)),
        "acknowledged": view.status == S.BEVESTIGD.value,
        "eta_choices": _ETA_CHOICES,
        "phone": MELDKAMER_PHONE,
    }
    return render(request, "werkbon.html", values)


def _minutes(text: str) -> int | None:
    low, high = ETA_MINUTES
    return int(text) if text.isdigit() and low <= int(text) <= high else None


async def confirm(request: web.Request) -> web.Response:
    """A button: apply the step (without a ``status`` field: acknowledge, as before)."""
    token = request.match_info["token"]
    form = await read_form(request)
    asked = form.get("status") or S.BEVESTIGD.value
    if asked not in STATUS_LABELS:
        return _message(request, "Onbekende stap", "Deze stap bestaat niet.", status=400)
    step = S(asked)
    back = str(request.app.router["werkbon"].url_for(token=token))
    try:
        change = update_by_token(
            request.app[COLLABORATORS],
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
        return _not_valid(request)
    except TransitionError as error:
        return _message(request, "Dit kan niet", f"{error}.", back=back, status=409)
    number = change.ticket.number
    if change.already:
        return _message(
            request, f"Werkbon {number}", f"Deze werkbon was al {STATUS_LABELS[asked]}.", back=back
        )
    button = _BUTTONS.get(step)
    return _message(
        request,
        f"Werkbon {number} {STATUS_LABELS[asked]}",
        button.done if button else "Genoteerd.",
        back=back,
    )


def setup_routes(app: web.Application) -> None:
    """Add the work order routes (and how long links work, from the environment)."""
    app[LINK_POLICY] = LinkPolicy.from_env()
    # Tokens are secrets.token_urlsafe: anything else is no link of ours (404 from the
    # router), and never reaches the database (PostgreSQL refuses a NUL with an error).
    token = r"{token:[A-Za-z0-9_-]{1,100}}"
    app.router.add_get(f"/werkbon/{token}", show, name="werkbon")
    app.router.add_post(f"/werkbon/{token}", confirm, name="werkbon-bevestigen")
