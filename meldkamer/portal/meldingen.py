"""The portal's reads of meldingen: search and filters, one ticket's dossier, the month so far.

Every read starts from :mod:`meldkamer.clientview` (what a client may see, with the
client id of the signed-in user), so another client's ticket is simply not found. The
dossier adds what happened since: status steps, work orders with their steps, the
contact log without the meldkamer's internal lines, and the tenant's photos. Agents'
names never appear: steps show what happened and through which channel, not who.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from meldkamer.attachments.models import Attachment
from meldkamer.attachments.store import for_ticket
from meldkamer.clientview import (
    URGENCY_ORDER,
    ClientMelding,
    client_melding,
    client_meldingen,
    status_label,
    urgency_label,
)
from meldkamer.contacts import CHANNEL_LABELS, KIND_LABELS, PARTY_LABELS, contacts_for_ticket
from meldkamer.dispatch.lifecycle import STATUS_LABELS as WORK_ORDER_LABELS
from meldkamer.dispatch.lifecycle import VIA_LABELS
from meldkamer.dispatch.models import WorkOrder, WorkOrderEvent
from meldkamer.tickets.models import TicketStatusChange
from meldkamer.triage.officehours import AMSTERDAM

#: How far back the meldingen list reaches when no period is asked.
DEFAULT_DAYS = 90
MAX_RESULTS = 500


@dataclass(frozen=True)
class Filters:
    """What the client asked the list for; empty values mean "any"."""

    text: str = ""
    urgency: str = ""
    status: str = ""
    channel: str = ""
    start: datetime | None = None
    end: datetime | None = None


@dataclass(frozen=True)
class Step:
    """One line of a history: when, what, and through which channel (no names)."""

    at: datetime
    text: str
    via: str = ""


@dataclass(frozen=True)
class WorkOrderView:
    """A work order as its client sees it."""

    contractor: str
    status: str
    created_at: datetime
    acknowledged_at: datetime | None
    on_site_at: datetime | None
    done_at: datetime | None
    report: str | None
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class Dossier:
    """One melding with everything the client may see of what happened to it."""

    melding: ClientMelding
    history: tuple[Step, ...]
    work_orders: tuple[WorkOrderView, ...]
    contacts: tuple[Step, ...]
    photos: tuple[int, ...]


def _matches(melding: ClientMelding, filters: Filters) -> bool:
    if filters.urgency and melding.urgency != filters.urgency:
        return False
    if filters.status and melding.status != filters.status:
        return False
    if filters.channel and melding.channel != filters.channel:
        return False
    needle = filters.text.strip().lower()
    if not needle:
        return True
    haystack = " ".join(
        [melding.number, melding.address, melding.topic_label, melding.naam, melding.beschrijving]
    )
    return needle in haystack.lower() or needle.replace(" ", "") in haystack.lower().replace(
        " ", ""
    )


def search(
    session: Session, client_id: str, filters: Filters, now: datetime
) -> list[ClientMelding]:
    """The client's meldingen matching ``filters``, newest first (at most MAX_RESULTS)."""
    end = filters.end or now + timedelta(seconds=1)
    start = filters.start or end - timedelta(days=DEFAULT_DAYS)
    if end <= start:
        return []
    found = [m for m in client_meldingen(session, client_id, start, end) if _matches(m, filters)]
    return list(reversed(found))[:MAX_RESULTS]


def _work_orders(session: Session, ticket_id: int) -> tuple[WorkOrderView, ...]:
    events: dict[int, list[Step]] = {}
    for event in session.execute(
        select(WorkOrderEvent)
        .where(WorkOrderEvent.ticket_id == ticket_id)
        .order_by(WorkOrderEvent.at, WorkOrderEvent.id)
    ).scalars():
        step = Step(event.at, WORK_ORDER_LABELS.label(event.status_to), VIA_LABELS.label(event.via))
        events.setdefault(event.work_order_id, []).append(step)
    orders = session.execute(
        select(WorkOrder).where(WorkOrder.ticket_id == ticket_id).order_by(WorkOrder.id)
    ).scalars()
    return tuple(
        WorkOrderView(
            contractor=order.contractor_name,
            status=WORK_ORDER_LABELS.label(order.status),
            created_at=order.created_at,
            acknowledged_at=order.acknowledged_at,
            on_site_at=order.on_site_at,
            done_at=order.done_at,
            report=order.report,
            steps=tuple(events.get(order.id, [])),
        )
        for order in orders
    )


