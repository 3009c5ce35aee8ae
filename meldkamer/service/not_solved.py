"""The tenant answers a done message with "het is nog niet opgelost": the melding goes on.

Only in the conversation the done message went to, or from the ticket's own phone (a
WhatsApp conversation, an SMS reply to the done SMS): that is the proof. An open ticket (the client checks first) is
worked on again; a closed one stays closed, as every closed ticket does, and gets a
follow-up ticket that names it. Either way the work goes out again to the contractor on
call, a person of the meldkamer is asked to look, and the contact is logged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from meldkamer.contacts import ContactKind, Party
from meldkamer.dispatch.models import WorkOrder, WorkOrderStatus
from meldkamer.dispatch.service import send_work_order
from meldkamer.service.context import Collaborators
from meldkamer.service.status_lookup import Asker, log_from_tenant
from meldkamer.service.tenant_updates import CHAT_CHANNELS
from meldkamer.tickets import Ticket, TicketStatus, change_status, flag_attention
from meldkamer.tickets.models import can_transition
from meldkamer.tickets.store import NewTicket, bounded, create_ticket
from meldkamer.triage import Urgency
from meldkamer.updates.texts import UpdateTexts

#: How long after "gereed" the answer still reopens; later it is a new melding.
REOPEN_WINDOW = timedelta(days=14)
ATTENTION = "Huurder meldt: nog niet opgelost na gereed van {werkbon}"
BY = Party.HUURDER.value
_orders: Any = WorkOrder.__table__.c
_tickets: Any = Ticket.__table__.c


@dataclass(frozen=True)
class Reopened:
    """What the answer did.

    Attributes:
        message: what the tenant is told.
        ticket: the ticket worked on now (the follow-up when the old one was closed),
            ``None`` when nothing was found to reopen.
        follow_up_of: the closed ticket the follow-up names.
        work_order: the contractor asked again, if the roster has one.
    """

    message: str
    ticket: str | None = None
    follow_up_of: str | None = None
    work_order: str | None = None


def _done_order(session: Session, asker: Asker, now: datetime) -> WorkOrder | None:
    mine = _tickets.conversation_id == asker.conversation_id
    if asker.phone:  # WhatsApp or an SMS reply: from the number the done message went to
        mine = or_(mine, _tickets.telefoon == asker.phone)
    order: WorkOrder | None = session.execute(
        select(WorkOrder)
        .join(Ticket, Ticket.id == WorkOrder.ticket_id)
        .where(
            mine,
            _orders.status == WorkOrderStatus.GEREED.value,
            _orders.done_at >= now - REOPEN_WINDOW,
        )
        .order_by(_orders.done_at.desc(), _orders.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    return order


def _follow_up(session: Session, old: Ticket, order: WorkOrder, now: datetime) -> Ticket:
    # One follow-up per done work order: saying it twice makes no second ticket.
    return create_ticket(
        session,
        NewTicket(
            melding_id=f"vervolg:{old.number}:{order.id}",
            conversation_id=old.conversation_id,
            channel=old.channel,
            topic=old.topic,
            outcome=dict(old.outcome),
            postcode=old.postcode,
            huisnummer=old.huisnummer,
            huisnummer_toevoeging=old.huisnummer_toevoeging,
            naam=old.naam,
            telefoon=old.telefoon,
            email=old.email,
            beschrijving=bounded("beschrijving", f"Vervolg op {old.number}: {old.beschrijving}"),
            facts=dict(old.facts),
            client_id=old.client_id,
            complex_id=old.complex_id,
        ),
        now,
    )


def _send_again(
    ctx: Collaborators, session: Session, ticket: Ticket, order: WorkOrder, now: datetime
) -> WorkOrder | None:
    client, complex_ = ctx.place(ticket.client_id, ticket.complex_id)
    chain = client.on_call(complex_.id if complex_ else None, order.trade, now) if client else []
    if client is None or not chain:
        flag_attention(session, ticket, "Geen aannemer in het rooster: zelf regelen", now)
        return None
    return send_work_order(
        session,
        ticket,
        client,
        chain,
        0,
        urgency=Urgency(order.urgency),
        settings=ctx.dispatch,
        now=now,
    )


def report_not_solved(ctx: Collaborators, asker: Asker) -> Reopened:
    """The tenant says the done work did not solve it; committed."""
    now = ctx.clock()
    if asker.channel not in CHAT_CHANNELS and asker.phone is None:
        # A REST sender id proves nothing: the tenant is asked to call.
        return Reopened(UpdateTexts.for_client(None).render("niets_heropend", ""))
    with ctx.sessions.begin() as session:
        order = _done_order(session, asker, now)
        old = session.get(Ticket, order.ticket_id) if order else None
        if order is None or old is None:
            return Reopened(UpdateTexts.for_client(None).render("niets_heropend", ""))
        texts = UpdateTexts.for_client(ctx.client(old.client_id))
        closed = old.status in (TicketStatus.AFGEROND.value, TicketStatus.GEANNULEERD.value)
        ticket = _follow_up(session, old, order, now) if closed else old
        reason = ATTENTION.format(werkbon=f"werkbon {order.id} ({order.contractor_name})")
        if closed:
            log_from_tenant(
                session,
                asker,
                now,
                f"Nog niet opgelost: vervolgmelding {ticket.number}",
                old,
                kind=ContactKind.BERICHT,
            )
        elif can_transition(old.status, TicketStatus.IN_BEHANDELING):
            change_status(session, old, TicketStatus.IN_BEHANDELING, by=BY, reason=reason, now=now)
        log_from_tenant(
            session,
            asker,
            now,
            "Huurder: het is nog niet opgelost",
            ticket,
            kind=ContactKind.BERICHT,
        )
        flag_attention(session, ticket, reason, now)
        again = _send_again(ctx, session, ticket, order, now)
        message = (
            texts.render("vervolg", ticket.number, oud=old.number)
            if closed
            else texts.render("heropend", ticket.number)
        )
        return Reopened(
            message,
            ticket=ticket.number,
            follow_up_of=old.number if closed else None,
            work_order=again.contractor_name if again else None,
        )
