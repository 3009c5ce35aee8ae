"""Use cases of the monthly report: write a client's report to a folder; mail last month's.

``write_monthly_report`` is what ``meldkamer reports monthly`` runs; ``queue_monthly_reports``
is the worker's job on the first days of the month: each client with a ``rapportage_email``
gets last month's PDF once, through the outbox's idempotent key, also when two workers
run it at the same moment. A client whose report fails is tried again after a growing
pause (:class:`Backoff`), not every round; until it is queued the gauge
``meldkamer_monthly_reports_missing`` counts it (docs/REPORTS.md).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from meldkamer.clients.schema import Client
from meldkamer.notify.attachments import MailAttachment, enqueue_with_attachments
from meldkamer.notify.worker import ExtraJob, SessionFactory
from meldkamer.reports import (
    Month,
    due_month,
    mail_key,
    mail_text,
    missing_report_mails,
    monthly_report,
)
from meldkamer.reports.mailing import MAIL_PURPOSE
from meldkamer.service.context import Collaborators
from meldkamer.triage.officehours import AMSTERDAM

__all__ = [
    "PURPOSE",
    "Backoff",
    "MonthlyReportJob",
    "Queued",
    "ReportError",
    "due_month",
    "mail_key",
    "monthly_report_job",
    "queue_monthly_reports",
    "retry_delay",
    "write_monthly_report",
]

logger = logging.getLogger(__name__)

PURPOSE = MAIL_PURPOSE
#: A failing client is tried again after 5, 10, 20 and 40 minutes, then every hour: a
#: fault that lasts (a broken report, a full disk) should not cost a report every round.
RETRY_FIRST = timedelta(minutes=5)
RETRY_MAX = timedelta(hours=1)


class ReportError(ValueError):
    """The report cannot be made as asked; the message says why (Dutch, then English)."""


def write_monthly_report(
    ctx: Collaborators, client_id: str, month: Month, out_dir: Path
) -> list[Path]:
    """Write ``<client>-<month>.pdf``, ``.csv`` and ``.json`` into ``out_dir``; returns them.

    Raises:
        ReportError: an unknown client, or a folder that cannot be made or written.
    """
    client = ctx.client(client_id)
    if client is None:
        known = ", ".join(ctx.registry().ids()) or "geen"
        raise ReportError(
            f"onbekende opdrachtgever {client_id!r} (unknown client); bekend: {known}"
        )
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ReportError(
            f"map {out_dir} kan niet worden gemaakt (cannot create): {error}"
        ) from error
    with ctx.sessions() as session:
        report = monthly_report(session, client, month, ctx.clock())
    written = []
    for name, content in report.files().items():
        path = out_dir / name
        try:
            path.write_bytes(content)
        except OSError as error:
            raise ReportError(
                f"{path} kan niet worden geschreven (cannot write): {error}"
            ) from error
        written.append(path)
    return written


def retry_delay(failures: int) -> timedelta:
    """The pause after the ``failures``-th failure in a row (1, 2, ...) of one client."""
    doublings = min(max(failures, 1) - 1, 10)  # 2**10 pauses is far past the cap already
    return min(RETRY_FIRST * (1 << doublings), RETRY_MAX)


@dataclass
class Backoff:
    """When each failing client of one month may be tried again (kept by the worker).

    In memory, per worker process: a restarted worker tries a failing client once at
    once, which is what one wants after a fix was deployed.
    """

    month: Month | None = None
    failures: dict[str, int] = field(default_factory=dict)
    retry_at: dict[str, datetime] = field(default_factory=dict)

    def waits(self, client_id: str, now: datetime) -> bool:
        """True while ``client_id``'s pause after its last failure lasts."""
        at = self.retry_at.get(client_id)
        return at is not None and now < at

    def failed(self, client_id: str, now: datetime) -> datetime:
        """Record a failure at ``now``; returns when the client may be tried again."""
        self.failures[client_id] = self.failures.get(client_id, 0) + 1
        at = now + retry_delay(self.failures[client_id])
        self.retry_at[client_id] = at
        return at

    def succeeded(self, client_id: str) -> None:
        """The client's mails are queued: its next failure starts from the first pause."""
        self.failures.pop(client_id, None)
        self.retry_at.pop(client_id, None)


