"""Server-side HTML with Jinja2: autoescaping is on for every template, always.

Whatever a tenant typed reaches a page only through ``{{ ... }}``, which escapes it;
templates never use ``|safe`` on data. The Content-Security-Policy (no inline
scripts) is the second line of defence.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

import jinja2
from aiohttp import web

from console.identity import signed_in
from console.keys import CLOCK, TEMPLATES
from meldkamer.agents.models import ROLE_LABELS
from meldkamer.contacts import LABELS as CONTACT_LABELS
from meldkamer.dispatch.lifecycle import STATUS_LABELS as WORK_ORDER_LABELS
from meldkamer.dispatch.lifecycle import VIA_LABELS
from meldkamer.handover.models import STATUS_LABELS
from meldkamer.intake.validation import format_phone
from meldkamer.labels import LabelTable
from meldkamer.notify.models import KIND_LABELS as MESSAGE_KIND_LABELS
from meldkamer.notify.models import PURPOSE_LABELS as MESSAGE_PURPOSE_LABELS
from meldkamer.notify.models import STATUS_LABELS as MESSAGE_STATUS_LABELS
from meldkamer.tickets.models import STATUS_LABELS as TICKET_STATUS_LABELS
from meldkamer.triage import default_engine
from meldkamer.triage.officehours import AMSTERDAM
from meldkamer.triage.table import URGENCY_LABELS

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"

RANK_LABELS = {2: "Acuut", 1: "Urgent", 0: "Niet urgent / onbekend"}
#: The ticket's fields agents can change, as they read them (history, edit forms).
FIELD_LABELS = {
    "urgency": "Urgentie",
    "status": "Status",
    "naam": "Naam",
    "telefoon": "Telefoon",
    "email": "E-mail",
    "beschrijving": "Omschrijving",
}
#: One filter per labelled enum (meldkamer.labels): templates never print a stored value.
LABEL_FILTERS: dict[str, LabelTable[Any]] = {
    "urgentie": URGENCY_LABELS,
    "status": STATUS_LABELS,
    "kanaal": CONTACT_LABELS["channel"],
    "ticketstatus": TICKET_STATUS_LABELS,
    "werkbonstatus": WORK_ORDER_LABELS,
    "via": VIA_LABELS,
    "rol": ROLE_LABELS,
    "richting": CONTACT_LABELS["direction"],
    "partij": CONTACT_LABELS["party"],
    "contactsoort": CONTACT_LABELS["kind"],
    "berichtsoort": MESSAGE_KIND_LABELS,
    "berichtdoel": MESSAGE_PURPOSE_LABELS,
    "berichtstatus": MESSAGE_STATUS_LABELS,
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


def topic_name(code: str | None) -> str:
    """A topic code as people read it, capitalised."""
    if not code:
        return "Nog onbekend"
    table = default_engine().table
    name = table.topics[code].name if code in table.topics else code
    return name[:1].upper() + name[1:]


class _SharedBytecode(jinja2.BytecodeCache):
    """Compiled templates shared by the environments of one process, by name and source.

    A console process has one environment, but the tests build an application per test:
    each compiled again every template it rendered (tens of seconds of the unit suite's
    CPU). Jinja's key includes the template source's checksum, so an edit is compiled anew.
    """

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


_BYTECODE = _SharedBytecode()


def make_environment() -> jinja2.Environment:
    """The template environment (built by the application factory, not at import)."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        bytecode_cache=_BYTECODE,
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
        onderwerp=topic_name,
        rang=lambda value: RANK_LABELS.get(int(value), "-"),
        veld=lambda value: FIELD_LABELS.get(str(value), str(value)),
        **{name: table.label for name, table in LABEL_FILTERS.items()},
    )
    return environment


class Visitor(Protocol):
    """Who a page is for: a console agent or a portal user, both with a CSRF token."""

    @property
    def csrf_token(self) -> str: ...


def page_context(
    request: web.Request, me: Visitor | None, values: Mapping[str, Any]
) -> dict[str, Any]:
    """What every template gets: who is signed in, the CSRF token, the clock, URLs.

    ``url`` builds routes of the request's own application: the portal (a
    sub-application) gets its own, the console its own.
    """
    router = request.app.router

    def url(name: str, **parts: object) -> str:
        return str(router[name].url_for(**{k: str(v) for k, v in parts.items()}))

    return {
        "me": me,
        "csrf_token": me.csrf_token if me else "",
        "now": request.config_dict[CLOCK](),
        "url": url,
        "path": request.path,
        **values,
    }


def context(request: web.Request, values: Mapping[str, Any]) -> dict[str, Any]:
    """A console template's values, with the signed-in agent."""
    return page_context(request, signed_in(request), values)


def render_string(request: web.Request, template: str, values: Mapping[str, Any]) -> str:
    """A page or fragment as text."""
    return request.app[TEMPLATES].get_template(template).render(context(request, values))


@dataclass(frozen=True)
class Pages:
    """Full HTML pages for one kind of visitor: the console's agents or the portal's users.

    ``visitor`` says who a request belongs to; ``folder`` is where the visitor's pages are
    in the shared template environment (the portal's under ``portaal/``).
    """

    visitor: Callable[[web.Request], Visitor | None]
    folder: str = ""

    def render(
        self,
        request: web.Request,
        template: str,
        values: Mapping[str, Any] | None = None,
        *,
        status: int = 200,
    ) -> web.Response:
        """A full HTML response."""
        page = request.config_dict[TEMPLATES].get_template(self.folder + template)
        text = page.render(page_context(request, self.visitor(request), values or {}))
        return web.Response(text=text, status=status, content_type="text/html", charset="utf-8")


#: A full HTML response of the console.
render = Pages(signed_in).render
