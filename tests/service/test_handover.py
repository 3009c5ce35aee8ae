"""hand_over: queue the conversation with what the bot knew; say what happens next."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import create_engine, select
from sqlalchemy.orm import sessionmaker

from meldkamer.agents.models import Agent
from meldkamer.handover.models import Handover
from meldkamer.handover.summary import HandoverSummary
from meldkamer.handover.texts import handover_texts
from meldkamer.service.confirm import confirm_melding
from meldkamer.service.context import Collaborators
from meldkamer.service.handover import CALL_BACK, UNCONFIRMED, HandoverRequest, hand_over
from meldkamer.tickets import Ticket
from tests.service.conftest import NIGHT, burst_pipe

SUMMARY = HandoverSummary(
    topic="lekkage_waterleiding",
    facts={"leiding_gesprongen": True, "leiding_afsluitbaar": False},
    address="1234 AB 12",
    name="Fatima el Amrani",
    phone="+31612345678",
    client_id="de-linde",
)


def request(summary: HandoverSummary = SUMMARY) -> HandoverRequest:
    return HandoverRequest("gesprek-m-1", "rest", "Huurder vraagt om een medewerker", summary)


def agent_present(ctx: Collaborators) -> None:
    with ctx.sessions.begin() as session:
        session.add(
            Agent(
                username="sanne",
                display_name="Sanne",
                role="agent",
                active=True,
                password_hash="x",
                created_at=NIGHT,
                last_seen_at=NIGHT - timedelta(seconds=10),
            )
        )


def test_nobody_present_queues_a_call_back_and_flags_the_ticket(ctx: Collaborators) -> None:
    confirmed = confirm_melding(ctx, burst_pipe())
    result = hand_over(
        ctx, request(HandoverSummary(**{**SUMMARY.__dict__, "ticket": confirmed.ticket_number}))
    )
    assert result.queued and not result.agent_available
    assert "terug" in result.message and "06 12345678" in result.message
    with ctx.sessions() as session:
        (handover,) = session.execute(select(Handover)).scalars()
        ticket = session.get(Ticket, confirmed.ticket_id)
    assert handover.callback and handover.ticket_id == confirmed.ticket_id
    assert ticket is not None and CALL_BACK in (ticket.attention or "")


def test_the_summary_is_stored_with_the_outcome_and_reads_back(ctx: Collaborators) -> None:
    agent_present(ctx)
    result = hand_over(ctx, request())
    assert result.queued and result.agent_available and "medewerker" in result.message
    with ctx.sessions() as session:
        (handover,) = session.execute(select(Handover)).scalars()
    stored = HandoverSummary.from_dict(handover.summary)
    assert stored.urgency == "acuut" and handover.urgency_rank == 2
    assert stored.name == "Fatima el Amrani" and stored.facts == SUMMARY.facts
    assert handover.summary["adres"] == "1234 AB 12"  # the JSON column keeps its keys


def test_a_summary_without_a_topic_has_no_outcome(ctx: Collaborators) -> None:
    agent_present(ctx)
    hand_over(ctx, request(HandoverSummary(name="Piet")))
    with ctx.sessions() as session:
        (handover,) = session.execute(select(Handover)).scalars()
    assert handover.summary["outcome"] == {} and handover.urgency_rank == 0


def test_old_rows_and_odd_values_read_as_unknown() -> None:
    odd = HandoverSummary.from_dict(
        {"topic": "", "facts": ["x"], "outcome": "acuut", "fotos": None}
    )
    assert odd == HandoverSummary()
    assert HandoverSummary.from_dict(None) == HandoverSummary()
    assert HandoverSummary.from_dict(SUMMARY.to_dict()) == SUMMARY


def test_a_database_away_still_tells_the_tenant_what_to_do(
    ctx: Collaborators, tmp_path: Path
) -> None:
    (tmp_path / "weg.db").mkdir()  # a folder where the database file should be
    ctx.registry()
    away = Collaborators(
        sessions=sessionmaker(bind=create_engine(f"sqlite:///{tmp_path / 'weg.db'}")),
        clock=lambda: NIGHT,
        clients=ctx.client_cache(),
    )
    result = hand_over(away, request())
    assert not result.queued and "088-3746100" in result.message and "112" in result.message


def test_nobody_present_and_no_number_asks_the_number_before_any_promise(
    ctx: Collaborators,
) -> None:
    no_phone = HandoverSummary(**{**SUMMARY.__dict__, "phone": None})
    result = hand_over(ctx, request(no_phone))
    assert result.needs_phone and not result.queued and not result.agent_available
    # acuut (a burst pipe that cannot be shut off): the emergency numbers first
    assert result.message == handover_texts().ask_number(acute=True)
    assert result.message.startswith("Is er gevaar") and "terugbellen" not in result.message
    with ctx.sessions() as session:
        assert session.execute(select(Handover)).first() is None  # no call-back without number
    no_topic_yet = HandoverSummary(client_id="de-linde")
    assert hand_over(ctx, request(no_topic_yet)).message == handover_texts().ask_number(acute=False)


def test_an_english_tenant_hears_the_handover_in_english(ctx: Collaborators) -> None:
    english = HandoverSummary(**{**SUMMARY.__dict__, "phone": None, "language": "en"})
    asked = hand_over(ctx, request(english))
    assert asked.needs_phone and asked.message == handover_texts("en").ask_number(acute=True)
    assert asked.message.startswith("Are people in danger? Call 112 right away.")
    assert "which phone number can we call you on?" in asked.message
    # the number known: the call back is promised with it, in English
    promised = hand_over(ctx, request(HandoverSummary(**{**SUMMARY.__dict__, "language": "en"})))
    assert promised.queued and not promised.agent_available
    assert "We will call you back at 06 12345678" in promised.message
    assert promised.message.startswith("Are people in danger?")  # acuut: 112 first
    with ctx.sessions() as session:
        (handover,) = session.execute(select(Handover)).scalars()
    assert handover.summary["taal"] == "en"  # the console speaks to the tenant in it too


def test_an_english_tenant_with_an_agent_present_hears_the_wait_in_english(
    ctx: Collaborators,
) -> None:
    agent_present(ctx)
    english = HandoverSummary(client_id="de-linde", language="en")
    result = hand_over(ctx, request(english))
    assert result.agent_available
    assert (
        result.message
        == (
            "I am connecting you with a colleague of the emergency service. A colleague is "
            "expected to answer in about 10 minutes. You can keep typing here."
        )
        or "expected to answer within a few minutes" in result.message
    )
    assert "medewerker" not in result.message


def test_a_mail_without_a_number_is_queued_at_once(ctx: Collaborators) -> None:
    # The agent answers in the mail thread: an acuut mail must not wait for a number.
    no_phone = HandoverSummary(**{**SUMMARY.__dict__, "phone": None})
    mail = HandoverRequest("mail-1", "email", "Acuut: naar een medewerker", no_phone)
    result = hand_over(ctx, mail)
    assert result.queued and not result.needs_phone
    with ctx.sessions() as session:
        (handover,) = session.execute(select(Handover)).scalars()
    assert handover.channel == "email" and handover.callback


def test_the_call_back_carries_the_number_once_it_is_given(ctx: Collaborators) -> None:
    result = hand_over(ctx, request())
    assert result.queued and "06 12345678" in result.message
    with ctx.sessions() as session:
        (handover,) = session.execute(select(Handover)).scalars()
    assert handover.callback and handover.summary["telefoon"] == "+31612345678"


def test_a_complete_melding_becomes_a_ticket_at_the_handover(ctx: Collaborators) -> None:
    agent_present(ctx)
    melding = burst_pipe("m-compleet", conversation_id="gesprek-m-1")
    first = hand_over(ctx, HandoverRequest("gesprek-m-1", "rest", "Huurder", SUMMARY, melding))
    assert first.ticket_number is not None
    with ctx.sessions() as session:
        (handover,) = session.execute(select(Handover)).scalars()
        ticket = session.execute(select(Ticket)).scalar_one()
        assert handover.ticket_id == ticket.id and handover.summary["ticket"] == ticket.number
        assert ticket.attention == UNCONFIRMED and ticket.naam == "Fatima el Amrani"
    # asked again (or confirmed later by the tenant): the same ticket, not a second one
    again = hand_over(ctx, HandoverRequest("gesprek-m-1", "rest", "Nog eens", SUMMARY, melding))
    assert again.ticket_number == first.ticket_number
    assert confirm_melding(ctx, melding).ticket_number == first.ticket_number
    with ctx.sessions() as session:
        assert len(session.execute(select(Ticket)).all()) == 1
