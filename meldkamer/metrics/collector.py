"""The business metrics as a prometheus-client collector, read fresh at every scrape.

The names and their help texts are defined once, here (:data:`METRICS`); the alert
rules, the Grafana dashboard and docs/DEPLOY.md use these names and a test checks that
every name they use exists. Each scrape makes one short read of the database
(:func:`meldkamer.metrics.queries.take_snapshot`), so several consoles behind a load
balancer give the same figures.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy.orm import Session, sessionmaker

from meldkamer.metrics.queries import Clients, Counts, Snapshot, take_snapshot

#: Prometheus' text exposition format, version 0.0.4.
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


@dataclass(frozen=True)
class Definition:
    """One metric: its name, what it means, its labels and where its value comes from."""

    name: str
    help: str
    labels: tuple[str, ...]
    value: Callable[[Snapshot], Counts]
    counter: bool = False


def _one(read: Callable[[Snapshot], float]) -> Callable[[Snapshot], Counts]:
    return lambda snap: {(): read(snap)}


def _optional(read: Callable[[Snapshot], float | None]) -> Callable[[Snapshot], Counts]:
    def value(snap: Snapshot) -> Counts:
        figure = read(snap)
        return {(): figure} if figure is not None else {}

    return value


def _timestamp(read: Callable[[Snapshot], datetime | None]) -> Callable[[Snapshot], Counts]:
    def value(snap: Snapshot) -> Counts:
        moment = read(snap)
        return {(): moment.timestamp()} if moment is not None else {}

    return value


METRICS: tuple[Definition, ...] = (
    Definition(
        "meldkamer_handovers_waiting",
        "Conversations handed to a person that no agent has taken yet, per lane "
        "(live: an agent was available; callback: a person calls the tenant back).",
        ("lane",),
        lambda s: s.handovers_waiting,
    ),
    Definition(
        "meldkamer_handover_oldest_wait_seconds",
        "How long the tenant waiting longest for a person has waited, per lane (0: nobody).",
        ("lane",),
        lambda s: s.handover_oldest_wait_seconds,
    ),
    Definition(
        "meldkamer_workorders_open",
        "Work orders of tickets that are not closed, per state and urgency.",
        ("state", "urgency"),
        lambda s: s.workorders_open,
    ),
    Definition(
        "meldkamer_workorders_unacknowledged_acuut",
        "Acuut work orders sent to a contractor and not yet acknowledged.",
        (),
        _one(lambda s: s.workorders_unacknowledged_acuut),
    ),
    Definition(
        "meldkamer_workorders_past_deadline",
        "SLA breaches: acuut work orders unacknowledged past their escalation time, and "
        "other work orders past the time the work was due, of open tickets, per urgency.",
        ("urgency",),
        lambda s: s.workorders_past_deadline,
    ),
    Definition(
        "meldkamer_sla_breaches_open",
        "SLA clocks past their target that nobody met or took on yet, per clock "
        "(bevestiging, ter_plaatse, gereed, antwoord_medewerker).",
        ("clock",),
        lambda s: s.sla_breaches_open,
    ),
    Definition(
        "meldkamer_tickets_attention",
        "Open tickets flagged for a person of the meldkamer (e.g. no contractor "
        "acknowledged), per urgency.",
        ("urgency",),
        lambda s: s.tickets_attention,
    ),
    Definition(
        "meldkamer_outbox_pending",
        "E-mails and SMS messages queued or being sent, per kind.",
        ("kind",),
        lambda s: s.outbox_pending,
    ),
    Definition(
        "meldkamer_outbox_retrying",
        "Messages queued again after a failed delivery attempt, per kind.",
        ("kind",),
        lambda s: s.outbox_retrying,
    ),
    Definition(
        "meldkamer_outbox_failed",
        "Messages given up after their last delivery attempt, per kind.",
        ("kind",),
        lambda s: s.outbox_failed,
    ),
    Definition(
        "meldkamer_outbox_oldest_due_seconds",
        "How long the oldest message that is due has waited for a worker (0: none due).",
        (),
        _one(lambda s: s.outbox_oldest_due_seconds),
    ),
    Definition(
        "meldkamer_tickets_created",
        "Tickets ever created, per urgency at creation and channel.",
        ("urgency", "channel"),
        lambda s: s.tickets_created,
        counter=True,
    ),
    Definition(
        "meldkamer_worker_last_retention_run_timestamp_seconds",
        "When the worker last recorded its daily retention run (Unix time).",
        (),
        _timestamp(lambda s: s.worker_last_retention_run),
    ),
    Definition(
        "meldkamer_worker_last_run_timestamp_seconds",
        "When a worker last finished a round: sending, escalating, the spool (Unix time; "
        "absent until a worker ran once).",
        (),
        _timestamp(lambda s: s.worker_last_round),
    ),
    Definition(
        "meldkamer_spool_files",
        "Meldingen kept on disk during a database outage, per state "
        "(waiting: to be registered; set_aside: for a person to look at).",
        ("state",),
        lambda s: s.spool_files,
    ),
    Definition(
        "meldkamer_monthly_reports_missing",
        "Monthly report mails of last month not yet in the outbox, in the first seven days "
        "of the month (one per client and report address; 0 on the other days).",
        (),
        _optional(lambda s: s.monthly_reports_missing),
    ),
)


def exposed_names() -> frozenset[str]:
    """Every series name a scrape can show (a counter ``x`` shows as ``x_total``)."""
    return frozenset(d.name + ("_total" if d.counter else "") for d in METRICS)


def families(snap: Snapshot) -> Iterator[Metric]:
    """The metric families of one snapshot."""
    for definition in METRICS:
        family: GaugeMetricFamily | CounterMetricFamily
        if definition.counter:
            family = CounterMetricFamily(definition.name, definition.help, labels=definition.labels)
        else:
            family = GaugeMetricFamily(definition.name, definition.help, labels=definition.labels)
        for labels, value in sorted(definition.value(snap).items()):
            family.add_metric(list(labels), value)
        yield family


class BusinessCollector(Collector):
    """Reads a snapshot from the database at each scrape."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        clock: Callable[[], datetime],
        spool: Path | None,
        clients: Clients | None = None,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._spool = spool
        self._clients = clients

    def collect(self) -> Iterator[Metric]:
        with self._sessions() as session:
            snap = take_snapshot(session, self._clock(), self._spool, self._clients)
        yield from families(snap)

    def describe(self) -> Iterator[Metric]:
        # Registering must not read the database (nothing is opened before a scrape).
        return iter(())


def business_registry(
    sessions: sessionmaker[Session],
    clock: Callable[[], datetime],
    spool: Path | None,
    clients: Clients | None = None,
) -> CollectorRegistry:
    """A registry with the business metrics only (no process metrics of the console).

    Without ``clients`` (the clients in force) the monthly reports' gauge has no sample.
    """
    registry = CollectorRegistry(auto_describe=False)
    registry.register(BusinessCollector(sessions, clock, spool, clients))
    return registry


def render(registry: CollectorRegistry) -> bytes:
    """The registry in the text exposition format (reads the database: call off the loop)."""
    return generate_latest(registry)
