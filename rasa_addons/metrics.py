"""``GET /metrics`` on the Rasa server and the action server (Sanic), the console's rule.

Open from loopback, otherwise only with ``Authorization: Bearer
<MELDKAMER_METRICS_TOKEN>`` (:class:`meldkamer.metrics.access.MetricsAccess`); the proxy
never routes it (deploy/nginx/meldkamer.conf passes only /webhooks/ to Rasa and nothing
to the action server). The figures are :mod:`meldkamer.metrics.conversation`.
"""

from __future__ import annotations

from prometheus_client import generate_latest
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from meldkamer.metrics import CONTENT_TYPE
from meldkamer.metrics.access import REFUSED, MetricsAccess
from meldkamer.metrics.conversation import ConversationMetrics, process_metrics

PATH = "/metrics"


def add_metrics_route(
    app: Sanic,
    metrics: ConversationMetrics | None = None,
    access: MetricsAccess | None = None,
) -> None:
    """Serve this process's conversation metrics at :data:`PATH` on ``app``."""
    rule = access or MetricsAccess.from_env()
    figures = metrics or process_metrics()

    async def scrape(request: Request) -> HTTPResponse:
        if not rule.allows(request.ip or None, request.headers):
            return response.text(REFUSED, status=403, headers={"WWW-Authenticate": "Bearer"})
        return response.raw(generate_latest(figures.registry), content_type=CONTENT_TYPE)

    app.add_route(scrape, PATH, methods=["GET"], name="meldkamer_metrics")
