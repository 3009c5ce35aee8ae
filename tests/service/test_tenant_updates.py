"""notify_tenant: every step of the work order reaches the tenant on a channel they read."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from meldkamer.contacts import contacts_for_ticket
from meldkamer.dispatch.models import WorkOrder, WorkOrderEvent
from meldkamer.notify.models import OutboxMessage
from meldkamer.notify.outbox import messages_for_ticket
from meldkamer.notify.senders import SmsSender
from meldkamer.notify.worker import deliver_due
from meldkamer.service.confirm import confirm_melding
from meldkamer.service.context import Collaborators
from meldkamer.service.tenant_updates import PURPOSE, WEBCHAT_REACH, notify_tenant
from tests.fakes.mail import SmsGateway
from tests.service.conftest import NIGHT, burst_pipe


def melding_on(ctx: Collaborators, channel: str, conversation: str = "web-1") -> int:
    result = confirm_melding(ctx, burst_pipe(channel=channel, conversation_id=conversation))
    assert result.ticket_id is not None
    return result.ticket_id


def step(
    ctx: Collaborators,
    ticket_id: int,
    status: str,
    *,
    at: datetime = NIGHT,
    eta: datetime | None = None,
    report: str | None = None,
) -> list[OutboxMessage]:
    """The contractor's step as the work-order use case records it, then the tenant's update."""
    with ctx.sessions.begin() as session:
        order = session.execute(
            select(WorkOrder).where(WorkOrder.ticket_id == ticket_id)
        ).scalar_one()
        event = WorkOrderEvent(
            work_order_id=order.id,
            ticket_id=ticket_id,
            status_from=order.status,
            status_to=status,
            eta_at=eta,
            note=report,
            by="Loodgieter Jansen",
            via="pagina",
            at=at,
        )
        order.status, order.eta_at, order.report = status, eta, report
        session.add(event)
        session.flush()
        ticket = order_ticket(session, order)
        queued = notify_tenant(
            session, ticket, event, order=order, client=ctx.client(ticket.client_id), now=at
        )
        session.flush()
        session.expunge_all()  # the messages stay readable after the commit
        return queued


def order_ticket(session: Session, order: WorkOrder):  # type: ignore[no-untyped-def]
    from meldkamer.tickets import Ticket

    return session.get(Ticket, order.ticket_id)


def updates(ctx: Collaborators, ticket_id: int) -> list[OutboxMessage]:
    with ctx.sessions() as session:
        return [m for m in messages_for_ticket(session, ticket_id) if m.purpose == PURPOSE]


def test_a_web_chat_tenant_hears_each_step_in_the_chat(ctx: Collaborators) -> None:
    ticket_id = melding_on(ctx, "webchat")
    eta = NIGHT + timedelta(minutes=30)
    step(ctx, ticket_id, "bevestigd")
    step(ctx, ticket_id, "onderweg", at=NIGHT + timedelta(minutes=1), eta=eta)
    step(ctx, ticket_id, "ter_plaatse", at=NIGHT + timedelta(minutes=29))
    step(ctx, ticket_id, "gereed", at=NIGHT + timedelta(minutes=70), report="Leiding vervangen.")
    sent = updates(ctx, ticket_id)
    assert [(m.kind, m.recipient) for m in sent] == [("chat", "web-1")] * 4
    number = sent[0].body.split(":")[0].removeprefix("Melding ")
    assert number.startswith("MK-2026-")
    assert "Loodgieter" in sent[0].body or "opdracht aangenomen" in sent[0].body
    assert "om 03:30" in sent[1].body  # the arrival time in Amsterdam
    assert "aangekomen" in sent[2].body
    assert "afgerond" in sent[3].body and "Leiding vervangen." in sent[3].body
    assert "nog niet opgelost" in sent[3].body  # the chat can take that answer
    with ctx.sessions() as session:
        logged = [c for c in contacts_for_ticket(session, ticket_id) if c.party == "huurder"]
    assert [c.ref for c in logged][-4:] == [m.key for m in sent]


def test_a_rest_tenant_gets_an_sms_that_says_whom_to_call(ctx: Collaborators) -> None:
    ticket_id = melding_on(ctx, "rest")
    step(ctx, ticket_id, "gereed")
    (sms,) = updates(ctx, ticket_id)
    assert (sms.kind, sms.recipient) == ("sms", "+31612345678")
    assert "088-3746100" in sms.body and "Stuur dan" not in sms.body


def test_a_phone_tenant_gets_sms_and_without_a_time_no_time_is_promised(
    ctx: Collaborators,
) -> None:
    ticket_id = melding_on(ctx, "telefoon")
    step(ctx, ticket_id, "onderweg")
    (sms,) = updates(ctx, ticket_id)
    assert sms.kind == "sms" and "onderweg" in sms.body and "verwachting" not in sms.body


def test_a_web_chat_closed_long_ago_also_gets_an_sms(ctx: Collaborators) -> None:
    ticket_id = melding_on(ctx, "webchat")
    later = NIGHT + WEBCHAT_REACH + timedelta(minutes=1)
    step(ctx, ticket_id, "gereed", at=later)
    chat, sms = updates(ctx, ticket_id)
    assert (chat.kind, sms.kind) == ("chat", "sms")
    assert "Stuur dan" in chat.body and "Bel de meldkamer" in sms.body


@pytest.mark.parametrize("channel", ["whatsapp", "telegram"])
def test_whatsapp_and_telegram_tenants_hear_it_in_their_conversation(
    ctx: Collaborators, channel: str
) -> None:
    ticket_id = melding_on(ctx, channel, conversation="wa-31612345678")
    step(ctx, ticket_id, "bevestigd")
    (chat,) = updates(ctx, ticket_id)
    assert (chat.kind, chat.recipient) == ("chat", "wa-31612345678")


def test_silent_steps_and_repeated_events_queue_nothing(ctx: Collaborators) -> None:
    ticket_id = melding_on(ctx, "rest")
    assert step(ctx, ticket_id, "geescaleerd") == []
    with ctx.sessions.begin() as session:
        event = session.execute(select(WorkOrderEvent)).scalar_one()
        order = session.get(WorkOrder, event.work_order_id)
        assert order is not None
        ticket = order_ticket(session, order)
        event.status_to = "bevestigd"
        first = notify_tenant(session, ticket, event, order=order, client=None, now=NIGHT)
        again = notify_tenant(session, ticket, event, order=order, client=None, now=NIGHT)
    assert len(first) == 1 and again == []
    assert len(updates(ctx, ticket_id)) == 1


@pytest.mark.parametrize("channel", ["rest", "telefoon"])
async def test_the_worker_sends_the_sms_update_through_the_gateway(
    ctx: Collaborators, sms_gateway: SmsGateway, channel: str
) -> None:
    ticket_id = melding_on(ctx, channel)
    step(ctx, ticket_id, "ter_plaatse")
    sender = SmsSender(sms_gateway.settings())
    try:
        await deliver_due(ctx.sessions, {"sms": sender}, NIGHT + timedelta(seconds=1))
    finally:
        await sender.close()
    texts = [r["text"] for r in sms_gateway.accepted if r["to"] == "+31612345678"]
    assert any("is bij u aangekomen" in str(text) for text in texts)
