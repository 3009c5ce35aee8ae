"""Server-side HTML with Jinja2: autoescaping is on for every template, always.

Whatever a tenant typed reaches a page only through ``{{ ... }}``, which escapes it;
templates never use ``|safe`` on data. The Content-Security-Policy (no inline
scripts) is the second line of defence.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import jinja2
from aiohttp import web

from console.identity import signed_in
from console.keys import CLOCK, TEMPLATES
from meldkamer.contacts import CHANNEL_LABELS
from meldkamer.intake.validation import format_phone
from meldkamer.tickets.models import STATUS_LABELS as TICKET_STATUS_LABELS
from meldkamer.triage import default_engine
from meldkamer.triage.officehours import AMSTERDAM

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"

URGENCY_LABELS = {"acuut": "Acuut", "urgent": "Urgent", "niet_urgent": "Niet urgent"}
RANK_LABELS = {2: "Acuut", 1: "Urgent", 0: "Niet urgent / onbekend"}
STATUS_LABELS = {
    "wachtend": "Wachtend",
    "in_behandeling": "In behandeling",
    "terug_naar_bot": "Terug naar assistent",
    "gesloten": "Afgesloten",
}


def _local(moment: datetime | None, pattern: str = "%d-%m-%Y %H:%M") -> str:
    return moment.astimezone(AMSTERDAM).strftime(pattern) if moment else "-"


def _iso(value: str | None) -> str:
    """An ISO timestamp from the dossier, in local time."""
    if not value:
        return "-"
    try:
        return _local(datetime.fromisoformat(value))
    except ValueError:
        return value


def _time(moment: datetime | None) -> str:
    return _local(moment, "%H:%M")


def _phone(value: str | None) -> str:
    return format_phone(value) if value else "-"


def _topic(code: str | None) -> str:
    if not code:
        return "Nog onbekend"
    table = default_engine().table
    name = table.topics[code].name if code in table.topics else code
    return name[:1].upper() + name[1:]


def make_environment() -> jinja2.Environment:
    """The template environment (built by the application factory, not at import)."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        # On for every template and every string, not only for *.html.
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters.update(
        datumtijd=_local,
        iso=_iso,
        tijd=_time,
        telefoon=_phone,
        onderwerp=_topic,
        urgentie=lambda value: URGENCY_LABELS.get(str(value), str(value or "-")),
        rang=lambda value: RANK_LABELS.get(int(value), "-"),
        status=lambda value: STATUS_LABELS.get(str(value), str(value)),
        kanaal=lambda value: CHANNEL_LABELS.get(str(value), str(value or "-")),
        ticketstatus=lambda value: TICKET_STATUS_LABELS.get(str(value), str(value)),
    )
    return environment


def context(request: web.Request, values: Mapping[str, Any]) -> dict[str, Any]:
    """What every template gets: who is signed in, the CSRF token, the clock, URLs."""
    me = signed_in(request)

    def url(name: str, **parts: object) -> str:
        return str(request.app.router[name].url_for(**{k: str(v) for k, v in parts.items()}))

    return {
        "me": me,
        "csrf_token": me.csrf_token if me else "",
        "now": request.app[CLOCK](),
        "url": url,
        "path": request.path,
        **values,
    }


def render_string(request: web.Request, template: str, values: Mapping[str, Any]) -> str:
    """A page or fragment as text."""
    return request.app[TEMPLATES].get_template(template).render(context(request, values))


def render(
    request: web.Request,
    template: str,
    values: Mapping[str, Any] | None = None,
    *,
    status: int = 200,
) -> web.Response:
    """A full HTML response."""
    return web.Response(
        text=render_string(request, template, values or {}),
        status=status,
        content_type="text/html",
        charset="utf-8",
    )
