"""Supervisors only (``/supervisor``): the queue's figures live, the agents and their load.

The figures come from :func:`meldkamer.service.queue_stats.queue_statistics`; the norms
from ``meldkamer/handover/targets.yml`` (read once when the console starts, so a broken
file stops the start instead of a page at night). The figures refresh without a reload
(``/api/supervisor/events``, the console's SSE pattern).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

from aiohttp import web

from console.auth import supervisor_only
from console.events import stream
from console.identity import current
from console.keys import COLLABORATORS
from console.rendering import render, render_string
from meldkamer.handover.stats import QueueStats, Targets, load_targets
from meldkamer.service.queue_stats import queue_statistics

TARGETS: web.AppKey[Targets] = web.AppKey("queue_targets")
#: How the page names the lanes and urgencies of the norms.
LANE_LABELS = {"live": "Live gesprekken", "terugbellen": "Terugbelverzoeken"}
NORM_LABELS = {"acuut": "acuut", "urgent": "urgent", "niet_urgent": "niet urgent"}


def wait_text(wait: timedelta | None) -> str:
    """``-``, ``40 s``, ``12 min``, ``1 u 05 min``."""
    if wait is None:
        return "-"
    seconds = int(wait.total_seconds())
    if seconds < 60:
        return f"{seconds} s"
    minutes = seconds // 60
    return f"{minutes // 60} u {minutes % 60:02d} min" if minutes >= 60 else f"{minutes} min"


def _stats(request: web.Request) -> QueueStats:
    return queue_statistics(
        request.app[COLLABORATORS], request.app[TARGETS], current(request).scope
    )


def _values(stats: QueueStats) -> dict[str, Any]:
    return {
        "stats": stats,
        "lane_labels": LANE_LABELS,
        "norm_labels": NORM_LABELS,
        "wait": wait_text,
    }


@supervisor_only
async def page(request: web.Request) -> web.StreamResponse:
    """The supervisor page."""
    return render(request, "supervisor.html", _values(_stats(request)))


@supervisor_only
async def events(request: web.Request) -> web.StreamResponse:
    """The figures as an HTML fragment, whenever they change."""

    async def produce() -> dict[str, Any]:
        found = _stats(request)
        # Without the moment itself: only a changed figure sends a new fragment.
        html = render_string(request, "_supervisor_stats.html", _values(found))
        return {"html": html, "waiting": sum(lane.waiting for lane in found.lanes.values())}

    return await stream(request, "supervisor", produce)


async def _targets(app: web.Application) -> AsyncIterator[None]:
    app[TARGETS] = load_targets()
    yield


def setup_routes(app: web.Application) -> None:
    """Add the supervisor routes and read the norms at start-up."""
    app.cleanup_ctx.append(_targets)
    app.router.add_get("/supervisor", page, name="supervisor")
    app.router.add_get("/api/supervisor/events", events, name="supervisor-events")
