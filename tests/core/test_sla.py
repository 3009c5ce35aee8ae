"""SLA clocks and the escalation chain with a moved clock, SMS and e-mail through the fakes.

The demo clients are applied; meldingen are registered and dispatched as the assistant
does; the worker's SLA round (:func:`run_sla`) runs at moments the test chooses.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from meldkamer.agents.scope import AgentScope
from meldkamer.clients.store import latest
from meldkamer.contacts import contacts_for_ticket
from meldkamer.contacts.models import Contact
from meldkamer.dispatch.escalation import acknowledge
from meldkamer.handover.models import Handover
from meldkamer.handover.service import request_handover, take
from meldkamer.notify.models import OutboxMessage
from meldkamer.sla.chain import Step
from meldkamer.sla.escalate import (
    Escalation,
    NotWatched,
    SupervisorSettings,
    run_sla,
    take_on,
)
from meldkamer.sla.models import SlaClock
from meldkamer.sla.service import on_work_order_event, sla_for_ticket, watched
from meldkamer.tickets import Ticket
from tests.core.test_dispatch import NIGHT, NO_HEAT_MEDICAL, SETTINGS, deliver, orders, register
from tests.links import link_token

SUPERVISOR = SupervisorSettings(phone="+31611112222", email="supervisor@meldkamer.test")
URGENT_COLD = {"geen_verwarming": True, "geen_warm_water": False, "medische_noodzaak": False}


@pytest.fixture
def sessions(demo_sessions):
    return demo_sessions


def round_at(sessions, at: datetime) -> list[str]:
    with sessions.begin() as session:
        return run_sla(session, Escalation(latest(session), SETTINGS, SUPERVISOR, at))


def clocks(sessions, number: str) -> list[dict]:
    with sessions() as session:
        ticket = session.execute(select(Ticket).where(Ticket.number == number)).scalar_one()
        return sla_for_ticket(session, ticket.id)


def ticket_of(sessions, number: str) -> Ticket:
    with sessions() as session:
        ticket = session.execute(select(Ticket).where(Ticket.number == number)).scalar_one()
        session.expunge(ticket)
        return ticket


def escalation_contacts(sessions, number: str) -> list[str]:
    with sessions() as session:
        ticket = session.execute(select(Ticket).where(Ticket.number == number)).scalar_one()
        return [c.summary for c in contacts_for_ticket(session, ticket.id) if c.kind == "escalatie"]


async def test_unacknowledged_acuut_goes_contractor_supervisor_piket(
    sessions, smtp_server, sms_gateway
) -> None:
    number, _ = register(sessions, "cv_storing", NO_HEAT_MEDICAL, NIGHT)
    assert round_at(sessions, NIGHT + timedelta(minutes=1)) == []
    states = {(c["clock"], c["state"]) for c in clocks(sessions, number)}
    assert states == {("bevestiging", "loopt"), ("ter_plaatse", "loopt")}

    # 15 minutes: Van Dijk did not acknowledge; the next contractor gets a work order.
    lines = round_at(sessions, NIGHT + timedelta(minutes=15))
    assert any("naar de volgende aannemer" in line for line in lines), lines
    first, second = orders(sessions, number)
    assert (first.status, second.contractor_id) == ("geescaleerd", "de-boer")
    # De Boer is the last of the chain: at 30 minutes the supervisor is called.
    lines = round_at(sessions, NIGHT + timedelta(minutes=30))
    assert any("naar de supervisor" in line for line in lines), lines
    assert "SLA verlopen" in (ticket_of(sessions, number).attention or "")
    # Nobody took it on within escalatie_minuten (15): the client's piket on duty.
    assert not any("piket" in line for line in round_at(sessions, NIGHT + timedelta(minutes=44)))
    lines = round_at(sessions, NIGHT + timedelta(minutes=45))
    assert any("piketmedewerker" in line for line in lines), lines
    # The chain ends there: no further messages on later rounds.
    assert not any("piket" in line for line in round_at(sessions, NIGHT + timedelta(minutes=90)))

    for _ in range(3):  # the worker sends ten a round
        await deliver(sessions, smtp_server, sms_gateway, NIGHT + timedelta(minutes=91))
    texts = {str(r["to"]): str(r["text"]) for r in sms_gateway.requests}
    # 2 December 03:00 is in De Linde's first piket week: De Vries first (no sms: her phone).
    assert number in texts["+31611112222"] and "SLA VERLOPEN" in texts["+31611112222"]
    assert number in texts["+31610000102"] and "088-3746100" in texts["+31610000102"]
    mails = {m["To"]: m for m in smtp_server.mailbox.messages}
    assert number in mails["supervisor@meldkamer.test"]["Subject"]
    assert "/bewaking" in mails["supervisor@meldkamer.test"].get_content()
    assert number in mails["a.devries@de-linde.example.nl"]["Subject"]
    log = escalation_contacts(sessions, number)
    assert any("supervisor" in line for line in log)
    assert any("Anouk de Vries" in line for line in log)
    step = {
        c["clock"]: c["escalation_step"]
        for c in clocks(sessions, number)
        if c["work_order_id"] == second.id
    }
    assert step["bevestiging"] == Step.PIKET


def test_the_supervisor_taking_it_on_stops_the_chain(sessions) -> None:
    number, _ = register(sessions, "cv_storing", NO_HEAT_MEDICAL, NIGHT)
    round_at(sessions, NIGHT + timedelta(minutes=15))
    round_at(sessions, NIGHT + timedelta(minutes=30))
    with sessions() as session:
        breached = [
            w for w in watched(session, NIGHT + timedelta(minutes=31)) if w.state == "verlopen"
        ]
    # The breached clock is first on the Bewaking page (most at risk).
    assert breached and breached[0].ticket_number == number
    with sessions.begin() as session:
        take_on(session, breached[0].id, "Sanne (supervisor)", NIGHT + timedelta(minutes=32))
    assert not any("piket" in line for line in round_at(sessions, NIGHT + timedelta(minutes=60)))
    assert any("opgepakt" in line for line in escalation_contacts(sessions, number))
    with sessions.begin() as session, pytest.raises(NotWatched):
        take_on(session, breached[0].id, "nog iemand", NIGHT + timedelta(minutes=61))


def test_acknowledged_in_time_the_clock_is_met(sessions) -> None:
    number, _ = register(sessions, "cv_storing", NO_HEAT_MEDICAL, NIGHT)
    round_at(sessions, NIGHT + timedelta(minutes=1))
    (order,) = orders(sessions, number)
    with sessions.begin() as session:
        ack = acknowledge(session, link_token(sessions, order), NIGHT + timedelta(minutes=5))
        on_work_order_event(session, ack.order, NIGHT + timedelta(minutes=5))
    states = {c["clock"]: c["state"] for c in clocks(sessions, number)}
    assert states == {"bevestiging": "gehaald", "ter_plaatse": "loopt"}
    assert round_at(sessions, NIGHT + timedelta(minutes=20)) == []


def test_urgent_not_done_in_24_hours_is_flagged_and_escalated(sessions) -> None:
    number, outcome = register(sessions, "cv_storing", URGENT_COLD, NIGHT)
    assert outcome.urgency.value == "urgent"
    round_at(sessions, NIGHT + timedelta(minutes=1))
    (clock,) = clocks(sessions, number)
    assert clock["clock"] == "gereed"
    assert round_at(sessions, NIGHT + timedelta(hours=23, minutes=59)) == []
    lines = round_at(sessions, NIGHT + timedelta(hours=24))
    # Never taken up by Van Dijk: the next contractor of the chain gets it.
    assert lines and "naar de volgende aannemer" in lines[-1]
    assert "SLA verlopen: werk gereed" in (ticket_of(sessions, number).attention or "")
    first, second = orders(sessions, number)
    assert (first.status, second.contractor_id) == ("geescaleerd", "de-boer")
    # The new order's done clock keeps the first deadline: no extra time by passing on.
    lines = round_at(sessions, NIGHT + timedelta(hours=24, minutes=1))
    assert any("naar de supervisor" in line for line in lines), lines


def wants_a_person(
    session: Session, conversation_id: str, channel: str, ticket_id: int | None = None
) -> int:
    """A De Linde tenant asks for a person at NIGHT; the handover's id."""
    return request_handover(
        session,
        conversation_id=conversation_id,
        channel=channel,
        reason="wil een mens",
        summary={},
        now=NIGHT,
        client_id="de-linde",
        ticket_id=ticket_id,
    ).id


