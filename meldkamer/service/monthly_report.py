"""Use cases of the monthly report: write a client's report to a folder; mail last month's.

``write_monthly_report`` is what ``meldkamer reports monthly`` runs; ``queue_monthly_reports``
is the worker's job on the first days of the month: each client with a ``rapportage_email``
gets last month's PDF once, through the outbox's idempotent key, also when two workers
run it at the same moment.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from meldkamer.clients.schema import Client
from meldkamer.notify.attachments import MailAttachment, enqueue_with_attachments
from meldkamer.notify.outbox import find_by_key
from meldkamer.notify.worker import ExtraJob, SessionFactory
from meldkamer.reports import Month, mail_key_prefix, mail_text, monthly_report
from meldkamer.reports.monthly import MAIL_PURPOSE
from meldkamer.service.context import Collaborators
from meldkamer.triage.officehours import AMSTERDAM

logger = logging.getLogger(__name__)

#: A worker that was down on the first catches up in these first days of the month.
MAIL_DAYS = 7
PURPOSE = MAIL_PURPOSE


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


def mail_key(client_id: str, month: Month, address: str) -> str:
    """The outbox key of one report mail: one per client, month and address, ever."""
    return f"{mail_key_prefix(client_id)}{month}:{address.lower()}"


def due_month(now: datetime) -> Month | None:
    """The month whose reports are due at ``now``: last month, in the first days only."""
    if now.astimezone(AMSTERDAM).day > MAIL_DAYS:
        return None
    return Month.of(now).previous()


def _queue_client(session: Session, client: Client, month: Month, now: datetime) -> int:
    missing = [
        a
        for a in client.report_emails
        if find_by_key(session, mail_key(client.id, month, a)) is None
    ]
    if not missing:
        return 0
    report = monthly_report(session, client, month, now)
    text = mail_text(report, client.name)
    pdf = MailAttachment(f"{report.stem}.pdf", "application/pdf", report.pdf)
    for address in missing:
        enqueue_with_attachments(
            session,
            key=mail_key(client.id, month, address),
            recipient=address,
            subject=text.subject,
            body=text.body,
            attachments=[pdf],
            purpose=PURPOSE,
            now=now,
        )
    return len(missing)


@dataclass(frozen=True)
class Queued:
    """What one round of :func:`queue_monthly_reports` did."""

    queued: int = 0
    failed: tuple[str, ...] = ()


def queue_monthly_reports(ctx: Collaborators, now: datetime) -> Queued:
    """Queue last month's report for every client with a report address.

    Each client is one transaction: one client's failure does not hold back the others,
    and is tried again in the next round.
    """
    month = due_month(now)
    if month is None:
        return Queued()
    queued, failed = 0, []
    for client in ctx.registry():
        if not client.report_emails:
            continue
        try:
            with ctx.sessions.begin() as session:
                queued += _queue_client(session, client, month, now)
        except Exception:
            logger.exception("maandrapport %s %s niet in de wachtrij gezet", client.id, month)
            failed.append(client.id)
    if queued:
        logger.info("%d maandrapport(en) over %s in de wachtrij", queued, month)
    return Queued(queued, tuple(failed))


@dataclass
class MonthlyReportJob:
    """The worker's job: queue the reports when due; after a full round, rest for the month."""

    ctx: Collaborators
    done: set[Month] = field(default_factory=set)

    async def __call__(self, sessions: SessionFactory, now: datetime) -> None:
        """Run one round (in a thread: a report takes a second or two to draw)."""
        month = due_month(now)
        if month is None or month in self.done:
            return
        result = await asyncio.to_thread(queue_monthly_reports, self.ctx, now)
        if not result.failed:
            self.done.add(month)


def monthly_report_job(ctx: Collaborators) -> ExtraJob:
    """The job for :func:`meldkamer.notify.worker.run_worker`'s ``extra_jobs``."""
    return MonthlyReportJob(ctx)
