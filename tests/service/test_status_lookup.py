"""Status lookup: the status only with valid proof; wrong numbers, other tenants, guessing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from meldkamer.contacts import contacts_for_ticket
from meldkamer.dispatch.models import WorkOrder
from meldkamer.intake.validation import Address
from meldkamer.service.confirm import confirm_melding
from meldkamer.service.context import Collaborators
from meldkamer.service.status_lookup import (
    MAX_WRONG,
    WRONG_WINDOW,
    Asker,
    Found,
    Proof,
    asker_for,
    find_number,
    look_up,
)
from tests.service.conftest import NIGHT, burst_pipe

HOME = Address("1234 AB", 12)
NEIGHBOUR = Address("1234 AB", 14)


def ticket_of(ctx: Collaborators, key: str, **changes: object) -> str:
    result = confirm_melding(ctx, burst_pipe(key, **changes))
    assert result.ticket_number is not None
    return result.ticket_number


def set_order(ctx: Collaborators, number: str, status: str, eta_minutes: int | None = None) -> None:
    from meldkamer.tickets import Ticket

    with ctx.sessions.begin() as session:
        ticket = session.execute(select(Ticket).where(Ticket.number == number)).scalar_one()
        order = session.execute(
            select(WorkOrder).where(WorkOrder.ticket_id == ticket.id)
        ).scalar_one()
        order.status = status
        order.eta_at = NIGHT + timedelta(minutes=eta_minutes) if eta_minutes else None


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("hoe staat het met MK-2026-000123?", "MK-2026-000123"),
        ("mk 2026 000123", "MK-2026-000123"),
        ("mijn nummer is mk2026000123", "MK-2026-000123"),
        ("MK-2026-12345", None),  # one digit short
        ("wanneer komt de monteur", None),
    ],
)
def test_ticket_numbers_as_tenants_write_them(text: str, number: str | None) -> None:
    assert find_number(text) == number


def test_web_chat_needs_number_and_address_and_then_tells_status_and_time(
    ctx: Collaborators,
) -> None:
    number = ticket_of(ctx, "m-1", channel="webchat", conversation_id="web-a")
    set_order(ctx, number, "onderweg", eta_minutes=45)
    stranger = Asker("web-b", "webchat")  # another browser: the session is no proof
    assert look_up(ctx, stranger, Proof()).found is Found.NEED_NUMBER
    assert look_up(ctx, stranger, Proof(number)).found is Found.NEED_ADDRESS
    answer = look_up(ctx, stranger, Proof(number, HOME))
    assert answer.found is Found.STATUS and answer.tickets == (number,)
    assert answer.message is not None
    assert number in answer.message and "onderweg" in answer.message and "03:45" in answer.message


@pytest.mark.parametrize("channel", ["webchat", "rest"])
def test_wrong_address_and_unknown_number_get_the_same_answer_and_reveal_nothing(
    ctx: Collaborators, channel: str
) -> None:
    number = ticket_of(ctx, "m-1")
    asker = Asker("raden-1", channel)
    other_address = look_up(ctx, asker, Proof(number, NEIGHBOUR))
    unknown = look_up(ctx, asker, Proof("MK-2026-999999", HOME))
    assert other_address.found is unknown.found is Found.WRONG
    assert other_address.message == unknown.message
    assert other_address.message is not None and number not in other_address.message
    assert "Fatima" not in other_address.message and "lek" not in other_address.message


def test_three_wrong_proofs_go_to_a_person_also_after_a_restart(ctx: Collaborators) -> None:
    number = ticket_of(ctx, "m-1")
    asker = Asker("raden-2", "webchat")
    found = [look_up(ctx, asker, Proof(f"MK-2026-00000{i}", NEIGHBOUR)).found for i in (2, 3)]
    assert found == [Found.WRONG] * (MAX_WRONG - 1)
    # Counted in the contact log, so a new session of the conversation starts no new count.
    final = look_up(ctx, asker, Proof(number, NEIGHBOUR))
    assert final.found is Found.TO_PERSON and final.message and number not in final.message
    # From now on not even the right proof is told here: a person checks who asks.
    assert look_up(ctx, asker, Proof(number, HOME)).found is Found.TO_PERSON


def test_the_count_of_wrong_proofs_ends_after_its_window(ctx: Collaborators) -> None:
    number = ticket_of(ctx, "m-1")
    asker = Asker("raden-3", "rest")
    for _ in range(MAX_WRONG - 1):
        look_up(ctx, asker, Proof(number, NEIGHBOUR))
    ctx.clock = lambda: NIGHT + WRONG_WINDOW + timedelta(minutes=1)
    assert look_up(ctx, asker, Proof(number, NEIGHBOUR)).found is Found.WRONG


def test_whatsapp_sender_sees_own_tickets_open_first_without_any_number(
    ctx: Collaborators,
) -> None:
    older = ticket_of(ctx, "m-1", channel="whatsapp", conversation_id="wa-31612345678")
    newer = ticket_of(ctx, "m-2", channel="telefoon", conversation_id="telefoon-1")
    asker = Asker("wa-31612345678", "whatsapp", phone="+31612345678")
    answer = look_up(ctx, asker, Proof())
    # The phone melding has the same number: it is the sender's too.
    assert answer.found is Found.STATUS and set(answer.tickets) == {older, newer}


@pytest.mark.parametrize("channel", ["whatsapp", "telegram"])
def test_on_whatsapp_and_telegram_another_tenants_ticket_is_refused_even_with_its_address(
    ctx: Collaborators, channel: str
) -> None:
    theirs = ticket_of(
        ctx, "m-1", channel=channel, conversation_id="wa-31699999999", telefoon="+31699999999"
    )
    asker = Asker("wa-31611111111", channel, phone="+31611111111")
    answer = look_up(ctx, asker, Proof(theirs, HOME))
    assert answer.found is Found.WRONG and answer.message and theirs not in answer.message
    assert look_up(ctx, asker, Proof()).found is Found.NONE


def test_every_lookup_is_in_the_tickets_contact_log(ctx: Collaborators) -> None:
    number = ticket_of(ctx, "m-1")
    asker = Asker("raden-4", "rest")
    look_up(ctx, asker, Proof(number, NEIGHBOUR))
    look_up(ctx, asker, Proof(number, HOME))
    from meldkamer.tickets import Ticket

    with ctx.sessions() as session:
        ticket = session.execute(select(Ticket).where(Ticket.number == number)).scalar_one()
        asked = [c for c in contacts_for_ticket(session, ticket.id) if c.kind == "statusvraag"]
    assert [c.direction for c in asked] == ["in", "in"]
    assert "onjuiste" in asked[0].summary and "gegeven" in asked[1].summary


def test_a_closed_ticket_says_so_and_invites_not_solved(ctx: Collaborators) -> None:
    from meldkamer.tickets import Ticket, change_status

    number = ticket_of(ctx, "m-1")
    with ctx.sessions.begin() as session:
        ticket = session.execute(select(Ticket).where(Ticket.number == number)).scalar_one()
        change_status(session, ticket, "afgerond", by="test", reason=None, now=NIGHT)
    answer = look_up(ctx, Asker("x", "rest"), Proof(number, HOME))
    assert answer.message and "afgerond" in answer.message and "nog niet opgelost" in answer.message


@pytest.mark.parametrize(
    ("conversation", "channel", "phone"),
    [
        ("wa-31612345678", "whatsapp", "+31612345678"),
        ("sms-31612345678", "sms", "+31612345678"),
        ("wa-31612345678", "rest", None),  # a REST sender may call itself anything
        ("web-abc", "webchat", None),
    ],
)
def test_the_phone_a_conversation_carries(
    conversation: str, channel: str, phone: str | None
) -> None:
    assert asker_for(conversation, channel).phone == phone
