"""Drafts: a melding handed over incomplete is kept with everything collected, once per session.

Per step of the form (what the bot had when the tenant asked for a person), the
handover leaves a draft with exactly that, or a ticket when the melding was complete;
the ticket made later (by the bot after the hand-back, or by an agent in phone mode)
links the draft.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import replace

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from meldkamer.agents.scope import UNLIMITED, AgentScope
from meldkamer.attachments.models import Attachment
from meldkamer.handover.drafts import Draft, current_draft, get_draft, open_drafts
from meldkamer.handover.models import Handover
from meldkamer.handover.service import close, hand_back
from meldkamer.handover.summary import HandoverSummary
from meldkamer.notify.models import OutboxMessage
from meldkamer.service.confirm import Confirmation, Stored, confirm_melding
from meldkamer.service.context import Collaborators
from meldkamer.service.handover import HandoverRequest, hand_over
from meldkamer.service.photos import PhotoUpload, record_photo
from meldkamer.service.registration import Origin, Registered, register_confirmed
from meldkamer.tickets import Ticket
from tests.core.threads import at_once
from tests.service.conftest import burst_pipe
from tests.service.test_handover import agent_present

CONVERSATION = "gesprek-m-1"
#: What the bot has after each step of the form (cumulative), as the action sends it.
STEPS: list[tuple[str, HandoverSummary]] = []
_so_far = HandoverSummary()
for _step, _changes in [
    ("eerste bericht", {}),
    ("onderwerp", {"topic": "lekkage_waterleiding"}),
    ("adres", {"address": "1234 AB 12", "client_id": "de-linde"}),
    ("triage", {"facts": {"leiding_gesprongen": True, "leiding_afsluitbaar": False}}),
    ("naam", {"name": "Fatima el Amrani"}),
    ("telefoon", {"phone": "+31612345678"}),
    ("email", {"email": "fatima@example.nl"}),
    ("beschrijving", {"description": "water spuit uit de leiding"}),
]:
    _so_far = replace(_so_far, **_changes)  # type: ignore[arg-type]
    STEPS.append((_step, _so_far))


def request(summary: HandoverSummary, *, complete: bool = False) -> HandoverRequest:
    melding = burst_pipe(email="fatima@example.nl") if complete else None
    return HandoverRequest(
        CONVERSATION, "rest", "Huurder vraagt om een medewerker", summary, melding
    )


def drafts(ctx: Collaborators) -> list[Draft]:
    with ctx.sessions() as session:
        return list(session.execute(select(Draft).order_by(Draft.id)).scalars())


def handover_id(ctx: Collaborators) -> int:
    """The latest handover's id."""
    columns = Handover.__table__.c
    with ctx.sessions() as session:
        return int(
            session.execute(select(columns.id).order_by(columns.id.desc()).limit(1)).scalar_one()
        )


def handed_over_then_ended(ctx: Collaborators, step: str, end: Callable[..., object]) -> None:
    """An agent present, the tenant handed over after ``step``; then ``end`` (hand back, close)."""
    agent_present(ctx)
    hand_over(ctx, request(dict(STEPS)[step]))
    with ctx.sessions.begin() as session:
        end(session, handover_id(ctx), ctx.clock())


@pytest.mark.parametrize("present", [True, False], ids=["medewerker", "terugbellen"])
@pytest.mark.parametrize("step", [name for name, _ in STEPS])
def test_a_handover_at_any_step_leaves_a_ticket_or_a_draft_with_everything(
    ctx: Collaborators, step: str, present: bool
) -> None:
    if present:
        agent_present(ctx)
    summary = dict(STEPS)[step]
    complete = step == "beschrijving"
    result = hand_over(ctx, request(summary, complete=complete))
    with ctx.sessions() as session:
        tickets = session.execute(select(Ticket)).scalars().all()
    if complete:
        (ticket,) = tickets
        assert result.ticket_number == ticket.number and drafts(ctx) == []
        return
    assert tickets == [] and result.ticket_number is None
    (draft,) = drafts(ctx)
    # Everything the bot had, nothing else: the summary reads back equal, outcome added.
    assert replace(draft.collected, outcome={}) == summary
    assert draft.conversation_id == CONVERSATION and draft.channel == "rest"
    assert draft.topic == summary.topic and draft.client_id == summary.client_id
    assert draft.urgency == (draft.collected.urgency if summary.topic else None)
    assert draft.is_open and draft.completed_by is None
    if summary.topic:
        assert draft.urgency in ("acuut", "urgent", "niet_urgent")
    # Nobody present and no number yet: kept already, though nothing is queued.
    assert (draft.handover_id is None) == result.needs_phone


