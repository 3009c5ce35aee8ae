"""Doorverbinden: who is on duty at the client now, the outcome registered, the summary mailed."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from meldkamer.clients.schema import Piket
from meldkamer.contacts import contacts_for_ticket
from meldkamer.notify.models import OutboxMessage
from meldkamer.notify.senders import EmailSender
from meldkamer.notify.worker import deliver_due
from meldkamer.service.confirm import confirm_melding
from meldkamer.service.context import Collaborators
from meldkamer.service.transfer import (
    MAX_NOTE,
    TransferError,
    TransferRequest,
    Where,
    register_transfer,
    transfer_panel,
)
from meldkamer.sla.models import Transfer
from meldkamer.sla.transfer import OFFICE, on_duty
from meldkamer.tickets import get_ticket
from tests.service.conftest import NIGHT, burst_pipe

AMS = ZoneInfo("Europe/Amsterdam")
MONDAY_MORNING = datetime(2026, 12, 14, 10, 0, tzinfo=AMS)  # after the last roster week


def registered(ctx: Collaborators, key: str = "t-1") -> str:
    number = confirm_melding(ctx, burst_pipe(key)).ticket_number
    assert number is not None
    return number


def test_the_piket_on_duty_by_the_roster_first_to_call_first(ctx: Collaborators) -> None:
    client = ctx.client("de-linde")
    duty = on_duty(client, NIGHT)
    # 5 December is in De Linde's first roster week: De Vries, then Jansen.
    assert [p.key for p in duty.people] == ["de-vries", "jansen"]
    assert duty.people[0].phone == "+31610000102"
    assert "piketrooster" in duty.why and "07-12-2026 08:00" in duty.why
    # Outside the roster's periods the standing list, and the panel says so.
    later = on_duty(client, MONDAY_MORNING)
    assert [p.key for p in later.people] == ["jansen", "de-vries"]
    assert "vaste piketlijst" in later.why


def test_without_piket_the_office_when_open_else_nobody(ctx: Collaborators) -> None:
    client = dataclasses.replace(ctx.client("de-linde"), piket=Piket())
    open_ = on_duty(client, MONDAY_MORNING)
    assert [(p.key, p.phone, p.email) for p in open_.people] == [
        (OFFICE, client.contact.phone, client.contact.email)
    ]
    assert "kantoor is open" in open_.why
    closed = on_duty(client, NIGHT)
    assert closed.people == ()
    # No number that will not answer; when the office opens again instead.
    assert "niemand" in closed.why and "07-12-2026 08:00" in closed.why
    assert on_duty(None, NIGHT).people == ()


async def test_one_click_mails_the_summary_registered_in_the_contact_log(
    ctx: Collaborators, smtp_server
) -> None:
    number = registered(ctx)
    done = register_transfer(
        ctx,
        Where(ticket_number=number),
        TransferRequest("sanne", "de-vries", "samenvatting_gemaild"),
    )
    assert (done.to_name, done.outcome_label, done.already) == (
        "Anouk de Vries (teamleider onderhoud)",
        "samenvatting gemaild",
        False,
    )
    # A double click in the same minute: one mail, one registration.
    again = register_transfer(
        ctx,
        Where(ticket_number=number),
        TransferRequest("sanne", "de-vries", "samenvatting_gemaild"),
    )
    assert again.already and again.transfer_id is None
    with ctx.sessions() as session:
        ticket = get_ticket(session, number)
        assert ticket is not None
        rows = session.execute(select(Transfer)).scalars().all()
        assert [(r.ticket_id, r.by, r.to_email, r.outcome) for r in rows] == [
            (ticket.id, "sanne", "a.devries@de-linde.example.nl", "samenvatting_gemaild")
        ]
        logged = [c for c in contacts_for_ticket(session, ticket.id) if c.kind == "doorverbinding"]
        assert [(c.channel, c.party, c.by) for c in logged] == [("email", "opdrachtgever", "sanne")]
        queued = (
            session.execute(
                select(OutboxMessage).where(
                    OutboxMessage.recipient == "a.devries@de-linde.example.nl"
                )
            )
            .scalars()
            .all()
        )
        assert len(queued) == 1 and logged[0].ref == queued[0].key
    await deliver_due(ctx.sessions, {"email": EmailSender(smtp_server.settings())}, NIGHT)
    mails = [m for m in smtp_server.mailbox.messages if m["To"] == "a.devries@de-linde.example.nl"]
    assert len(mails) == 1 and number in mails[0]["Subject"]
    text = mails[0].get_content()
    assert "1234 AB 12" in text and "Fatima el Amrani" in text and "088-3746100" in text


def test_a_call_outcome_with_a_note_is_registered(ctx: Collaborators) -> None:
    number = registered(ctx)
    done = register_transfer(
        ctx,
        Where(ticket_number=number),
        TransferRequest("sanne", "jansen", "geen_gehoor", note="  twee keer gebeld  "),
    )
    assert done.outcome_label == "geen gehoor"
    with ctx.sessions() as session:
        ticket = get_ticket(session, number)
        assert ticket is not None
        panel = transfer_panel(ctx, session, ticket=ticket)
        assert [(t.to_name, t.outcome, t.note) for t in panel.history] == [
            ("Peter Jansen (opzichter)", "geen_gehoor", "twee keer gebeld")
        ]
        assert panel.may_mail and panel.outcome_labels["geen_gehoor"] == "geen gehoor"
        logged = [c for c in contacts_for_ticket(session, ticket.id) if c.kind == "doorverbinding"]
        assert logged[0].channel == "telefoon" and "twee keer gebeld" in logged[0].summary
        # Nothing was mailed for a call.
        assert not session.execute(
            select(OutboxMessage).where(OutboxMessage.key.like("doorverbinding:%"))
        ).first()


def test_a_conversation_without_ticket_registers_a_call_but_mails_nothing(
    ctx: Collaborators,
) -> None:
    where = Where(conversation_id="gesprek-zonder", client_id="de-linde")
    register_transfer(ctx, where, TransferRequest("sanne", "de-vries", "verbonden"))
    with ctx.sessions() as session:
        panel = transfer_panel(ctx, session, conversation_id="gesprek-zonder", client_id="de-linde")
        assert not panel.may_mail
        assert [(t.ticket_id, t.outcome) for t in panel.history] == [(None, "verbonden")]
    with pytest.raises(TransferError, match="geregistreerde melding"):
        register_transfer(ctx, where, TransferRequest("sanne", "de-vries", "samenvatting_gemaild"))


@pytest.mark.parametrize(
    ("to", "outcome", "note", "message"),
    [
        ("jansen", "opgehangen", None, "Kies hoe"),
        ("iemand-anders", "verbonden", None, "geen dienst"),
        (OFFICE, "verbonden", None, "geen dienst"),  # piket on duty: not the closed office
        ("jansen", "verbonden", "x" * (MAX_NOTE + 1), "te lang"),
    ],
)
def test_bad_requests_are_refused_and_nothing_is_written(
    ctx: Collaborators, to: str, outcome: str, note: str | None, message: str
) -> None:
    number = registered(ctx)
    with pytest.raises(TransferError, match=message):
        register_transfer(
            ctx, Where(ticket_number=number), TransferRequest("sanne", to, outcome, note)
        )
    with pytest.raises(TransferError, match="bestaat niet"):
        register_transfer(
            ctx,
            Where(ticket_number="MK-2026-999999"),
            TransferRequest("sanne", "jansen", "verbonden"),
        )
    with ctx.sessions() as session:
        assert session.execute(select(Transfer)).first() is None


def test_the_piket_roster_moves_with_the_clock(ctx: Collaborators) -> None:
    number = registered(ctx)
    # De Vries is on duty until 7 December 08:00; a minute later, Jansen is first.
    ctx.clock = lambda: datetime(2026, 12, 7, 8, 1, tzinfo=AMS)
    with ctx.sessions() as session:
        ticket = get_ticket(session, number)
        panel = transfer_panel(ctx, session, ticket=ticket)
    assert panel.on_duty.people[0].key == "jansen"
