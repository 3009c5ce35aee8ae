"""Breaches of SLA clocks and their escalation chain, run by the worker every round.

A clock past its target is breached: the breach is registered on the ticket (attention
flag and contact log) and escalates along :mod:`meldkamer.sla.chain`: the next contractor,
the meldkamer's supervisor (SMS to ``MELDKAMER_SUPERVISOR_PHONE``, e-mail to
``MELDKAMER_SUPERVISOR_EMAIL``, else ``MELDKAMER_AGENTS_EMAIL``), the client's piket
(SMS and e-mail to the employee on duty; the client's office e-mail when none is). A
step waits the client's ``escalatie_minuten`` to be taken on (:func:`take_on`, from the
Bewaking page) before the next one. Everything is on the worker's ``now``.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from meldkamer.clients.registry import ClientRegistry
from meldkamer.clients.schema import Client, Reachable
from meldkamer.clients.store import latest
from meldkamer.contact import MELDKAMER_PHONE
from meldkamer.contacts import Channel, Direction, Party
from meldkamer.dispatch.escalation import escalate_due, escalate_order
from meldkamer.dispatch.models import WorkOrder, WorkOrderStatus
from meldkamer.dispatch.service import DispatchSettings
from meldkamer.intake.validation import Invalid, normalise_phone
from meldkamer.notify.models import MessageKind
from meldkamer.notify.outbox import enqueue
from meldkamer.sla.about import About, Entry, about, local, log, message
from meldkamer.sla.ack import issue_link
from meldkamer.sla.chain import STEP_LABELS, Step, next_step, step_due
from meldkamer.sla.clocks import CLOCK_LABELS, ClockKind, ClockState
from meldkamer.sla.models import SlaClock
from meldkamer.sla.service import CLOCKS, sync
from meldkamer.tickets import flag_attention

logger = logging.getLogger(__name__)

SessionFactory = Callable[[], Session]
_DEFAULT_WAIT_MINUTES = 15
_INTERNAL = Entry(Direction.INTERN, Channel.SYSTEEM, Party.MELDKAMER)


@dataclass(frozen=True)
class SupervisorSettings:
    """How the meldkamer's supervisor on duty is reached (a duty phone and mailbox)."""

    phone: str | None = None
    email: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> SupervisorSettings:
        """``MELDKAMER_SUPERVISOR_PHONE``, ``MELDKAMER_SUPERVISOR_EMAIL`` (else the agents').

        Raises:
            ValueError: the phone number is no phone number.
        """
        env = os.environ if env is None else env
        phone = env.get("MELDKAMER_SUPERVISOR_PHONE", "").strip() or None
        if phone is not None:
            normalised = normalise_phone(phone)
            if isinstance(normalised, Invalid):
                raise ValueError(f"MELDKAMER_SUPERVISOR_PHONE: {normalised.message}")
            phone = normalised
        email = env.get("MELDKAMER_SUPERVISOR_EMAIL", "").strip() or None
        return cls(phone=phone, email=email or env.get("MELDKAMER_AGENTS_EMAIL") or None)


@dataclass(frozen=True)
class Escalation:
    """What the SLA round needs besides the session: clients, settings, the clock."""

    registry: ClientRegistry
    dispatch: DispatchSettings
    supervisor: SupervisorSettings
    now: datetime

    def client(self, client_id: str | None) -> Client | None:
        return self.registry.get(client_id) if client_id and client_id in self.registry else None


def run_sla(session: Session, esc: Escalation, limit: int = 100) -> list[str]:
    """One round: the contractor chain, clocks opened and settled, breaches escalated."""
    done = escalate_due(session, esc.registry, esc.dispatch, esc.now)
    sync(session, esc.registry, esc.now)
    due = (
        select(SlaClock)
        .where(CLOCKS.state == ClockState.LOOPT.value, CLOCKS.target_at <= esc.now)
        .order_by(CLOCKS.target_at)
        .limit(limit)
    )
    for clock in _locked(session, due):
        done.append(_breach(session, clock, esc))
    breached = (
        select(SlaClock)
        .where(CLOCKS.state == ClockState.VERLOPEN.value, CLOCKS.met_at.is_(None))
        .where(CLOCKS.escalation_step == Step.SUPERVISOR.value)
        .limit(limit)
    )
    for clock in _locked(session, breached):
        client = esc.client(_client_id(session, clock))
        wait = client.escalation if client else _wait_default()
        assert clock.breached_at is not None
        if step_due(clock.breached_at, clock.escalated_at, clock.escalation_step, wait) <= esc.now:
            done.append(_escalate(session, clock, esc))
    session.flush()
    return done


