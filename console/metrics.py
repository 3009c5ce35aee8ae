"""``GET /metrics``: the business metrics for Prometheus, on the console's port.

Who may read is :class:`meldkamer.metrics.access.MetricsAccess` (loopback, or the
bearer token ``MELDKAMER_METRICS_TOKEN``; deploy/nginx/meldkamer.conf does not pass
/metrics on at all). The figures are computed in :mod:`meldkamer.metrics`.
"""

from __future__ import annotations

import asyncio

from aiohttp import web

from console.keys import CLOCK, COLLABORATORS, SESSIONS
from meldkamer.intake.spool import spool_dir
from meldkamer.metrics import CONTENT_TYPE, business_registry, render
from meldkamer.metrics.access import REFUSED, TOKEN_ENV, MetricsAccess, is_loopback

__all__ = ["ACCESS", "TOKEN_ENV", "MetricsAccess", "is_loopback", "scrape", "setup_routes"]

ACCESS: web.AppKey[MetricsAccess] = web.AppKey("metrics_access")


async def scrape(request: web.Request) -> web.Response:
    """The metrics in Prometheus' text format, or 403 (Dutch text, no figures)."""
    if not request.app[ACCESS].allows(request.remote, request.headers):
        return web.Response(
            status=403,
            text=REFUSED,
            headers={"WWW-Authenticate": "Bearer"},
        )
    ctx = request.app[COLLABORATORS]
    sessions = request.app[SESSIONS]
    spool = ctx.spool or spool_dir(sessions=sessions)
    # The clients come from the composition's cache, not from the database per scrape.
    registry = business_registry(sessions, request.app[CLOCK], spool, ctx.registry)
    # The database read happens off the event loop, as a stalled database must not
    # stall the agents' pages.
    body = await asyncio.to_thread(render, registry)
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE})


def setup_routes(app: web.Application, access: MetricsAccess | None = None) -> None:
    """Add ``/metrics``; the token comes from the environment unless ``access`` is given."""
    app[ACCESS] = access or MetricsAccess.from_env()
    app.router.add_get("/metrics", scrape, name="metrics")