def test_the_same_session_keeps_one_draft_updated(ctx: Collaborators) -> None:
    steps = dict(STEPS)
    hand_over(ctx, request(steps["onderwerp"]))  # nobody present, no number: asked first
    hand_over(ctx, request(steps["telefoon"]))  # the number given: the call back queued
    (draft,) = drafts(ctx)
    assert draft.collected.phone == "+31612345678" and draft.handover_id == handover_id(ctx)
    with ctx.sessions.begin() as session:
        hand_back(session, handover_id(ctx), ctx.clock())
    hand_over(ctx, request(steps["naam"]))  # asked again later, the same session
    (again,) = drafts(ctx)
    assert again.id == draft.id and again.collected.name == "Fatima el Amrani"
    assert again.created_at == draft.created_at


def test_after_afsluiten_a_new_session_gets_a_draft_of_its_own(ctx: Collaborators) -> None:
    handed_over_then_ended(ctx, "adres", close)
    hand_over(ctx, request(HandoverSummary(topic="cv_storing")))
    first, second = drafts(ctx)
    assert first.topic == "lekkage_waterleiding" and first.is_open  # kept, not overwritten
    assert second.topic == "cv_storing"
    with ctx.sessions() as session:
        assert current_draft(session, CONVERSATION) is not None
        assert current_draft(session, CONVERSATION).id == second.id  # type: ignore[union-attr]


def test_the_bot_completing_it_after_the_hand_back_links_the_draft(ctx: Collaborators) -> None:
    handed_over_then_ended(ctx, "naam", hand_back)
    confirmed = confirm_melding(ctx, burst_pipe())
    (draft,) = drafts(ctx)
    assert draft.ticket_id == confirmed.ticket_id and draft.completed_by == "assistent"
    assert draft.completed_at == ctx.clock()
    with ctx.sessions() as session:
        assert open_drafts(session, UNLIMITED, 10) == []


def test_a_complete_melding_at_a_later_handover_links_the_sessions_draft(
    ctx: Collaborators,
) -> None:
    handed_over_then_ended(ctx, "adres", hand_back)
    result = hand_over(ctx, request(dict(STEPS)["beschrijving"], complete=True))
    (draft,) = drafts(ctx)
    with ctx.sessions() as session:
        ticket = session.execute(select(Ticket)).scalar_one()
    assert result.ticket_number == ticket.number and draft.ticket_id == ticket.id


def test_phone_mode_links_the_draft_it_completed_also_after_afsluiten(
    ctx: Collaborators,
) -> None:
    handed_over_then_ended(ctx, "naam", close)
    (draft,) = drafts(ctx)
    origin = replace(Origin.phone("sanne", "Sanne"), draft_id=draft.id)
    confirmed = confirm_melding(ctx, burst_pipe("tel-1", conversation_id="tel-1"), origin=origin)
    (linked,) = drafts(ctx)
    assert linked.ticket_id == confirmed.ticket_id and linked.completed_by == "sanne"
    # Completing it again makes no second ticket: the first one is the answer.
    again = confirm_melding(ctx, burst_pipe("tel-2", conversation_id="tel-2"), origin=origin)
    assert again.ticket_id == confirmed.ticket_id and not again.new
    assert drafts(ctx)[0].ticket_id == confirmed.ticket_id
    with ctx.sessions() as session:
        assert len(session.execute(select(Ticket)).scalars().all()) == 1


def test_an_agent_limited_to_other_clients_sees_no_draft(ctx: Collaborators) -> None:
    hand_over(ctx, request(dict(STEPS)["adres"]))
    (draft,) = drafts(ctx)
    other = AgentScope(frozenset({"vve-beheer-noord"}))
    with ctx.sessions() as session:
        assert open_drafts(session, other, 10) == [] and get_draft(session, draft.id, other) is None
        assert [d.id for d in open_drafts(session, AgentScope(frozenset({"de-linde"})), 10)] == [
            draft.id
        ]


# --- two agents completing the same draft; the draft's photos ------------------------------


