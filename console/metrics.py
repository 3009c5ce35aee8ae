"""``GET /metrics``: the business metrics for Prometheus, on the console's port.

Open from loopback (a Prometheus or an operator on the same host); from anywhere else
only with ``Authorization: Bearer <MELDKAMER_METRICS_TOKEN>``, and without a token set
such requests get 403. A request that came through a proxy (it carries a forwarding
header) never counts as loopback: nginx runs on the same host, so its connections come
from 127.0.0.1 whoever sent them (deploy/nginx/meldkamer.conf does not pass /metrics on
at all). The figures are computed in :mod:`meldkamer.metrics`.
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from aiohttp import web

from console.keys import CLOCK, COLLABORATORS, SESSIONS
from meldkamer.intake.spool import spool_dir
from meldkamer.metrics import CONTENT_TYPE, business_registry, render

TOKEN_ENV = "MELDKAMER_METRICS_TOKEN"
#: Headers a proxy adds; their presence means the peer address is not the client's.
FORWARDING_HEADERS = ("Forwarded", "X-Forwarded-For", "X-Real-IP")


@dataclass(frozen=True)
class MetricsAccess:
    """Who may scrape: loopback always, others with the bearer token (if one is set)."""

    token: str | None = field(default=None, repr=False)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> MetricsAccess:
        env = os.environ if env is None else env
        return cls(env.get(TOKEN_ENV, "").strip() or None)

    def allows(self, peer: str | None, headers: Mapping[str, str]) -> bool:
        """Whether a request from ``peer`` with ``headers`` may read the metrics."""
        if is_loopback(peer) and not any(name in headers for name in FORWARDING_HEADERS):
            return True
        if self.token is None:
            return False
        scheme, _, presented = headers.get("Authorization", "").partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(
            presented.strip().encode(), self.token.encode()
        )


def is_loopback(peer: str | None) -> bool:
    """Whether the connection's peer address is a loopback address."""
    try:
        return peer is not None and ipaddress.ip_address(peer).is_loopback
    except ValueError:  # a Unix socket, or no address at all
        return False


ACCESS: web.AppKey[MetricsAccess] = web.AppKey("metrics_access")


async def scrape(request: web.Request) -> web.Response:
    """The metrics in Prometheus' text format, or 403 (Dutch text, no figures)."""
    if not request.app[ACCESS].allows(request.remote, request.headers):
        return web.Response(
            status=403,
            text="Geen toegang: /metrics alleen vanaf deze machine of met het token.\n",
            headers={"WWW-Authenticate": "Bearer"},
        )
    ctx = request.app[COLLABORATORS]
    sessions = request.app[SESSIONS]
    spool = ctx.spool or spool_dir(sessions=sessions)
    registry = business_registry(sessions, request.app[CLOCK], spool)
    # The database read happens off the event loop, as a stalled database must not
    # stall the agents' pages.
    body = await asyncio.to_thread(render, registry)
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE})


def setup_routes(app: web.Application, access: MetricsAccess | None = None) -> None:
    """Add ``/metrics``; the token comes from the environment unless ``access`` is given."""
    app[ACCESS] = access or MetricsAccess.from_env()
    app.router.add_get("/metrics", scrape, name="metrics")