def _wait_default() -> timedelta:
    return timedelta(minutes=_DEFAULT_WAIT_MINUTES)


def _locked(session: Session, query: Any) -> list[SlaClock]:
    if session.get_bind().dialect.name == "postgresql":
        # Two workers never take the same step twice.
        query = query.with_for_update(skip_locked=True)
    return list(session.execute(query).scalars())


def _client_id(session: Session, clock: SlaClock) -> str | None:
    return about(session, clock).client_id


def _breach(session: Session, clock: SlaClock, esc: Escalation) -> str:
    on = about(session, clock)
    clock.state = ClockState.VERLOPEN.value
    clock.breached_at = esc.now
    what = CLOCK_LABELS[clock.clock]
    if on.ticket is not None:
        flag_attention(session, on.ticket, f"SLA verlopen: {what}", esc.now)
    summary = f"SLA verlopen: {what} (doel {local(clock.target_at)})"
    log(session, on, esc.now, _INTERNAL, summary, clock)
    return _escalate(session, clock, esc)


def _escalate(session: Session, clock: SlaClock, esc: Escalation) -> str:
    on = about(session, clock)
    order = session.get(WorkOrder, clock.work_order_id) if clock.work_order_id else None
    step = next_step(
        ClockKind(clock.clock), clock.escalation_step, _can_pass_on(session, clock, order)
    )
    if step is None:
        return f"{on.name}: {CLOCK_LABELS[clock.clock]}: niemand meer om te bellen"
    if step is Step.AANNEMER:
        # Only a work order's clock passes on, and a work order always has its ticket.
        assert order is not None and on.ticket is not None
        if order.status != WorkOrderStatus.GEESCALEERD.value:
            escalate_order(session, order, on.ticket, esc.registry, esc.dispatch, esc.now)
        summary = f"Escalatie: werkbon van {order.contractor_name} naar de volgende aannemer"
        log(
            session,
            on,
            esc.now,
            Entry(Direction.UIT, Channel.SYSTEEM, Party.AANNEMER),
            summary,
            clock,
        )
    elif step is Step.SUPERVISOR:
        _notify_supervisor(session, clock, on, esc)
    else:
        _notify_piket(session, clock, on, esc)
    clock.escalation_step = step.value
    clock.escalated_at = esc.now
    return f"{on.name}: {CLOCK_LABELS[clock.clock]} verlopen, {STEP_LABELS[step.value]}"


def _can_pass_on(session: Session, clock: SlaClock, order: WorkOrder | None) -> bool:
    """Whether the breach goes to the next contractor first."""
    if order is None:
        return False
    later = session.execute(
        select(WorkOrder.id).where(
            WorkOrder.ticket_id == order.ticket_id, WorkOrder.step > order.step
        )
    ).first()
    if clock.clock == ClockKind.BEVESTIGING.value:
        # The contractor chain (escalate_due) already asked the next one, if there was one.
        return later is not None
    never_taken = order.status == WorkOrderStatus.VERSTUURD.value
    return (
        clock.clock == ClockKind.GEREED.value and never_taken and order.step + 1 < len(order.chain)
    )


def _send(
    session: Session,
    clock: SlaClock,
    on: About,
    esc: Escalation,
    to: tuple[str | None, str | None],
    step: Step,
    answer: str,
) -> list[Channel]:
    """Queue the SMS and e-mail of a step; returns the channels used."""
    subject, body, sms = message(clock, on, answer)
    phone, email = to
    used: list[Channel] = []
    key = f"sla:{clock.id}:{step.name.lower()}"
    for channel, kind, recipient, text in (
        (Channel.SMS, MessageKind.SMS, phone, sms),
        (Channel.EMAIL, MessageKind.EMAIL, email, body),
    ):
        if recipient:
            enqueue(
                session,
                key=f"{key}:{kind.value}",
                kind=kind,
                recipient=recipient,
                subject=subject if kind is MessageKind.EMAIL else None,
                body=text,
                ticket_id=on.ticket_id,
                purpose="escalatie",
                now=esc.now,
            )
            used.append(channel)
    return used


