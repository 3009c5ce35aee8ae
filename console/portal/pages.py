"""The portal's read-only pages: the month so far, meldingen, one melding, photos, the file.

Each handler passes the signed-in user's client id to a read of :mod:`meldkamer.portal`;
another client's ticket or photo is not found there, and answers 404 like one that does
not exist.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from aiohttp import web

from console.attachments import inside
from console.keys import CLIENTS, CLOCK, SESSIONS, SETTINGS
from console.portal.auth import PortalRoutes
from console.portal.keys import me
from console.portal.rendering import error_page, render
from meldkamer.clientview import URGENCY_LABELS
from meldkamer.contacts import CHANNEL_LABELS
from meldkamer.portal.clientfile import client_file
from meldkamer.portal.meldingen import Filters, dossier, month_overview, photo, search
from meldkamer.tickets.models import STATUS_LABELS
from meldkamer.triage.officehours import AMSTERDAM

#: The channels a tenant reaches the meldkamer by (the others are internal).
TENANT_CHANNELS = ("webchat", "whatsapp", "telegram", "rest", "sms", "email", "telefoon")


def _not_found(request: web.Request, what: str) -> web.Response:
    return error_page(request, "Niet gevonden", f"{what} bestaat niet of is niet van u.", 404)


async def start(request: web.Request) -> web.StreamResponse:
    """``/portaal`` goes to the overview."""
    raise web.HTTPSeeOther(str(request.app.router["portaal-overzicht"].url_for()))


async def overview(request: web.Request) -> web.StreamResponse:
    """The current month so far, live: totals by urgency, status, channel and topic."""
    who = me(request)
    with request.config_dict[SESSIONS]() as session:
        month = month_overview(session, who.client_id, request.config_dict[CLOCK]())
    return render(request, "overzicht.html", {"month": month, "client": _client_name(request)})


def _client_name(request: web.Request) -> str:
    registry = request.config_dict[CLIENTS].registry()
    client_id = me(request).client_id
    return registry.get(client_id).name if client_id in registry else client_id


def _day(text: str, *, end: bool) -> datetime | None:
    try:
        day = datetime.strptime(text.strip(), "%Y-%m-%d").date()
    except ValueError:
        return None
    moment = datetime.combine(day, time(0), tzinfo=AMSTERDAM)
    return moment + timedelta(days=1) if end else moment


def _filters(request: web.Request) -> tuple[Filters, dict[str, str]]:
    query = {
        key: request.query.get(key, "")[:200]
        for key in ("q", "urgentie", "status", "kanaal", "van", "tot")
    }
    filters = Filters(
        text=query["q"],
        urgency=query["urgentie"] if query["urgentie"] in URGENCY_LABELS else "",
        status=query["status"] if query["status"] in STATUS_LABELS else "",
        channel=query["kanaal"] if query["kanaal"] in TENANT_CHANNELS else "",
        start=_day(query["van"], end=False),
        end=_day(query["tot"], end=True),
    )
    return filters, query


async def meldingen(request: web.Request) -> web.StreamResponse:
    """The client's meldingen: search by number, address, topic or name; filters."""
    who = me(request)
    filters, query = _filters(request)
    with request.config_dict[SESSIONS]() as session:
        found = search(session, who.client_id, filters, request.config_dict[CLOCK]())
    return render(
        request,
        "meldingen.html",
        {
            "meldingen": found,
            "query": query,
            "urgencies": list(URGENCY_LABELS.items()),
            "statuses": list(STATUS_LABELS.items()),
            "channels": [(code, CHANNEL_LABELS.label(code)) for code in TENANT_CHANNELS],
        },
    )


async def melding(request: web.Request) -> web.StreamResponse:
    """One melding with its history, work orders, contact log and photos."""
    who = me(request)
    number = request.match_info["number"]
    with request.config_dict[SESSIONS]() as session:
        found = dossier(session, who.client_id, number)
    if found is None:
        return _not_found(request, "Deze melding")
    return render(request, "melding.html", {"d": found})


async def foto(request: web.Request) -> web.StreamResponse:
    """A photo of one of the client's meldingen, found through its record, never a path."""
    who = me(request)
    with request.config_dict[SESSIONS]() as session:
        found = photo(
            session,
            who.client_id,
            request.match_info["number"],
            int(request.match_info["attachment_id"]),
        )
        record = None if found is None else (found.path, found.content_type)
    path = (
        None if record is None else inside(request.config_dict[SETTINGS].photos_root(), record[0])
    )
    if record is None or path is None or not record[1].startswith("image/"):
        return _not_found(request, "Deze foto")
    return web.FileResponse(
        path,
        headers={
            "Content-Type": record[1],
            "Content-Disposition": "inline",
            "Cache-Control": "private, no-store",
        },
    )


async def klantdossier(request: web.Request) -> web.StreamResponse:
    """The client's file in plain Dutch (the version in force)."""
    registry = request.config_dict[CLIENTS].registry()
    client_id = me(request).client_id
    if client_id not in registry:
        return _not_found(request, "Het klantdossier")
    client = registry.get(client_id)
    return render(request, "klantdossier.html", {"client": client, "sections": client_file(client)})


def setup_routes(routes: PortalRoutes) -> None:
    """Add the read-only pages."""
    routes.get("", start, name="portaal-start")
    routes.get("/", overview, name="portaal-overzicht")
    routes.get("/meldingen", meldingen, name="portaal-meldingen")
    routes.get(r"/meldingen/{number:MK-\d{4}-\d{6}}", melding, name="portaal-melding")
    routes.get(
        r"/meldingen/{number:MK-\d{4}-\d{6}}/fotos/{attachment_id:\d{1,12}}",
        foto,
        name="portaal-foto",
    )
    routes.get("/klantdossier", klantdossier, name="portaal-klantdossier")