def _queue_client(session: Session, client: Client, now: datetime) -> int:
    # Read again inside the transaction: another worker may have queued them meanwhile.
    missing = missing_report_mails(session, [client], now)
    if not missing:
        return 0
    report = monthly_report(session, client, missing[0].month, now)
    text = mail_text(report, client.name)
    pdf = MailAttachment(f"{report.stem}.pdf", "application/pdf", report.pdf)
    for mail in missing:
        enqueue_with_attachments(
            session,
            key=mail.key,
            recipient=mail.address,
            subject=text.subject,
            body=text.body,
            attachments=[pdf],
            purpose=PURPOSE,
            now=now,
        )
    return len(missing)


@dataclass(frozen=True)
class Queued:
    """What one round of :func:`queue_monthly_reports` did.

    Attributes:
        queued: report mails put in the outbox.
        failed: clients whose report failed in this round.
        waiting: clients left out of this round, in their pause after a failure.
    """

    queued: int = 0
    failed: tuple[str, ...] = ()
    waiting: tuple[str, ...] = ()


def _clients_missing(ctx: Collaborators, now: datetime) -> list[Client]:
    clients = [client for client in ctx.registry() if client.report_emails]
    if not clients:
        return []
    with ctx.sessions() as session:
        ids = {mail.client_id for mail in missing_report_mails(session, clients, now)}
    return [client for client in clients if client.id in ids]


def queue_monthly_reports(
    ctx: Collaborators, now: datetime, backoff: Backoff | None = None
) -> Queued:
    """Queue the due month's report for every client with a report address not mailed yet.

    One query finds the clients whose mails are missing; each of them is one
    transaction, so one client's failure does not hold back the others. A failed client
    is tried again in a later round: after the pause ``backoff`` sets, or at once when
    no ``backoff`` is given.
    """
    queued, failed, waiting = 0, [], []
    for client in _clients_missing(ctx, now):
        if backoff is not None and backoff.waits(client.id, now):
            waiting.append(client.id)
            continue
        try:
            with ctx.sessions.begin() as session:
                queued += _queue_client(session, client, now)
        except Exception:
            failed.append(client.id)
            again = backoff.failed(client.id, now) if backoff is not None else now
            logger.exception(
                "maandrapport %s %s niet in de wachtrij gezet; opnieuw vanaf %s",
                client.id,
                due_month(now),
                again.astimezone(AMSTERDAM).strftime("%d-%m %H:%M"),
            )
        else:
            if backoff is not None:
                backoff.succeeded(client.id)
    if queued:
        logger.info("%d maandrapport(en) over %s in de wachtrij", queued, due_month(now))
    return Queued(queued, tuple(failed), tuple(waiting))


@dataclass
class MonthlyReportJob:
    """The worker's job: in the first days of the month, queue the reports still missing.

    Every round makes one short query for the missing mails (the same one the gauge
    makes), so a client file that gains a report address in those days is served too.
    """

    ctx: Collaborators
    backoff: Backoff = field(default_factory=Backoff)

    async def __call__(self, sessions: SessionFactory, now: datetime) -> None:
        """Run one round (in a thread: a report takes a second or two to draw)."""
        month = due_month(now)
        if month is None:
            return
        if self.backoff.month != month:
            self.backoff = Backoff(month)
        await asyncio.to_thread(queue_monthly_reports, self.ctx, now, self.backoff)


def monthly_report_job(ctx: Collaborators) -> ExtraJob:
    """The job for :func:`meldkamer.notify.worker.run_worker`'s ``extra_jobs``."""
    return MonthlyReportJob(ctx)
