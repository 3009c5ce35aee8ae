"""A generated month of registered data for the report tests, and what it holds.

October 2026 for two clients (with the DST change of 25 October, a closing day on
Monday 5 October, meldingen just inside and outside the month's bounds), and a smaller
September for the comparison. Every melding is written as a :class:`Spec` first; the
tests count the specs themselves, independently of the report's code.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from meldkamer.clients.loader import LoadedClient, parse_client
from meldkamer.clients.store import apply_all
from meldkamer.contacts import record_contact
from meldkamer.dispatch.models import WorkOrder
from meldkamer.handover.models import Handover
from meldkamer.sla.models import SlaClock
from meldkamer.tickets import create_ticket
from meldkamer.triage import default_engine
from tests.core.meldingen import melding

ROOT = Path(__file__).resolve().parents[3]
AMS = ZoneInfo("Europe/Amsterdam")
CLOSING_DAY = "2026-10-05"
CHANNELS = ("webchat", "whatsapp", "telegram", "telefoon", "email", "sms")
URGENCIES = ("acuut", "urgent", "niet_urgent")
STATUSES = ("nieuw", "doorgezet", "in_behandeling", "wacht_op_terugbellen", "afgerond")
CONTRACTORS = (("jansen", "Jansen Installatie"), ("de-vries", "Loodgieter De Vries & Zn"))
ESCALATION_MINUTES = 15


@dataclass
class ClockSpec:
    """One SLA clock: its kind and how it went (``op_tijd``, ``te_laat``, ``verlopen``, ``loopt``)."""

    kind: str
    outcome: str
    escalated: bool = False


@dataclass
class OrderSpec:
    """One work order: contractor, minutes to acknowledgement, arrival, done (None: not)."""

    contractor: str
    ack: int | None
    on_site: int | None
    done: int | None
    escalated: bool = False
    clocks: list[ClockSpec] = field(default_factory=list)


@dataclass
class Spec:
    """One melding as generated."""

    key: str
    client: str
    at: datetime
    channel: str
    topic: str
    urgency: str
    status: str
    inform_client: bool
    needs_assessment: bool
    handover_wait: int | None = None  # minutes; None: not handed over
    handed_over: bool = False
    callback: bool = False
    orders: list[OrderSpec] = field(default_factory=list)

    @property
    def local(self) -> datetime:
        return self.at.astimezone(AMS)


def _local(year: int, month: int, day: int, hour: int, minute: int, fold: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=AMS, fold=fold).astimezone(timezone.utc)


def _fixed_moments() -> list[tuple[str, datetime]]:
    """Moments at the edges: the month's bounds, both 02:30s of the DST night, the closing day."""
    return [
        ("de-linde", _local(2026, 10, 1, 0, 5)),  # 30 Sept 22:05 UTC: October
        ("de-linde", _local(2026, 10, 31, 23, 55)),  # still October, in CET
        ("de-linde", _local(2026, 11, 1, 0, 10)),  # November: not in the report
        ("de-linde", _local(2026, 9, 30, 23, 50)),  # September
        ("de-linde", _local(2026, 10, 25, 2, 30, fold=0)),  # 00:30 UTC, CEST
        ("de-linde", _local(2026, 10, 25, 2, 30, fold=1)),  # 01:30 UTC, CET
        ("de-linde", _local(2026, 10, 5, 10, 0)),  # closing day, normally office hours
        ("vve-beheer-noord", _local(2026, 10, 25, 2, 45, fold=1)),
    ]


