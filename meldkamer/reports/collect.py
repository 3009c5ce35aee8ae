"""Gathering one client's month from the registered data, through the client's view.

Everything a report shows comes from :mod:`meldkamer.clientview`, so the report shows
no more of a melding than the portal does. The meldingen of the month are those
registered in it (Europe/Amsterdam); their work orders, clocks and handovers count with
them even when they run into the next month, so a melding is counted once, in its month.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from meldkamer.clients import store
from meldkamer.clients.schema import Client, SlaTargets
from meldkamer.clientview import (
    ClientClock,
    ClientContact,
    ClientMelding,
    ClientWorkOrder,
    client_clocks,
    client_contacts,
    client_meldingen,
    client_work_orders,
)
from meldkamer.reports.period import Month
from meldkamer.triage.officehours import OfficeHours


@dataclass(frozen=True)
class VersionInForce:
    """A version of the client file that was in force during (part of) the month."""

    version: int
    applied_at: datetime
    applied_by: str
    note: str | None


@dataclass(frozen=True)
class MonthData:
    """One client's registered data of one month, as the client may see it.

    Attributes:
        made_at: when the data was read (the figures of running clocks depend on it).
        escalation_minutes: the acknowledgement target of acuut work orders.
    """

    client_id: str
    client_name: str
    month: Month
    made_at: datetime
    meldingen: tuple[ClientMelding, ...]
    work_orders: tuple[ClientWorkOrder, ...]
    clocks: tuple[ClientClock, ...]
    contacts: tuple[ClientContact, ...]
    versions: tuple[VersionInForce, ...]
    office: OfficeHours
    sla: SlaTargets
    escalation_minutes: int


def versions_in_force(session: Session, client_id: str, month: Month) -> list[VersionInForce]:
    """The version in force when the month began and every version applied during it."""
    rows = [v for v in store.history(session, client_id) if v.applied_at < month.end]
    before = [v for v in rows if v.applied_at < month.start]
    during = [v for v in rows if v.applied_at >= month.start]
    chosen = before[-1:] + during
    return [VersionInForce(v.version, v.applied_at, v.applied_by, v.note) for v in chosen]


def collect_month(session: Session, client: Client, month: Month, now: datetime) -> MonthData:
    """Read the client's month (the caller owns the session; nothing is written)."""
    meldingen = client_meldingen(session, client.id, month.start, month.end)
    ids = [m.ticket_id for m in meldingen]
    return MonthData(
        client_id=client.id,
        client_name=client.name,
        month=month,
        made_at=now,
        meldingen=tuple(meldingen),
        work_orders=tuple(client_work_orders(session, client.id, ids)),
        clocks=tuple(client_clocks(session, client.id, ids)),
        contacts=tuple(client_contacts(session, client.id, month.start, month.end)),
        versions=tuple(versions_in_force(session, client.id, month)),
        office=client.office,
        sla=client.sla,
        escalation_minutes=client.escalation_minutes,
    )
