"""``GET /metrics``: the business figures after real events, and who may read them.

The events go through the real use cases on a real database (SQLite and PostgreSQL):
a melding (ticket and acuut work order), a handover, an e-mail that fails because the
SMTP server (the loopback fake) is down. The scrape is parsed with prometheus-client's
own parser, so the test reads what Prometheus would read.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import delete, select

from console.keys import COLLABORATORS
from console.metrics import TOKEN_ENV, MetricsAccess, is_loopback
from meldkamer.handover.summary import HandoverSummary
from meldkamer.metrics import METRICS, exposed_names
from meldkamer.notify.mail import EmailSender
from meldkamer.notify.models import OutboxMessage
from meldkamer.notify.outbox import MAX_ATTEMPTS
from meldkamer.notify.worker import deliver_due
from meldkamer.service.confirm import confirm_melding
from meldkamer.service.context import Collaborators
from meldkamer.service.handover import HandoverRequest, hand_over
from meldkamer.service.monthly_report import monthly_report_job
from meldkamer.tickets.edits import edit_ticket
from meldkamer.tickets.models import Ticket
from tests.service.conftest import burst_pipe

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]
FROM_OUTSIDE = {"X-Forwarded-For": "203.0.113.9"}


def parse(text: str) -> Samples:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


@pytest.fixture(autouse=True)
def spool(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "spool"
    folder.mkdir()
    monkeypatch.setenv("MELDKAMER_SPOOL_DIR", str(folder))
    return folder


@pytest.fixture
def ctx(sessions, clock, spool) -> Collaborators:
    return Collaborators(sessions=sessions, clock=clock, spool=spool)


async def scrape(client, **headers: str) -> Samples:
    response = await client.get("/metrics", headers=headers)
    assert response.status == 200, await response.text()
    assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    return parse(await response.text())


async def test_an_empty_database_shows_every_metric_at_zero(anonymous) -> None:
    samples = await scrape(anonymous)
    names = {name for name, _ in samples}
    # The retention timestamp and the heartbeat appear after the worker's first run, a
    # ticket count per urgency and channel with the first such ticket.
    later = {
        "meldkamer_worker_last_retention_run_timestamp_seconds",
        "meldkamer_worker_last_run_timestamp_seconds",
        "meldkamer_tickets_created_total",
    }
    assert names == exposed_names() - later
    assert value(samples, "meldkamer_handovers_waiting", lane="live") == 0
    assert value(samples, "meldkamer_handovers_waiting", lane="callback") == 0
    assert value(samples, "meldkamer_outbox_failed", kind="email") == 0
    assert value(samples, "meldkamer_spool_files", state="waiting") == 0


async def test_a_melding_a_handover_and_a_failed_email_show(
    anonymous, ctx, clock, sessions, smtp_server, spool
) -> None:
    with sessions.begin() as session:  # applying the demo clients queued notices of its own
        session.execute(delete(OutboxMessage))
    confirmed = confirm_melding(ctx, burst_pipe())
    assert confirmed.ticket_number
    # With a number: a call-back is only promised to a tenant we can call.
    summary = HandoverSummary(
        topic="lekkage_waterleiding", name="Fatima el Amrani", phone="0612345678"
    )
    hand_over(ctx, HandoverRequest("gesprek-m-1", "rest", "Huurder vraagt een mens", summary))
    (spool / "m-9.json").write_text("{}")
    clock.advance(minutes=3)

    samples = await scrape(anonymous)
    assert value(samples, "meldkamer_tickets_created_total", urgency="acuut", channel="rest") == 1
    assert value(samples, "meldkamer_workorders_open", state="verstuurd", urgency="acuut") == 1
    assert value(samples, "meldkamer_workorders_unacknowledged_acuut") == 1
    # Nobody present at 03:00: the tenant is called back, and has waited 3 minutes.
    assert value(samples, "meldkamer_handovers_waiting", lane="callback") == 1
    assert value(samples, "meldkamer_handovers_waiting", lane="live") == 0
    assert value(samples, "meldkamer_handover_oldest_wait_seconds", lane="callback") == 180
    assert value(samples, "meldkamer_spool_files", state="waiting") == 1
    with sessions() as session:
        emails = session.execute(select(OutboxMessage).where(OutboxMessage.kind == "email")).all()
    pending = value(samples, "meldkamer_outbox_pending", kind="email")
    assert pending == len(emails) >= 1
    assert value(samples, "meldkamer_outbox_oldest_due_seconds") == 180

    # The SMTP server is down: the worker tries, the messages wait for another attempt.
    smtp_server.stop()
    senders = {"email": EmailSender(smtp_server.settings(timeout=2.0))}
    await deliver_due(sessions, senders, clock())
    samples = await scrape(anonymous)
    assert value(samples, "meldkamer_outbox_retrying", kind="email") == pending
    assert value(samples, "meldkamer_outbox_failed", kind="email") == 0

    for _ in range(MAX_ATTEMPTS):
        clock.advance(hours=2)
        await deliver_due(sessions, senders, clock())
    samples = await scrape(anonymous)
    assert value(samples, "meldkamer_outbox_failed", kind="email") == pending
    assert value(samples, "meldkamer_outbox_pending", kind="email") == 0
    # Hours later nobody acknowledged the acuut work order and no worker escalated it.
    assert value(samples, "meldkamer_workorders_past_deadline", urgency="acuut") == 1


async def test_tickets_created_never_goes_down_when_an_agent_changes_the_urgency(
    anonymous, ctx, sessions, clock
) -> None:
    confirmed = confirm_melding(ctx, burst_pipe())
    with sessions.begin() as session:
        ticket = session.get(Ticket, confirmed.ticket_id)
        edit_ticket(session, ticket, "urgency", "urgent", by="chef", now=clock(), reason="test")
    samples = await scrape(anonymous)
    assert value(samples, "meldkamer_tickets_created_total", urgency="acuut", channel="rest") == 1
    assert value(samples, "meldkamer_tickets_created_total", urgency="urgent", channel="rest") == 0


async def test_the_monthly_reports_missing_until_the_worker_queued_them(
    anonymous, ctx, console_app, clock
) -> None:
    # 2 December: November's reports are due; the worker has not run yet.
    registry = console_app[COLLABORATORS].registry()
    addresses = sum(len(client.report_emails) for client in registry)
    assert addresses >= 2  # De Linde and VvE Noord have a rapportage_email
    samples = await scrape(anonymous)
    assert value(samples, "meldkamer_monthly_reports_missing") == addresses

    await monthly_report_job(ctx)(ctx.sessions, clock())
    samples = await scrape(anonymous)
    assert value(samples, "meldkamer_monthly_reports_missing") == 0
    with ctx.sessions() as session:
        query = select(OutboxMessage).where(OutboxMessage.purpose == "maandrapport")
        assert len(session.execute(query).all()) == addresses


async def test_from_outside_nobody_without_a_token_configured(anonymous) -> None:
    for headers in ({}, {"Authorization": "Bearer iets"}):
        response = await anonymous.get("/metrics", headers={**FROM_OUTSIDE, **headers})
        assert response.status == 403
        assert "meldkamer_" not in await response.text()


@pytest.fixture
def token_set(monkeypatch) -> str:
    """MELDKAMER_METRICS_TOKEN in the environment; request it before ``console_app``."""
    monkeypatch.setenv(TOKEN_ENV, "geheim-token-1")
    return "geheim-token-1"


async def test_from_outside_only_with_the_bearer_token(
    token_set, aiohttp_client, console_app
) -> None:
    client = await aiohttp_client(console_app)
    for wrong in ("Bearer verkeerd", f"Basic {token_set}", token_set, "Bearer"):
        headers = {**FROM_OUTSIDE, "Authorization": wrong}
        response = await client.get("/metrics", headers=headers)
        assert response.status == 403, wrong
    samples = await scrape(client, **FROM_OUTSIDE, Authorization=f"Bearer {token_set}")
    assert value(samples, "meldkamer_handovers_waiting", lane="live") == 0


def test_what_counts_as_loopback() -> None:
    access = MetricsAccess("t")
    assert access.allows("127.0.0.1", {}) and access.allows("::1", {})
    assert not access.allows("127.0.0.1", {"X-Real-IP": "10.0.0.1"})
    assert not access.allows("10.1.2.3", {}) and not access.allows(None, {})
    assert access.allows("10.1.2.3", {"Authorization": "bearer t"})
    assert not is_loopback("") and not is_loopback("/run/console.sock")


def test_names_follow_prometheus_conventions() -> None:
    for definition in METRICS:
        assert definition.name.startswith("meldkamer_")
        assert not definition.name.endswith("_total")  # the client library adds it
        assert definition.help.endswith(".")