def _orders(rng: random.Random, urgency: str) -> list[OrderSpec]:
    if urgency == "niet_urgent" or rng.random() < 0.2:
        return []
    first = OrderSpec(rng.choice(CONTRACTORS)[0], None, None, None)
    if urgency == "acuut":
        late = rng.random()
        if late < 0.25:  # not acknowledged: escalated to the next contractor
            first.escalated = True
            first.clocks = [ClockSpec("bevestiging", "verlopen", escalated=True)]
            second = OrderSpec(CONTRACTORS[1][0], 8, 50, 120)
            second.clocks = [
                ClockSpec("bevestiging", "op_tijd"),
                ClockSpec("ter_plaatse", "op_tijd"),
            ]
            return [first, second]
        first.ack = rng.choice([3, 9, 14])
        if late < 0.45:  # on site too late, breached and escalated to the supervisor
            first.on_site, first.done = 200, 260
            first.clocks = [
                ClockSpec("bevestiging", "op_tijd"),
                ClockSpec("ter_plaatse", "te_laat", escalated=True),
            ]
        else:
            first.on_site, first.done = rng.choice([40, 75, 110]), 150
            first.clocks = [
                ClockSpec("bevestiging", "op_tijd"),
                ClockSpec("ter_plaatse", "op_tijd"),
            ]
        return [first]
    first.ack = 60
    outcome = rng.choice(["op_tijd", "op_tijd", "verlopen", "loopt"])
    first.done = {"op_tijd": 600, "verlopen": None, "loopt": None}[outcome]
    first.clocks = [ClockSpec("gereed", outcome, escalated=outcome == "verlopen")]
    return [first]


