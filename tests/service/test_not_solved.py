""" "Nog niet opgelost" after a done message: the melding goes on, with a new work order."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from meldkamer.contacts import contacts_for_ticket
from meldkamer.dispatch.models import WorkOrder
from meldkamer.service.confirm import confirm_melding
from meldkamer.service.context import Collaborators
from meldkamer.service.not_solved import REOPEN_WINDOW, report_not_solved
from meldkamer.service.status_lookup import Asker, asker_for
from meldkamer.tickets import Ticket, change_status, get_ticket
from tests.service.conftest import NIGHT, burst_pipe

CHAT = Asker("web-huurder", "webchat")


def done(ctx: Collaborators, *, close: bool) -> str:
    """A web chat melding whose work order the contractor set to gereed."""
    result = confirm_melding(
        ctx, burst_pipe(channel="webchat", conversation_id=CHAT.conversation_id)
    )
    assert result.ticket_number is not None
    with ctx.sessions.begin() as session:
        order = session.execute(select(WorkOrder)).scalar_one()
        order.status, order.done_at = "gereed", NIGHT
        if close:
            ticket = get_ticket(session, result.ticket_number)
            assert ticket is not None
            change_status(session, ticket, "afgerond", by="test", reason=None, now=NIGHT)
    return result.ticket_number


def orders(ctx: Collaborators) -> list[WorkOrder]:
    with ctx.sessions() as session:
        return list(session.execute(select(WorkOrder).order_by(WorkOrder.id)).scalars())


def test_a_closed_ticket_gets_a_follow_up_with_a_new_work_order(ctx: Collaborators) -> None:
    number = done(ctx, close=True)
    answer = report_not_solved(ctx, CHAT)
    assert answer.follow_up_of == number and answer.ticket and answer.ticket != number
    assert answer.ticket in answer.message and number in answer.message
    assert "112" in answer.message  # safety comes along
    with ctx.sessions() as session:
        old, new = (get_ticket(session, n) for n in (number, answer.ticket))
        assert old is not None and new is not None
        assert old.status == "afgerond"  # a closed ticket stays closed
        assert new.status == "doorgezet" and number in new.beschrijving
        assert new.attention and "nog niet opgelost" in new.attention
        assert any("vervolgmelding" in c.summary for c in contacts_for_ticket(session, old.id))
        assert any(c.direction == "in" for c in contacts_for_ticket(session, new.id))
    first, second = orders(ctx)
    assert (first.ticket_id, second.status) == (old.id, "verstuurd") and second.ticket_id == new.id
    assert answer.work_order == second.contractor_name


def test_an_open_ticket_is_worked_on_again(ctx: Collaborators) -> None:
    number = done(ctx, close=False)
    answer = report_not_solved(ctx, CHAT)
    assert answer.ticket == number and answer.follow_up_of is None
    with ctx.sessions() as session:
        ticket = get_ticket(session, number)
        assert ticket is not None and ticket.status == "in_behandeling" and ticket.attention
    assert len(orders(ctx)) == 2


def test_saying_it_twice_makes_one_follow_up(ctx: Collaborators) -> None:
    done(ctx, close=True)
    first = report_not_solved(ctx, CHAT)
    again = report_not_solved(ctx, CHAT)
    assert first.ticket == again.ticket
    with ctx.sessions() as session:
        assert len(list(session.execute(select(Ticket)).scalars())) == 2


def test_other_conversations_rest_and_old_work_reopen_nothing(ctx: Collaborators) -> None:
    done(ctx, close=True)
    for asker in (Asker("web-iemand-anders", "webchat"), Asker(CHAT.conversation_id, "rest")):
        answer = report_not_solved(ctx, asker)
        assert answer.ticket is None and "geen melding" in answer.message
    ctx.clock = lambda: NIGHT + REOPEN_WINDOW + timedelta(minutes=1)
    assert report_not_solved(ctx, CHAT).ticket is None
    assert len(orders(ctx)) == 1


def test_an_sms_reply_from_the_tickets_phone_reopens(ctx: Collaborators) -> None:
    result = confirm_melding(ctx, burst_pipe(channel="rest", conversation_id="app-1"))
    with ctx.sessions.begin() as session:
        order = session.execute(select(WorkOrder)).scalar_one()
        order.status, order.done_at = "gereed", NIGHT
    other_phone = report_not_solved(ctx, asker_for("sms-31699999999", "sms"))
    assert other_phone.ticket is None
    answer = report_not_solved(ctx, asker_for("sms-31612345678", "sms"))
    assert answer.ticket == result.ticket_number and answer.follow_up_of is None
