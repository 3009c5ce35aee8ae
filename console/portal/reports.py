"""The monthly reports to download: the past twelve months, each as PDF, CSV and JSON.

A report is made on request from the registered data by :mod:`meldkamer.reports` (the
same report the worker mails on the first of the month), for the signed-in user's
client only: the URL names a month, never a client.
"""

from __future__ import annotations

from datetime import datetime

from aiohttp import web

from console.keys import CLIENTS, CLOCK, SESSIONS
from console.portal.auth import PortalRoutes
from console.portal.keys import me
from console.portal.rendering import error_page, render
from meldkamer.reports import Month, monthly_report

FORMATS = {
    "pdf": "application/pdf",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
}
MONTHS_SHOWN = 12
#: How far back a report can still be made on request (older: ask the meldkamer).
MONTHS_KEPT = 36


def past_months(now: datetime, count: int = MONTHS_SHOWN) -> list[Month]:
    """The last ``count`` complete months, newest first."""
    found, month = [], Month.of(now)
    for _ in range(count):
        month = month.previous()
        found.append(month)
    return found


async def page(request: web.Request) -> web.StreamResponse:
    """The list of months with a download per format."""
    months = past_months(request.config_dict[CLOCK]())
    return render(request, "rapporten.html", {"months": months, "formats": list(FORMATS)})


async def download(request: web.Request) -> web.StreamResponse:
    """One month's report of the user's own client, made now from the registered data."""
    month, fmt = request.match_info["month"], request.match_info["fmt"]
    now = request.config_dict[CLOCK]()
    if fmt not in FORMATS or month not in {str(m) for m in past_months(now, MONTHS_KEPT)}:
        return error_page(request, "Niet gevonden", "Dit rapport bestaat niet.", 404)
    client_id = me(request).client_id
    registry = request.config_dict[CLIENTS].registry()
    if client_id not in registry:
        return error_page(request, "Niet gevonden", "Dit rapport bestaat niet.", 404)
    with request.config_dict[SESSIONS]() as session:
        report = monthly_report(session, registry.get(client_id), Month.parse(month), now)
    body = {"pdf": report.pdf, "csv": report.csv, "json": report.json}[fmt]
    return web.Response(
        body=body,
        headers={
            "Content-Type": FORMATS[fmt],
            "Content-Disposition": f'attachment; filename="{client_id}-{month}.{fmt}"',
            "Cache-Control": "private, no-store",
        },
    )


def setup_routes(routes: PortalRoutes) -> None:
    """Add the report pages."""
    routes.get("/rapporten", page, name="portaal-rapporten")
    routes.get(r"/rapporten/{month:\d{4}-\d{2}}.{fmt:[a-z]{3,4}}", download, name="portaal-rapport")
