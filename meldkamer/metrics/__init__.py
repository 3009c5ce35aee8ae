"""Business metrics for Prometheus: handovers, work orders, SLA, outbox, spool, tickets.

:mod:`~meldkamer.metrics.queries` reads the figures from the database (pure queries);
:mod:`~meldkamer.metrics.collector` turns them into Prometheus metric families. The
console serves them at ``/metrics`` (:mod:`console.metrics`); see docs/DEPLOY.md.
"""

from meldkamer.metrics.collector import (
    CONTENT_TYPE,
    METRICS,
    BusinessCollector,
    business_registry,
    exposed_names,
    render,
)
from meldkamer.metrics.queries import Snapshot, take_snapshot

__all__ = [
    "CONTENT_TYPE",
    "METRICS",
    "BusinessCollector",
    "Snapshot",
    "business_registry",
    "exposed_names",
    "render",
    "take_snapshot",
]
