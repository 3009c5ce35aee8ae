"""update_work_order: the work order's life from the page, by SMS and by an agent."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from meldkamer.contacts import contacts_for_ticket
from meldkamer.dispatch.lifecycle import TransitionError
from meldkamer.dispatch.links import LinkPolicy
from meldkamer.dispatch.models import WorkOrder, WorkOrderEvent
from meldkamer.intake.validation import Address
from meldkamer.service.confirm import confirm_melding
from meldkamer.service.context import Collaborators
from meldkamer.service.workorder import (
    NoWorkOrder,
    Request,
    Via,
    update_by_number,
    update_by_token,
)
from meldkamer.service.workorder_sms import handle_contractor_sms
from meldkamer.tickets import Ticket
from tests.links import link_token
from tests.service.conftest import NIGHT, burst_pipe


def _order(ctx: Collaborators, number: str) -> WorkOrder:
    with ctx.sessions() as session:
        return (
            session.execute(
                select(WorkOrder)
                .join(Ticket, Ticket.id == WorkOrder.ticket_id)
                .where(Ticket.number == number)
                .order_by(WorkOrder.id.desc())
            )
            .scalars()
            .first()
        )


def _ticket(ctx: Collaborators, number: str) -> Ticket:
    with ctx.sessions() as session:
        return session.execute(select(Ticket).where(Ticket.number == number)).scalar_one()


@pytest.fixture
def number(ctx: Collaborators) -> str:
    result = confirm_melding(ctx, burst_pipe())
    assert result.ticket_number
    return result.ticket_number


def _contractor_phone(ctx: Collaborators, order: WorkOrder) -> str:
    return ctx.registry().get(order.client_id).contractors[order.contractor_id].sms_number


def test_page_sms_and_agent_take_the_order_to_done_and_close_the_ticket(
    ctx: Collaborators, number: str
) -> None:
    order = _order(ctx, number)
    token = link_token(ctx.sessions, order)
    policy = LinkPolicy()
    update_by_token(
        ctx, token, Request("bevestigd", by=order.contractor_name, via=Via.PAGINA), policy
    )
    assert _ticket(ctx, number).status == "in_behandeling"
    phone = _contractor_phone(ctx, order)
    answer = handle_contractor_sms(ctx, phone, "Onderweg 30")
    assert answer is not None and answer.ticket_number == number and "onderweg" in answer.text
    assert _order(ctx, number).eta_at == NIGHT + timedelta(minutes=30)
    update_by_number(ctx, number, Request("ter_plaatse", by="Sanne (meldkamer)", via=Via.CLI))
    done = handle_contractor_sms(ctx, phone, "GEREED: leiding vervangen")
    assert done is not None and "gereed" in done.text
    final = _order(ctx, number)
    assert (final.status, final.report) == ("gereed", "leiding vervangen")
    assert final.done_at == NIGHT and final.on_site_at == NIGHT
    ticket = _ticket(ctx, number)
    assert ticket.status == "afgerond"
    with ctx.sessions() as session:
        events = session.execute(
            select(WorkOrderEvent.status_to, WorkOrderEvent.via, WorkOrderEvent.by)
            .where(WorkOrderEvent.ticket_id == ticket.id)
            .order_by(WorkOrderEvent.id)
        ).all()
        log = [(c.channel, c.kind, c.by) for c in contacts_for_ticket(session, ticket.id)]
    assert [tuple(e) for e in events] == [
        ("bevestigd", "pagina", order.contractor_name),
        ("onderweg", "sms", order.contractor_name),
        ("ter_plaatse", "cli", "Sanne (meldkamer)"),
        ("gereed", "sms", order.contractor_name),
    ]
    for entry in (
        ("pagina", "status", order.contractor_name),
        ("sms", "status", order.contractor_name),
        ("telefoon", "status", "Sanne (meldkamer)"),
    ):
        assert entry in log


def test_a_step_back_or_without_its_data_is_refused_and_changes_nothing(
    ctx: Collaborators, number: str
) -> None:
    update_by_number(ctx, number, Request("ter_plaatse", by="Sanne", via=Via.CLI))
    with pytest.raises(TransitionError, match="kan niet naar"):
        update_by_number(ctx, number, Request("bevestigd", by="Sanne", via=Via.CLI))
    with pytest.raises(TransitionError, match="reden"):
        update_by_number(ctx, number, Request("niet_gelukt", by="Sanne", via=Via.CLI))
    with pytest.raises(TransitionError, match="onbekende status"):
        update_by_number(ctx, number, Request("klaar", by="Sanne", via=Via.CLI))
    with pytest.raises(TransitionError, match="aannemer"):
        update_by_token(
            ctx,
            link_token(ctx.sessions, _order(ctx, number)),
            Request("geannuleerd", by="x", via=Via.PAGINA),
            LinkPolicy(),
        )
    assert _order(ctx, number).status == "ter_plaatse"
    with pytest.raises(NoWorkOrder):
        update_by_number(ctx, "MK-2026-999999", Request("gereed", by="Sanne", via=Via.CLI))


def test_onderweg_needs_an_arrival_time_and_can_be_given_again(
    ctx: Collaborators, number: str
) -> None:
    with pytest.raises(TransitionError, match="aankomsttijd"):
        update_by_number(ctx, number, Request("onderweg", by="Sanne", via=Via.CLI))
    update_by_number(ctx, number, Request("onderweg", by="Sanne", via=Via.CLI, eta_minutes=20))
    update_by_number(ctx, number, Request("onderweg", by="Sanne", via=Via.CLI, eta_minutes=45))
    assert _order(ctx, number).eta_at == NIGHT + timedelta(minutes=45)


def test_ik_kan_niet_escalates_at_once_to_the_next_contractor(ctx: Collaborators) -> None:
    # Molenwijk has two plumbers in its chain (Lindehof one).
    molenwijk = burst_pipe(address=Address("1234 AD", 10), complex_id="molenwijk")
    number = confirm_melding(ctx, molenwijk).ticket_number
    assert number
    first = _order(ctx, number)
    answer = handle_contractor_sms(ctx, _contractor_phone(ctx, first), "ik kan niet")
    assert answer is not None
    second = _order(ctx, number)
    assert second.id != first.id and second.step == first.step + 1
    assert second.status == "verstuurd"
    with ctx.sessions() as session:
        assert session.get(WorkOrder, first.id).status == "geescaleerd"
        kinds = [c.kind for c in contacts_for_ticket(session, first.ticket_id)]
    assert "escalatie" in kinds


def test_ik_kan_niet_from_the_last_contractor_goes_to_the_meldkamer(
    ctx: Collaborators, number: str
) -> None:
    order = _order(ctx, number)
    handle_contractor_sms(ctx, _contractor_phone(ctx, order), "KAN NIET")
    assert _order(ctx, number).id == order.id  # nobody left to ask
    assert "bel zelf een aannemer" in (_ticket(ctx, number).attention or "")


def test_a_repeated_step_is_already_done_and_recorded_once(ctx: Collaborators, number: str) -> None:
    first = update_by_number(ctx, number, Request("bevestigd", by="Sanne", via=Via.CLI))
    again = update_by_number(ctx, number, Request("bevestigd", by="Sanne", via=Via.CLI))
    assert not first.already and again.already
    with ctx.sessions() as session:
        count = len(session.execute(select(WorkOrderEvent)).scalars().all())
    assert count == 1


def test_sms_from_someone_else_is_not_for_the_work_orders(ctx: Collaborators, number: str) -> None:
    assert handle_contractor_sms(ctx, "+31699999999", "GEREED") is None
    order = _order(ctx, number)
    unclear = handle_contractor_sms(ctx, _contractor_phone(ctx, order), "hoi, hoe laat?")
    assert unclear is not None and "ONDERWEG 30" in unclear.text
    assert _order(ctx, number).status == "verstuurd"


def test_the_client_who_checks_first_keeps_the_ticket_open(ctx: Collaborators, number: str) -> None:
    client = ctx.registry().get(_order(ctx, number).client_id)
    object.__setattr__(client, "check_after_done", True)  # as controle_na_gereed: true
    update_by_number(ctx, number, Request("gereed", by="Sanne", via=Via.CLI))
    ticket = _ticket(ctx, number)
    assert ticket.status != "afgerond" and "controleert" in (ticket.attention or "")