def generate(seed: int = 13) -> list[Spec]:
    """The meldingen of the generated months, oldest first."""
    rng = random.Random(seed)
    topics = sorted(default_engine().table.topics)
    moments = _fixed_moments()
    for _ in range(70):
        day, minute = rng.randrange(1, 32), rng.randrange(24 * 60)
        moments.append(("de-linde", _local(2026, 10, day, minute // 60, minute % 60)))
    for _ in range(25):
        day, minute = rng.randrange(1, 31), rng.randrange(24 * 60)
        moments.append(("de-linde", _local(2026, 9, day, minute // 60, minute % 60)))
    for _ in range(20):
        day, minute = rng.randrange(1, 32), rng.randrange(24 * 60)
        moments.append(("vve-beheer-noord", _local(2026, 10, day, minute // 60, minute % 60)))
    specs = []
    for index, (client, at) in enumerate(sorted(moments, key=lambda m: m[1])):
        urgency = rng.choice(URGENCIES)
        spec = Spec(
            key=f"gen-{index}",
            client=client,
            at=at,
            channel=rng.choice(CHANNELS),
            topic=rng.choice(topics),
            urgency=urgency,
            status=rng.choice(STATUSES),
            inform_client=urgency == "acuut" and rng.random() < 0.3,
            needs_assessment=rng.random() < 0.15,
            orders=_orders(rng, urgency),
        )
        if rng.random() < 0.35:
            spec.handed_over = True
            spec.handover_wait = rng.choice([1, 3, 4, 7, 12, 25, None])
            spec.callback = rng.random() < 0.3
        specs.append(spec)
    return specs


def apply_clients(session: Session) -> None:
    """The demo clients, version 1 in August; De Linde's version 2 on 14 October adds a
    closing day on 5 October."""
    loaded = []
    for name in ("de-linde", "vve-beheer-noord"):
        path = ROOT / "clients" / f"{name}.yml"
        source = path.read_text("utf-8")
        loaded.append(LoadedClient(parse_client(source, str(path)), source, str(path)))
    apply_all(session, loaded, by="test", now=datetime(2026, 8, 1, 9, tzinfo=timezone.utc))
    path = ROOT / "clients" / "de-linde.yml"
    source = path.read_text("utf-8").replace(
        "sluitingsdagen:\n", f"sluitingsdagen:\n  - {CLOSING_DAY}  # test: studiedag\n", 1
    )
    client = LoadedClient(parse_client(source, str(path)), source, str(path))
    apply_all(session, [client], by="test", now=_local(2026, 10, 14, 9, 0), note="sluitingsdag")


def _clock_rows(order: WorkOrder, spec: OrderSpec, handover: Handover | None) -> list[SlaClock]:
    rows = []
    for clock in spec.clocks:
        target = order.created_at + (
            timedelta(minutes=ESCALATION_MINUTES)
            if clock.kind == "bevestiging"
            else timedelta(hours=2 if clock.kind == "ter_plaatse" else 24)
        )
        met = {
            "op_tijd": target - timedelta(minutes=1),
            "te_laat": target + timedelta(minutes=20),
        }.get(clock.outcome)
        breached = target if clock.outcome in ("te_laat", "verlopen") else None
        state = {"op_tijd": "gehaald", "loopt": "loopt"}.get(clock.outcome, "verlopen")
        rows.append(
            SlaClock(
                ticket_id=order.ticket_id,
                work_order_id=order.id,
                clock=clock.kind,
                target_at=target,
                met_at=met,
                breached_at=breached,
                escalation_step=2 if clock.escalated else 0,
                escalated_at=breached if clock.escalated else None,
                state=state,
            )
        )
    return rows


def _order_row(ticket_id: int, client: str, spec: Spec, order: OrderSpec, step: int) -> WorkOrder:
    start = spec.at + timedelta(minutes=2 + 16 * step)
    name = dict(CONTRACTORS)[order.contractor]

    def after(minutes: int | None) -> datetime | None:
        return None if minutes is None else start + timedelta(minutes=minutes)

    status = "geescaleerd" if order.escalated else ("gereed" if order.done else "bevestigd")
    return WorkOrder(
        ticket_id=ticket_id,
        client_id=client,
        trade="loodgieter",
        urgency=spec.urgency,
        contractor_id=order.contractor,
        contractor_name=name,
        step=step,
        chain=[c for c, _ in CONTRACTORS],
        token_hash=f"{spec.key}-{step}".ljust(64, "0"),
        status=status,
        deadline=start + timedelta(minutes=ESCALATION_MINUTES),
        created_at=start,
        acknowledged_at=after(order.ack),
        on_site_at=after(order.on_site),
        done_at=after(order.done),
    )


def _register(session: Session, spec: Spec) -> None:
    new = melding(
        spec.key,
        client_id=spec.client,
        channel=spec.channel,
        topic=spec.topic,
        outcome={
            "urgency": spec.urgency,
            "inform_client": spec.inform_client,
            "needs_assessment": spec.needs_assessment,
            "reasons": ["gegenereerd"],
        },
    )
    ticket = create_ticket(session, new, spec.at)
    ticket.status = spec.status
    handover = None
    if spec.handed_over:
        asked = spec.at - timedelta(minutes=30)
        taken = (
            None if spec.handover_wait is None else asked + timedelta(minutes=spec.handover_wait)
        )
        handover = Handover(
            conversation_id=ticket.conversation_id,
            channel=spec.channel,
            ticket_id=ticket.id,
            client_id=spec.client,
            reason="huurder vraagt een medewerker",
            summary={},
            status="gesloten" if taken else "wachtend",
            callback=spec.callback,
            requested_at=asked,
            taken_at=taken,
        )
        session.add(handover)
    for step, order in enumerate(spec.orders):
        row = _order_row(ticket.id, spec.client, spec, order, step)
        session.add(row)
        session.flush()
        session.add_all(_clock_rows(row, order, handover))
    record_contact(
        session,
        at=spec.at,
        direction="in",
        channel=spec.channel,
        party="huurder",
        kind="bericht",
        summary="melding",
        ticket_id=ticket.id,
        client_id=spec.client,
    )
    record_contact(
        session,
        at=spec.at,
        direction="intern",
        channel="console",
        party="medewerker",
        kind="bericht",
        summary="interne notitie",
        ticket_id=ticket.id,
    )
    session.flush()


def populate(session: Session, specs: list[Spec]) -> None:
    """Apply the clients and register every spec with its handover, orders, clocks, contacts."""
    apply_clients(session)
    for spec in specs:
        _register(session, spec)