def phone_origin(name: str, draft_id: int) -> Origin:
    return replace(Origin.phone(name, name.title()), draft_id=draft_id)


def a_handed_over_draft(ctx: Collaborators) -> Draft:
    agent_present(ctx)
    hand_over(ctx, request(dict(STEPS)["naam"]))
    (draft,) = drafts(ctx)
    return draft


def test_two_agents_completing_the_same_draft_make_one_ticket(ctx: Collaborators) -> None:
    """Two sessions at once (threads released together), on SQLite and PostgreSQL."""
    draft = a_handed_over_draft(ctx)
    names = ("sanne", "piet")

    def agent(index: int) -> Confirmation:
        melding = burst_pipe(f"tel-{index}", conversation_id=CONVERSATION)
        return confirm_melding(ctx, melding, origin=phone_origin(names[index], draft.id))

    results = at_once(agent)
    assert all(result.stored is Stored.REGISTERED for result in results)
    with ctx.sessions() as session:
        (ticket,) = session.execute(select(Ticket)).scalars()
    assert {result.ticket_number for result in results} == {ticket.number}
    (winner,) = [names[i] for i, result in enumerate(results) if result.new]
    (linked,) = drafts(ctx)
    assert linked.ticket_id == ticket.id and linked.completed_by == winner


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_the_second_agent_waits_on_the_draft_and_finds_it_linked(ctx: Collaborators) -> None:
    """A real race on PostgreSQL: the second claim blocks on the first's row lock."""
    draft = a_handed_over_draft(ctx)
    second: list[Registered] = []

    def register(session: Session, name: str) -> Registered:
        melding = burst_pipe(f"tel-{name}", conversation_id=CONVERSATION)
        origin = phone_origin(name, draft.id)
        return register_confirmed(session, ctx, melding, photos=(), origin=origin, now=ctx.clock())

    def piet() -> None:
        with ctx.sessions.begin() as session:
            second.append(register(session, "piet"))

    with ctx.sessions.begin() as session:
        first = register(session, "sanne")
        thread = threading.Thread(target=piet)
        thread.start()
        wait_for_a_lock_wait(ctx)  # piet's UPDATE of the draft waits for this transaction
        assert second == []
        number = first.ticket.number
    thread.join(timeout=30)
    assert not thread.is_alive()
    (taken,) = second
    assert taken.draft_taken and not taken.new and taken.ticket.number == number
    with ctx.sessions() as session:
        assert len(session.execute(select(Ticket)).scalars().all()) == 1
    assert drafts(ctx)[0].completed_by == "sanne"


def wait_for_a_lock_wait(ctx: Collaborators) -> None:
    """Until another backend of this database waits on a lock (bounded by a deadline)."""
    deadline = time.monotonic() + 30
    query = text(
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    with ctx.sessions() as session:
        while session.execute(query).scalar_one() == 0:
            assert time.monotonic() < deadline, "the second agent never waited on the draft"
            session.rollback()  # a fresh snapshot of pg_stat_activity


def test_the_drafts_chat_photos_go_with_the_ticket_made_in_phone_mode(
    ctx: Collaborators,
) -> None:
    draft = a_handed_over_draft(ctx)
    for name in ("lek.jpg", "plafond.jpg"):
        record_photo(ctx, CONVERSATION, PhotoUpload(f"x/{name}", "image/jpeg", 10))
    record_photo(ctx, "ander-gesprek", PhotoUpload("x/ander.jpg", "image/jpeg", 10))
    melding = burst_pipe("tel-1", conversation_id=CONVERSATION)
    result = confirm_melding(ctx, melding, origin=phone_origin("sanne", draft.id))
    with ctx.sessions() as session:
        linked = dict(session.execute(select(Attachment.path, Attachment.ticket_id)).all())
        orders = session.execute(
            select(OutboxMessage.body).where(
                OutboxMessage.key.startswith("werkbon:"), OutboxMessage.kind == "email"
            )
        )
        bodies = list(orders.scalars())
    assert linked == {
        "x/lek.jpg": result.ticket_id,
        "x/plafond.jpg": result.ticket_id,
        "x/ander.jpg": None,  # another conversation's photo stays there
    }
    # The work order tells the contractor of them, as for the bot's ticket.
    assert bodies and all("Foto's (2)" in body for body in bodies)
