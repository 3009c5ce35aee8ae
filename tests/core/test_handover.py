"""The handover queue: request, take (never twice), hand back, notes and ticket edits."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from meldkamer.agents.models import Agent
from meldkamer.handover.service import (
    AlreadyTaken,
    HandoverNotFound,
    add_note,
    availability,
    close,
    hand_back,
    notes,
    queue,
    request_handover,
    take,
)
from meldkamer.tickets import NewTicket, create_ticket
from meldkamer.tickets.edits import edit_ticket, edits
from meldkamer.triage.officehours import OfficeHours, parse_hours
from tests.core.threads import at_once

NOW = datetime(2026, 12, 2, 2, 0, tzinfo=timezone.utc)


def summary(urgency: str | None) -> dict:
    return {"topic": "cv_storing", "outcome": {"urgency": urgency} if urgency else {}}


def ask(
    session,
    conversation_id: str = "a",
    reason: str = "r",
    urgency: str | None = None,
    now: datetime = NOW,
):
    """Conversation ``conversation_id`` on the web chat asks for a person."""
    return request_handover(
        session,
        conversation_id=conversation_id,
        channel="webchat",
        reason=reason,
        summary=summary(urgency),
        now=now,
    )


def test_queue_is_sorted_by_urgency_then_waiting_time(sessions) -> None:
    with sessions.begin() as session:
        for i, (conversation, urgency) in enumerate(
            [("a", "urgent"), ("b", None), ("c", "acuut"), ("d", "urgent")]
        ):
            ask(
                session,
                conversation,
                "vraagt een medewerker",
                urgency,
                now=NOW + timedelta(minutes=i),
            )
    with sessions() as session:
        assert [h.conversation_id for h in queue(session)] == ["c", "a", "d", "b"]


def test_asking_again_reuses_the_open_handover(sessions) -> None:
    with sessions.begin() as session:
        first = ask(session, reason="twee keer niet begrepen")
        again = ask(session, reason="vraagt een medewerker", urgency="acuut")
        assert first.id == again.id
        assert (
            again.reason == "twee keer niet begrepen; vraagt een medewerker"
            and again.urgency_rank == 2
        )


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_two_agents_can_never_take_the_same_conversation(sessions) -> None:
    with sessions.begin() as session:
        handover_id = ask(session).id

    def agent(index: int) -> str | None:
        try:
            with sessions.begin() as session:
                take(session, handover_id, f"agent-{index}", NOW)
            return f"agent-{index}"
        except AlreadyTaken:
            return None

    results = [name for name in at_once(agent, 8) if name]
    assert len(results) == 1


def test_take_hand_back_close(sessions) -> None:
    with sessions.begin() as session:
        h = ask(session)
        take(session, h.id, "sanne", NOW)
        with pytest.raises(AlreadyTaken, match="sanne"):
            take(session, h.id, "piet", NOW)
        assert hand_back(session, h.id, NOW).status == "terug_naar_bot"
        with pytest.raises(HandoverNotFound):
            close(session, h.id, NOW)
        assert queue(session) == []


def test_availability_follows_presence_and_hours(sessions) -> None:
    with sessions.begin() as session:
        assert not availability(session, NOW).available  # nobody signed in
        session.add(
            Agent(
                username="sanne",
                display_name="Sanne",
                password_hash="x",
                role="agent",
                active=True,
                created_at=NOW,
                last_seen_at=NOW - timedelta(seconds=30),
            )
        )
    with sessions() as session:
        assert availability(session, NOW).available
        # seen five minutes ago: gone
        assert not availability(session, NOW + timedelta(minutes=5)).available
        # outside the agents' working hours (only weekdays 07:00-23:00)
        hours = OfficeHours(
            hours=parse_hours({d: "07:00-23:00" for d in ("ma", "di", "wo", "do", "vr")})
        )
        assert not availability(session, NOW, hours).available  # 03:00 Amsterdam


def make_ticket(session):
    return create_ticket(
        session,
        NewTicket(
            melding_id="m-1",
            conversation_id="a",
            channel="webchat",
            topic="cv_storing",
            outcome={
                "urgency": "urgent",
                "inform_client": False,
                "needs_assessment": False,
                "reasons": [],
            },
            postcode="1234 AB",
            huisnummer=12,
            naam="Fatima",
            telefoon="+31612345678",
            beschrijving="koud",
        ),
        NOW,
    )


def test_urgency_change_needs_a_reason_and_is_registered(sessions) -> None:
    with sessions.begin() as session:
        ticket = make_ticket(session)
        with pytest.raises(ValueError, match="reden"):
            edit_ticket(session, ticket, "urgency", "acuut", by="sanne", reason="  ", now=NOW)
        edit = edit_ticket(
            session,
            ticket,
            "urgency",
            "acuut",
            by="sanne",
            reason="oudere bewoner, 3 graden",
            now=NOW,
        )
        assert (edit.old, edit.new) == ("urgent", "acuut") and ticket.urgency == "acuut"
        edit_ticket(session, ticket, "telefoon", "06-87654321", by="sanne", reason=None, now=NOW)
        assert ticket.telefoon == "+31687654321"
        assert (
            edit_ticket(session, ticket, "telefoon", "0687654321", by="sanne", reason=None, now=NOW)
            is None
        )
        assert [e.field for e in edits(session, ticket.id)] == ["urgency", "telefoon"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("urgency", "spoed", "bestaat niet"),  # not an urgency
        ("telefoon", "06-abc", "cijfers"),  # letters in a phone number
        ("postcode", "1234 AB", "kan niet"),  # not an editable field
        ("status", "nieuw", "niet toegestaan"),  # back to nieuw is not allowed
    ],
)
def test_bad_edits_are_refused(sessions, field: str, value: str, message: str) -> None:
    with sessions.begin() as session:
        ticket = make_ticket(session)
        edit_ticket(session, ticket, "status", "in_behandeling", by="sanne", reason=None, now=NOW)
        with pytest.raises(ValueError, match=message):
            edit_ticket(session, ticket, field, value, by="sanne", reason="r", now=NOW)


def test_notes(sessions) -> None:
    with sessions.begin() as session:
        add_note(session, "a", "sanne", "Huurder klinkt verward, dochter gebeld.", NOW)
        with pytest.raises(ValueError):
            add_note(session, "a", "sanne", "   ", NOW)
        assert [n.text for n in notes(session, "a")] == ["Huurder klinkt verward, dochter gebeld."]