def _log_sent(
    session: Session,
    clock: SlaClock,
    on: About,
    esc: Escalation,
    used: list[Channel],
    party: Party,
    summary: str,
    by: str | None = None,
) -> None:
    """A contact per channel a step was sent on; with none, one system entry saying so."""
    for channel in used or [Channel.SYSTEEM]:
        log(session, on, esc.now, Entry(Direction.UIT, channel, party), summary, clock, by=by)


def _notify_supervisor(session: Session, clock: SlaClock, on: About, esc: Escalation) -> None:
    sup = esc.supervisor
    link = issue_link(clock, esc.dispatch.public_url)
    watch = f"{esc.dispatch.public_url.rstrip('/')}/bewaking"
    answer = (
        f"Pakt u het op? Meld dat met de knop achter {link} (of op de pagina Bewaking: {watch})."
    )
    used = _send(session, clock, on, esc, (sup.phone, sup.email), Step.SUPERVISOR, answer)
    summary = "Escalatie naar de supervisor" + (
        "" if used else ": geen telefoon of e-mail ingesteld"
    )
    _log_sent(session, clock, on, esc, used, Party.MELDKAMER, summary)


def _notify_piket(session: Session, clock: SlaClock, on: About, esc: Escalation) -> None:
    client = esc.client(on.client_id)
    on_duty: tuple[Reachable, ...] = client.piket.on_duty(esc.now) if client else ()
    link = issue_link(clock, esc.dispatch.public_url)
    answer = (
        f"Pakt u het op? Meld dat met de knop achter {link} en bel de meldkamer: {MELDKAMER_PHONE}."
    )
    if on_duty:
        person = on_duty[0]
        to: tuple[str | None, str | None] = (person.sms_number, person.email)
        name = person.name
    else:
        to, name = (None, client.contact.email if client else None), "kantoor opdrachtgever"
    used = _send(session, clock, on, esc, to, Step.PIKET, answer)
    summary = f"Escalatie naar de piket van de opdrachtgever: {name}" + (
        "" if used else " (geen contactgegevens)"
    )
    _log_sent(session, clock, on, esc, used, Party.OPDRACHTGEVER, summary, by=name)


class NotWatched(LookupError):
    """No breached clock with this id waits for someone to take it on."""


def take_on(
    session: Session, clock_id: int, by: str, now: datetime, note: str | None = None
) -> SlaClock:
    """A person takes the breach on: its escalation stops, registered with who and when."""
    clock: SlaClock | None = session.get(SlaClock, clock_id)
    if (
        clock is None
        or clock.state != ClockState.VERLOPEN.value
        or clock.met_at is not None
        or clock.escalation_step == Step.AANNEMER.value
    ):
        raise NotWatched(str(clock_id))
    clock.state = ClockState.GESTOPT.value
    text = f"Escalatie opgepakt: {CLOCK_LABELS[clock.clock]}" + (
        f" ({note.strip()})" if note and note.strip() else ""
    )
    log(
        session,
        about(session, clock),
        now,
        Entry(Direction.INTERN, Channel.CONSOLE, Party.MEDEWERKER),
        text,
        clock,
        by=by,
    )
    session.flush()
    return clock


def sla_job(
    supervisor: SupervisorSettings | None = None, dispatch: DispatchSettings | None = None
) -> Callable[[SessionFactory, datetime], Awaitable[None]]:
    """The worker's round (replaces the bare contractor escalation: it runs it first)."""
    sup = supervisor or SupervisorSettings.from_env()
    settings = dispatch or DispatchSettings.from_env()

    async def job(sessions: SessionFactory, now: datetime) -> None:
        with sessions() as session, session.begin():
            esc = Escalation(latest(session), settings, sup, now)
            for line in run_sla(session, esc):
                logger.info("sla: %s", line)

    return job
