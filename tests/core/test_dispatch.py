"""Dispatch against a real SMTP server and a real SMS gateway on loopback.

The demo clients (clients/*.yml) are applied to a fresh database; meldingen are
registered and dispatched as the assistant does, then the worker delivers the outbox.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from meldkamer.clients.store import latest
from meldkamer.dispatch.escalation import acknowledge, escalate_due
from meldkamer.dispatch.models import WorkOrder
from meldkamer.dispatch.service import DispatchSettings, dispatch
from meldkamer.intake.melding import Melding
from meldkamer.intake.validation import Address
from meldkamer.notify.mail import EmailSender
from meldkamer.notify.outbox import messages_for_ticket
from meldkamer.notify.sms import SmsSender
from meldkamer.notify.worker import deliver_due
from meldkamer.service.registration import register_melding
from meldkamer.tickets import Ticket
from meldkamer.triage import TriageSettings, default_engine
from meldkamer.triage.officehours import AMSTERDAM
from tests.links import link_token

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = DispatchSettings(public_url="https://meldkamer.test", agents_email="team@meldkamer.test")


@pytest.fixture
def sessions(demo_sessions):
    return demo_sessions


def register(
    sessions,
    topic: str,
    facts: dict,
    at: datetime,
    postcode: str = "1234 AB",
    number: int = 12,
    email: str | None = None,
    key: str | None = None,
) -> tuple[str, object]:
    """Register and dispatch a melding like the assistant does; returns the ticket number and outcome."""
    with sessions.begin() as session:
        registry = latest(session)
        found = registry.find_by_address(postcode, number)
        client, complex_ = found if found else (None, None)
        settings = client.triage_settings(default_engine().table) if client else TriageSettings()
        melding = Melding(
            melding_id=key or f"{topic}-{at.isoformat()}-{postcode}",
            conversation_id="huurder-1",
            channel="rest",
            topic=topic,
            address=Address(postcode, number),
            naam="Fatima el Amrani",
            telefoon="+31612345678",
            beschrijving="water spuit uit de leiding",
            facts=facts,
            email=email,
            client_id=client.id if client else None,
            complex_id=complex_.id if complex_ else None,
        )
        ticket, outcome, new = register_melding(
            session, melding, engine=default_engine(), settings=settings, now=at
        )
        if new:
            dispatch(session, ticket, outcome, client, complex_, settings=SETTINGS, now=at)
        return ticket.number, outcome


async def deliver(sessions, smtp_server, sms_gateway, at: datetime) -> None:
    sms = SmsSender(sms_gateway.settings())
    try:
        await deliver_due(sessions, {"email": EmailSender(smtp_server.settings()), "sms": sms}, at)
    finally:
        await sms.close()


def orders(sessions, number: str) -> list[WorkOrder]:
    with sessions() as session:
        ticket = session.execute(select(Ticket).where(Ticket.number == number)).scalar_one()
        return list(
            session.execute(
                select(WorkOrder).where(WorkOrder.ticket_id == ticket.id).order_by(WorkOrder.id)
            ).scalars()
        )


# Wednesday 2 December 2026, 03:00: the first roster week (van-dijk first) of Lindehof.
NIGHT = datetime(2026, 12, 2, 3, 0, tzinfo=AMSTERDAM)
BURST = {"leiding_gesprongen": True, "leiding_afsluitbaar": False}
NO_HEAT_MEDICAL = {"geen_verwarming": True, "geen_warm_water": True, "medische_noodzaak": True}


async def test_acute_reaches_the_on_call_contractor_of_the_complex_and_trade(
    sessions, smtp_server, sms_gateway
) -> None:
    number, outcome = register(sessions, "cv_storing", NO_HEAT_MEDICAL, NIGHT)
    assert outcome.urgency.value == "acuut"
    await deliver(sessions, smtp_server, sms_gateway, NIGHT + timedelta(seconds=5))
    (order,) = orders(sessions, number)
    assert (order.contractor_id, order.trade, order.step) == ("van-dijk", "cv", 0)
    # (the client files' confirmation e-mails from the fixture are in the mailbox too)
    (mail,) = [
        m for m in smtp_server.mailbox.messages if m["To"] == "storing@vandijk-warmte.example.nl"
    ]
    body = mail.get_content()
    for part in (
        number,
        "ACUUT",
        "1234 AB 12",
        "Fatima el Amrani",
        "06 12345678",
        f"https://meldkamer.test/werkbon/{link_token(sessions, order)}",
    ):
        assert part in body
    (sms,) = sms_gateway.requests
    assert sms["to"] == "+31610000001" and number in str(sms["text"])
    with sessions() as session:
        ticket = session.execute(select(Ticket).where(Ticket.number == number)).scalar_one()
        assert ticket.status == "doorgezet"
        registered = [
            (m.purpose, m.kind, m.status) for m in messages_for_ticket(session, ticket.id)
        ]
    assert sorted(registered) == [
        ("werkbon", "email", "verzonden"),
        ("werkbon", "sms", "verzonden"),
    ]


@pytest.mark.parametrize(
    ("at", "contractor"),
    [
        # one minute before Monday 7 December 08:00, the hand-over: still van-dijk first
        (datetime(2026, 12, 7, 7, 59, tzinfo=AMSTERDAM), "van-dijk"),
        # at the hand-over moment the next week's first contractor is on call
        (datetime(2026, 12, 7, 8, 0, tzinfo=AMSTERDAM), "de-boer"),
        # after the roster ends (4 January 2027): the complex's own default
        (datetime(2027, 1, 10, 3, 0, tzinfo=AMSTERDAM), "van-dijk"),
    ],
)
def test_roster_hand_over_picks_the_next_contractor(
    sessions, at: datetime, contractor: str
) -> None:
    number, _ = register(sessions, "cv_storing", NO_HEAT_MEDICAL, at)
    assert orders(sessions, number)[0].contractor_id == contractor


async def test_no_acknowledgement_escalates_then_reaches_the_agents(
    sessions, smtp_server, sms_gateway
) -> None:
    number, _ = register(sessions, "cv_storing", NO_HEAT_MEDICAL, NIGHT)
    with sessions.begin() as session:
        # not yet overdue: nothing happens
        assert escalate_due(session, latest(session), SETTINGS, NIGHT + timedelta(minutes=14)) == []
    with sessions.begin() as session:
        lines = escalate_due(session, latest(session), SETTINGS, NIGHT + timedelta(minutes=15))
    assert lines == [
        f"{number}: niet bevestigd door Warmtetechniek Van Dijk, nu Installatiebedrijf De Boer"
    ]
    first, second = orders(sessions, number)
    assert (first.status, second.contractor_id, second.step) == ("geescaleerd", "de-boer", 1)
    with sessions.begin() as session:
        lines = escalate_due(session, latest(session), SETTINGS, NIGHT + timedelta(minutes=31))
    assert lines == [f"{number}: niemand bevestigd, naar de meldkamer"]
    await deliver(sessions, smtp_server, sms_gateway, NIGHT + timedelta(minutes=32))
    recipients = [m["To"] for m in smtp_server.mailbox.messages]
    assert recipients.count("team@meldkamer.test") == 1
    with sessions() as session:
        ticket = session.execute(select(Ticket).where(Ticket.number == number)).scalar_one()
        assert "Geen aannemer bevestigde" in (ticket.attention or "")


def test_acknowledgement_stops_escalation(sessions) -> None:
    number, _ = register(sessions, "cv_storing", NO_HEAT_MEDICAL, NIGHT)
    (order,) = orders(sessions, number)
    token = link_token(sessions, order)
    with sessions.begin() as session:
        ack = acknowledge(session, token, NIGHT + timedelta(minutes=3))
        assert (ack.ticket_number, ack.already) == (number, False)
    with sessions.begin() as session:
        assert acknowledge(session, token, NIGHT + timedelta(minutes=4)).already
        assert escalate_due(session, latest(session), SETTINGS, NIGHT + timedelta(hours=1)) == []
    assert orders(sessions, number)[0].status == "bevestigd"


async def test_inform_client_mails_the_client_directly(sessions, smtp_server, sms_gateway) -> None:
    # Habitability at risk: acuut, and the client is told directly (not via the contractor).
    number, outcome = register(
        sessions, "lekkage_waterleiding", {**BURST, "bewoonbaarheid_in_gevaar": True}, NIGHT
    )
    assert outcome.inform_client
    await deliver(sessions, smtp_server, sms_gateway, NIGHT + timedelta(seconds=5))
    to_client = [
        m
        for m in smtp_server.mailbox.messages
        if number in str(m["Subject"]) and "informeren" in str(m["Subject"])
    ]
    assert sorted(m["To"] for m in to_client) == [
        "storingen@de-linde.example.nl",
        "teamleider-onderhoud@de-linde.example.nl",
    ]
    assert number in to_client[0]["Subject"] and "Bewoonbaarheid" in to_client[0].get_content()


async def test_niet_urgent_sends_nothing_and_names_the_day(
    sessions, smtp_server, sms_gateway
) -> None:
    # Friday evening, a cracked pane: nothing is sent; the tenant calls the client on Monday.
    friday = datetime(2026, 12, 4, 19, 0, tzinfo=AMSTERDAM)
    await deliver(sessions, smtp_server, sms_gateway, friday)  # the fixture's client confirmations
    number, outcome = register(sessions, "glasschade", {"volledige_breuk": False}, friday)
    assert outcome.urgency.value == "niet_urgent"
    assert outcome.next_office_day == date(2026, 12, 7)
    before = smtp_server.mailbox.count()
    await deliver(sessions, smtp_server, sms_gateway, friday + timedelta(minutes=1))
    assert smtp_server.mailbox.count() == before and sms_gateway.requests == []
    assert orders(sessions, number) == []


async def test_urgent_has_a_deadline_24_hours_out_and_the_tenant_gets_an_email(
    sessions, smtp_server, sms_gateway
) -> None:
    number, outcome = register(
        sessions,
        "lekkage_waterleiding",
        {"leiding_gesprongen": True, "leiding_afsluitbaar": True},
        NIGHT,
        email="fatima@voorbeeld.nl",
    )
    assert outcome.urgency.value == "urgent"
    (order,) = orders(sessions, number)
    assert order.contractor_id == "smit" and order.deadline == NIGHT + timedelta(hours=24)
    await deliver(sessions, smtp_server, sms_gateway, NIGHT + timedelta(seconds=5))
    tenant = [m for m in smtp_server.mailbox.messages if m["To"] == "fatima@voorbeeld.nl"]
    assert len(tenant) == 1 and number in tenant[0].get_content()


def test_unknown_address_is_a_ticket_for_a_person(sessions) -> None:
    number, _ = register(
        sessions, "cv_storing", NO_HEAT_MEDICAL, NIGHT, postcode="9999 ZZ", number=1
    )
    assert orders(sessions, number) == []
    with sessions() as session:
        ticket = session.execute(select(Ticket).where(Ticket.number == number)).scalar_one()
        assert ticket.client_id is None and "geen bekende opdrachtgever" in (ticket.attention or "")


def test_registering_twice_dispatches_once(sessions) -> None:
    first, _ = register(sessions, "cv_storing", NO_HEAT_MEDICAL, NIGHT, key="same-melding")
    second, _ = register(
        sessions, "cv_storing", NO_HEAT_MEDICAL, NIGHT + timedelta(minutes=1), key="same-melding"
    )
    assert first == second
    assert len(orders(sessions, first)) == 1


def test_client_protocol_no_regular_boilers(sessions) -> None:
    # De Linde owns no regular boilers: a boiler melding is niet urgent, nothing is sent.
    number, outcome = register(sessions, "boiler", {}, NIGHT)
    assert outcome.urgency.value == "niet_urgent"
    assert orders(sessions, number) == []
