"""Which report mails are due: the month, their outbox keys, and those not queued yet.

The worker's job (:mod:`meldkamer.service.monthly_report`) queues what
:func:`missing_report_mails` lists, and the gauge ``meldkamer_monthly_reports_missing``
(:mod:`meldkamer.metrics`) counts the same list, so the alert sees exactly what the job
still has to do.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from meldkamer.clients.schema import Client
from meldkamer.notify.models import OutboxMessage
from meldkamer.reports.period import Month
from meldkamer.triage.officehours import AMSTERDAM

#: The outbox purpose of a report mail.
MAIL_PURPOSE = "maandrapport"
#: A worker that was down on the first catches up in these first days of the month.
MAIL_DAYS = 7

_OUTBOX: Any = OutboxMessage.__table__.c


def mail_key_prefix(client_id: str) -> str:
    """How the outbox keys of a client's report mails begin (its erasure finds them by it)."""
    return f"{MAIL_PURPOSE}:{client_id}:"


def mail_key(client_id: str, month: Month, address: str) -> str:
    """The outbox key of one report mail: one per client, month and address, ever."""
    return f"{mail_key_prefix(client_id)}{month}:{address.lower()}"


def due_month(now: datetime) -> Month | None:
    """The month whose reports are due at ``now``: last month, in the first days only."""
    if now.astimezone(AMSTERDAM).day > MAIL_DAYS:
        return None
    return Month.of(now).previous()


@dataclass(frozen=True)
class ReportMail:
    """One report mail: a client's month to one of its report addresses."""

    client_id: str
    month: Month
    address: str

    @property
    def key(self) -> str:
        """Its outbox key (:func:`mail_key`)."""
        return mail_key(self.client_id, self.month, self.address)


def missing_report_mails(
    session: Session, clients: Iterable[Client], now: datetime
) -> list[ReportMail]:
    """The report mails of the month due at ``now`` that are not in the outbox yet.

    Only clients with a ``rapportage_email`` have report mails; outside the first
    :data:`MAIL_DAYS` days of a month nothing is due, so the list is empty. A mail
    counts as there whatever its state (queued, sent or given up): the key is never
    queued twice.
    """
    month = due_month(now)
    if month is None:
        return []
    wanted = [
        ReportMail(client.id, month, address)
        for client in clients
        for address in client.report_emails
    ]
    if not wanted:
        return []
    keys = [mail.key for mail in wanted]
    present = set(session.execute(select(_OUTBOX.key).where(_OUTBOX.key.in_(keys))).scalars())
    return [mail for mail in wanted if mail.key not in present]