def _history(session: Session, ticket_id: int) -> tuple[Step, ...]:
    changes = session.execute(
        select(TicketStatusChange)
        .where(TicketStatusChange.ticket_id == ticket_id)
        .order_by(TicketStatusChange.changed_at, TicketStatusChange.id)
    ).scalars()
    return tuple(Step(c.changed_at, status_label(c.status_to)) for c in changes)


def _contacts(session: Session, ticket_id: int) -> tuple[Step, ...]:
    return tuple(
        Step(
            c.at,
            f"{KIND_LABELS.label(c.kind).capitalize()} ({PARTY_LABELS.label(c.party)}): {c.summary}",
            CHANNEL_LABELS.label(c.channel),
        )
        for c in contacts_for_ticket(session, ticket_id)
        # Lines inside the meldkamer (agents among themselves) are not the client's.
        if c.direction != "intern"
    )


def dossier(session: Session, client_id: str, number: str) -> Dossier | None:
    """The client's melding ``number`` with its history; ``None`` when it is not theirs."""
    melding = client_melding(session, client_id, number)
    if melding is None:
        return None
    ticket_id = melding.ticket_id
    return Dossier(
        melding=melding,
        history=_history(session, ticket_id),
        work_orders=_work_orders(session, ticket_id),
        contacts=_contacts(session, ticket_id),
        photos=tuple(a.id for a in for_ticket(session, ticket_id)),
    )


def photo(session: Session, client_id: str, number: str, attachment_id: int) -> Attachment | None:
    """A photo of the client's melding ``number``; ``None`` when either is not theirs."""
    melding = client_melding(session, client_id, number)
    if melding is None:
        return None
    found: Attachment | None = session.get(Attachment, attachment_id)
    if found is None or found.ticket_id != melding.ticket_id:
        return None
    return found


@dataclass(frozen=True)
class MonthOverview:
    """The current month so far: totals the client sees live."""

    start: datetime
    total: int
    per_urgency: tuple[tuple[str, int], ...]
    per_status: tuple[tuple[str, int], ...]
    per_channel: tuple[tuple[str, int], ...]
    per_topic: tuple[tuple[str, int], ...]
    handed_over: int
    inform_client: int
    recent: tuple[ClientMelding, ...]


def month_start(now: datetime) -> datetime:
    """The first moment of ``now``'s month in Europe/Amsterdam."""
    local = now.astimezone(AMSTERDAM)
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def month_overview(session: Session, client_id: str, now: datetime) -> MonthOverview:
    """Totals of the client's meldingen from the start of this month until ``now``."""
    start = month_start(now)
    rows = client_meldingen(session, client_id, start, now + timedelta(seconds=1))
    counts = Counter(m.urgency for m in rows)
    # The most pressing urgency first, as the client reads them; unknown codes after.
    codes = [*URGENCY_ORDER, *sorted(set(counts) - set(URGENCY_ORDER))]
    per_urgency = tuple((urgency_label(code), counts[code]) for code in codes if counts[code])

    def counted(counter: Counter[str]) -> tuple[tuple[str, int], ...]:
        return tuple(counter.most_common())

    return MonthOverview(
        start=start,
        total=len(rows),
        per_urgency=per_urgency,
        per_status=counted(Counter(m.status_label for m in rows)),
        per_channel=counted(Counter(m.channel_label for m in rows)),
        per_topic=counted(Counter(m.topic_label for m in rows)),
        handed_over=sum(m.handed_over for m in rows),
        inform_client=sum(m.inform_client for m in rows),
        recent=tuple(reversed(rows[-10:])),
    )