def test_a_handed_over_chat_not_answered_in_time_breaches(sessions) -> None:
    number, _ = register(sessions, "cv_storing", URGENT_COLD, NIGHT)
    with sessions.begin() as session:
        ticket = session.execute(select(Ticket).where(Ticket.number == number)).scalar_one()
        slow_id = wants_a_person(session, "c-slow", "webchat", ticket.id)
        quick_id = wants_a_person(session, "c-quick", "webchat", ticket.id)
    round_at(sessions, NIGHT + timedelta(minutes=1))
    with sessions.begin() as session:
        take(session, quick_id, "Ahmed", NIGHT + timedelta(minutes=4))
    # De Linde: antwoord_minuten 10.
    assert round_at(sessions, NIGHT + timedelta(minutes=9)) == []
    lines = round_at(sessions, NIGHT + timedelta(minutes=10))
    assert lines == [
        f"{number}: medewerker neemt gesprek over verlopen, naar de supervisor van de meldkamer"
    ]
    with sessions() as session:
        by_handover = {
            c.handover_id: c.state
            for c in session.execute(
                select(SlaClock).where(SlaClock.handover_id.is_not(None))
            ).scalars()
        }
    assert by_handover == {slow_id: "verlopen", quick_id: "gehaald"}


def test_a_handed_over_chat_without_ticket_runs_its_answer_clock(sessions) -> None:
    with sessions.begin() as session:
        handover_id = wants_a_person(session, "c-zonder", "whatsapp")
    assert round_at(sessions, NIGHT + timedelta(minutes=1)) == []
    with sessions() as session:
        (row,) = watched(session, NIGHT + timedelta(minutes=5))
        assert (row.ticket_number, row.handover_id, row.state) == (None, handover_id, "loopt")
        # Another client's agent does not see it: the handover's client decides.
        assert watched(session, NIGHT, AgentScope(frozenset({"anders"}))) == []
    lines = round_at(sessions, NIGHT + timedelta(minutes=10))
    assert lines == [
        "gesprek zonder melding: medewerker neemt gesprek over verlopen, "
        "naar de supervisor van de meldkamer"
    ]
    with sessions() as session:
        logged = session.execute(
            select(Contact).where(Contact.conversation_id == "c-zonder")
        ).scalars()
        assert {(c.ticket_id, c.kind, c.client_id) for c in logged} == {
            (None, "escalatie", "de-linde")
        }
        sms = session.execute(
            select(OutboxMessage.body).where(OutboxMessage.recipient == SUPERVISOR.phone)
        ).scalar_one()
        assert "gesprek zonder melding" in sms and "WhatsApp" in sms and "/sla/" in sms
    # The assistant registers the melding later: the clock joins its ticket.
    number, _ = register(sessions, "cv_storing", URGENT_COLD, NIGHT + timedelta(minutes=11))
    with sessions.begin() as session:
        ticket = session.execute(select(Ticket).where(Ticket.number == number)).scalar_one()
        session.get(Handover, handover_id).ticket_id = ticket.id
    round_at(sessions, NIGHT + timedelta(minutes=12))
    assert [c["clock"] for c in clocks(sessions, number)].count("antwoord_medewerker") == 1


def test_supervisor_settings_from_the_environment() -> None:
    settings = SupervisorSettings.from_env(
        {"MELDKAMER_SUPERVISOR_PHONE": "06 1111 2222", "MELDKAMER_AGENTS_EMAIL": "team@x.nl"}
    )
    assert settings == SupervisorSettings(phone="+31611112222", email="team@x.nl")
    with pytest.raises(ValueError, match="MELDKAMER_SUPERVISOR_PHONE"):
        SupervisorSettings.from_env({"MELDKAMER_SUPERVISOR_PHONE": "bel Sanne"})
