"""Use case: an SMS from a contractor, read as a step of their work order.

The SMS webhook (``channels/sms``) asks :func:`handle_contractor_sms` first: a sender who
is a contractor in a client file gets their reply applied to their open work order
(:func:`meldkamer.service.workorder.update_work_order`, ``via`` sms) and an answer to
send back; anyone else (``None``) is a tenant and goes to the assistant.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import desc, select
from sqlalchemy.orm import Session

from meldkamer.clients.registry import ClientRegistry
from meldkamer.dispatch.keywords import HELP, KeywordError, parse_reply
from meldkamer.dispatch.lifecycle import STEPS, TransitionError
from meldkamer.dispatch.models import WorkOrder
from meldkamer.dispatch.models import WorkOrderStatus as S
from meldkamer.service.context import Collaborators
from meldkamer.service.workorder import Request, Via, update_work_order
from meldkamer.tickets import Ticket

#: Work orders a contractor can still report on.
_ORDERS = WorkOrder.__table__.c
_OPEN = tuple(status.value for status, step in STEPS.items() if not step.final)


@dataclass(frozen=True)
class SmsAnswer:
    """The reply to send to the contractor, and the ticket it was about (if one)."""

    text: str
    ticket_number: str | None = None


def contractor_ids(registry: ClientRegistry, sender: str) -> set[tuple[str, str]]:
    """(client id, contractor id) of every contractor with this phone number."""
    return {
        (client.id, contractor.id)
        for client in registry
        for contractor in client.contractors.values()
        if sender in (contractor.phone, contractor.sms_number)
    }


def _open_orders(session: Session, who: set[tuple[str, str]]) -> list[tuple[WorkOrder, str]]:
    rows = session.execute(
        select(WorkOrder, Ticket.number)
        .join(Ticket, Ticket.id == WorkOrder.ticket_id)
        .where(_ORDERS.status.in_(_OPEN))
        .order_by(desc(WorkOrder.created_at))
    ).all()
    return [
        (order, number) for order, number in rows if (order.client_id, order.contractor_id) in who
    ]


def handle_contractor_sms(c: Collaborators, sender: str, text: str) -> SmsAnswer | None:
    """Apply a contractor's SMS; ``None`` when the sender is no contractor we know."""
    registry = c.registry()
    who = contractor_ids(registry, sender)
    if not who:
        return None
    try:
        command = parse_reply(text)
    except KeywordError:
        return SmsAnswer(HELP)
    now = c.clock()
    with c.sessions.begin() as session:
        orders = _open_orders(session, who)
        if command.ticket_number:
            orders = [(o, n) for o, n in orders if n == command.ticket_number]
        if not orders:
            return SmsAnswer(
                "Geen open werkbon gevonden voor dit nummer. Bel de meldkamer: "
                f"{c.dispatch.service_phone}."
            )
        if len({n for _, n in orders}) > 1:
            numbers = ", ".join(sorted({n for _, n in orders}))
            return SmsAnswer(f"U heeft meer open werkbonnen ({numbers}): zet het MK-nummer erbij.")
        order, number = orders[0]
        request = Request(
            command.status,
            by=order.contractor_name,
            via=Via.SMS,
            eta_minutes=command.eta_minutes,
            note=command.note,
        )
        try:
            change = update_work_order(
                session, order, request, registry=registry, settings=c.dispatch, now=now
            )
        except TransitionError as error:
            return SmsAnswer(f"{number}: {error}. {HELP}", number)
    label = STEPS[S(command.status)].label
    if change.already:
        return SmsAnswer(f"{number}: stond al op {label}.", number)
    return SmsAnswer(f"{number}: genoteerd, {label}. Dank u.", number)
