"""The monthly reports to download: the past twelve months, each as PDF, CSV and JSON.

A report is made on request from the registered data by the report module
(:mod:`meldkamer.reports`, the same one the worker mails on the first of the month), for
the signed-in user's client only. Until that module is installed the page says so
("nog geen rapport") instead of offering a file that does not exist.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from aiohttp import web
from sqlalchemy.orm import Session

from console.keys import CLIENTS, CLOCK, SESSIONS
from console.portal.auth import PortalRoutes
from console.portal.keys import me
from console.portal.rendering import error_page, render
from meldkamer.portal.meldingen import month_start

FORMATS = {
    "pdf": "application/pdf",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
}
MONTHS_SHOWN = 12
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")

Maker = Callable[[Session, Any, str, str, datetime], bytes]


def report_maker() -> Maker | None:
    """The report module's "one month of one client in one format", when it is installed."""
    try:
        module = importlib.import_module("meldkamer.reports")
    except ModuleNotFoundError as error:
        if error.name != "meldkamer.reports":
            raise
        return None
    maker = getattr(module, "render_month", None)
    return maker if callable(maker) else None


def past_months(now: datetime, count: int = MONTHS_SHOWN) -> list[str]:
    """``YYYY-MM`` of the last ``count`` complete months, newest first."""
    start = month_start(now)
    year, month = start.year, start.month
    found = []
    for _ in range(count):
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
        found.append(f"{year:04d}-{month:02d}")
    return found


async def page(request: web.Request) -> web.StreamResponse:
    """The list of months with a download per format."""
    months = past_months(request.config_dict[CLOCK]())
    return render(
        request,
        "rapporten.html",
        {"months": months, "available": report_maker() is not None, "formats": list(FORMATS)},
    )


async def download(request: web.Request) -> web.StreamResponse:
    """One month's report of the user's own client, made now from the registered data."""
    month, fmt = request.match_info["month"], request.match_info["fmt"]
    now = request.config_dict[CLOCK]()
    maker = report_maker()
    if fmt not in FORMATS or not _MONTH.match(month) or month not in past_months(now, 36):
        return error_page(request, "Niet gevonden", "Dit rapport bestaat niet.", 404)
    if maker is None:
        return error_page(
            request, "Nog geen rapport", "Er is nog geen rapport voor deze maand.", 404
        )
    client_id = me(request).client_id
    registry = request.config_dict[CLIENTS].registry()
    if client_id not in registry:
        return error_page(request, "Niet gevonden", "Dit rapport bestaat niet.", 404)
    with request.config_dict[SESSIONS]() as session:
        body = maker(session, registry.get(client_id), month, fmt, now)
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
