"""Handover actions: everything collected goes along, at every step of the melding form.

A handover at any step leaves a ticket (the melding was complete) or a draft
(``meldingconcepten``) with everything collected; a request for a person anywhere in
the first message hands over after the safety instructions; nobody present and no
number known: the number is asked before a call back is promised.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from actions.handover import (
    ActionAskTerugbelFormTelefoon,
    ActionHervat,
    ActionMedewerkerInBericht,
    ActionTerugbellen,
    ActionVraagMedewerker,
    ValidateTerugbelForm,
)
from meldkamer.handover.drafts import Draft
from meldkamer.handover.models import Handover
from meldkamer.handover.summary import HandoverSummary
from meldkamer.handover.texts import handover_texts
from meldkamer.service.handover import UNCONFIRMED
from meldkamer.tickets import Ticket
from tests.actions.conftest import COMPLETE_MELDING, texts, user_message
from tests.service.test_handover import agent_present

#: The form's steps in its order, each with the slots it fills (cumulative below).
STEPS: list[tuple[str, dict[str, Any]]] = [
    ("begin", {"topic": "lekkage_waterleiding", "melding_id": "m-1", "feiten": {}}),
    (
        "adres",
        {
            "adres": "1234 AB 12",
            "postcode": "1234 AB",
            "huisnummer": 12,
            "opdrachtgever": "de-linde",
            "complex": "lindehof",
        },
    ),
    ("triage", {"feiten": {"leiding_gesprongen": True, "leiding_afsluitbaar": False}}),
    ("naam", {"naam": "Fatima el Amrani"}),
    ("telefoon", {"telefoon": "+31612345678"}),
    ("email", {"email": "geen"}),
    ("beschrijving", {"beschrijving": "water spuit uit de leiding onder het aanrecht"}),
]
#: What the stored summary calls each slot.
SUMMARY_KEYS = {
    "topic": "topic",
    "feiten": "facts",
    "adres": "adres",
    "opdrachtgever": "opdrachtgever",
    "naam": "naam",
    "telefoon": "telefoon",
    "email": "email",
    "beschrijving": "beschrijving",
}


def slots_until(step: str) -> dict[str, Any]:
    slots: dict[str, Any] = {}
    for name, filled in STEPS:
        slots.update(filled)
        if name == step:
            return slots
    raise KeyError(step)


@pytest.mark.parametrize("step", [name for name, _ in STEPS])
async def test_a_handover_at_any_step_keeps_everything_collected(
    runtime, dispatcher, make_tracker, domain, step
) -> None:
    agent_present(runtime)
    slots = slots_until(step)
    message = user_message("ik wil een medewerker spreken", "vraag_medewerker")
    tracker = make_tracker(slots, message=message, active_loop="melding_form")
    events = await ActionVraagMedewerker().run(dispatcher, tracker, domain)
    assert {"event": "pause", "timestamp": None} in events
    with runtime.sessions() as session:
        (handover,) = session.execute(select(Handover)).scalars()
        tickets = session.execute(select(Ticket)).scalars().all()
        drafts = session.execute(select(Draft)).scalars().all()
        for slot, key in SUMMARY_KEYS.items():
            if slot in slots:
                assert handover.summary[key] == slots[slot], slot
                for draft in drafts:
                    assert draft.summary[key] == slots[slot], slot
        if step == "beschrijving":
            # complete: a ticket now, flagged because the tenant did not confirm yet
            (ticket,) = tickets
            assert handover.ticket_id == ticket.id and ticket.attention == UNCONFIRMED
            assert drafts == []  # a complete melding is a ticket, never a draft
            assert ticket.naam == "Fatima el Amrani" and ticket.telefoon == "+31612345678"
            assert {
                "event": "slot",
                "name": "ticket_nummer",
                "value": ticket.number,
                "timestamp": None,
            } in events
        else:
            # incomplete: a draft with everything collected and the outcome so far
            assert tickets == [] and handover.ticket_id is None
            assert handover.summary["outcome"]["urgency"] in ("acuut", "urgent", "niet_urgent")
            (draft,) = drafts
            assert draft.is_open and draft.handover_id == handover.id
            assert draft.conversation_id == handover.conversation_id
            assert draft.urgency == handover.summary["outcome"]["urgency"]
            assert draft.collected == HandoverSummary.from_dict(handover.summary)


async def test_a_person_asked_for_in_the_first_message_hands_over(
    runtime, dispatcher, make_tracker, domain
) -> None:
    agent_present(runtime)
    message = user_message("ik ruik gas en wil iemand spreken", "melding_gaslek")
    tracker = make_tracker({"topic": "gaslek", "melding_id": "m-gas"}, message=message)
    events = await ActionMedewerkerInBericht().run(dispatcher, tracker, domain)
    assert {"event": "pause", "timestamp": None} in events
    with runtime.sessions() as session:
        (handover,) = session.execute(select(Handover)).scalars()
    assert handover.summary["topic"] == "gaslek" and handover.urgency_rank == 2


async def test_no_request_for_a_person_goes_on_with_the_melding(
    runtime, dispatcher, make_tracker, domain
) -> None:
    message = user_message("ik ruik gas in de keuken", "melding_gaslek")
    tracker = make_tracker({"topic": "gaslek"}, message=message)
    assert await ActionMedewerkerInBericht().run(dispatcher, tracker, domain) == []
    assert dispatcher.messages == []


async def test_gas_in_a_request_for_a_person_gets_the_safety_steps_first(
    runtime, dispatcher, make_tracker, domain
) -> None:
    agent_present(runtime)
    message = user_message("ik ruik gas en wil iemand spreken", "vraag_medewerker", 0.5)
    message["intent_ranking"] = [
        {"name": "vraag_medewerker", "confidence": 0.5},
        {"name": "melding_gaslek", "confidence": 0.45},
    ]
    tracker = make_tracker({}, message=message)
    await ActionVraagMedewerker().run(dispatcher, tracker, domain)
    said = texts(dispatcher)
    assert said[0] == "utter_veiligheid_gas" and "medewerker" in said[1]


async def test_nobody_present_asks_the_number_before_promising_a_call_back(
    runtime, dispatcher, make_tracker, domain
) -> None:
    slots = {k: v for k, v in COMPLETE_MELDING.items() if k != "telefoon"}
    message = user_message("medewerker", "vraag_medewerker")
    tracker = make_tracker(slots, message=message, active_loop="melding_form")
    events = await ActionVraagMedewerker().run(dispatcher, tracker, domain)
    assert events == [
        {
            "event": "slot",
            "name": "overdracht_reden",
            "value": "Huurder vraagt om een medewerker",
            "timestamp": None,
        },
        {"event": "followup", "name": "terugbel_form", "timestamp": None},
    ]
    assert dispatcher.messages == []  # the form asks; nothing promised yet
    with runtime.sessions() as session:
        assert session.execute(select(Handover)).first() is None
    # the form's question: acuut (burst pipe that cannot be shut off) gives 112 first
    await ActionAskTerugbelFormTelefoon().run(dispatcher, tracker, domain)
    assert texts(dispatcher) == [handover_texts().ask_number(acute=True)]


async def test_the_call_back_number_is_checked_then_the_call_back_queued(
    runtime, dispatcher, make_tracker, domain
) -> None:
    form = ValidateTerugbelForm()
    tracker = make_tracker({"requested_slot": "telefoon"}, active_loop="terugbel_form")
    assert form.validate_telefoon("12", dispatcher, tracker, domain) == {"telefoon": None}
    assert dispatcher.messages  # why it was refused
    good = form.validate_telefoon("06 12345678", dispatcher, tracker, domain)
    assert good == {"telefoon": "+31612345678"}
    slots = {
        **{k: v for k, v in COMPLETE_MELDING.items() if k != "beschrijving"},
        "overdracht_reden": "Bot begreep de huurder twee keer niet",
    }
    done = make_tracker(slots, active_loop=None)
    events = await ActionTerugbellen().run(dispatcher, done, domain)
    with runtime.sessions() as session:
        (handover,) = session.execute(select(Handover)).scalars()
    assert handover.callback and handover.summary["telefoon"] == "+31612345678"
    assert handover.reason == "Bot begreep de huurder twee keer niet"
    assert "06 12345678" in texts(dispatcher)[-1]  # the promise names the number
    # the melding was under way: the form goes on (the phone is not asked again)
    assert events[-1] == {"event": "followup", "name": "melding_form", "timestamp": None}


async def test_hand_back_continues_a_melding_begun_before_the_form(
    runtime, dispatcher, make_tracker, domain
) -> None:
    tracker = make_tracker({"topic": "gaslek", "melding_id": "m-gas"}, user_message("", "hervat"))
    events = await ActionHervat().run(dispatcher, tracker, domain)
    assert events == [{"event": "followup", "name": "melding_form", "timestamp": None}]
    assert texts(dispatcher) == ["U praat weer met de digitale assistent."]


async def test_hand_back_after_a_finished_melding_offers_more_help(
    runtime, dispatcher, make_tracker, domain
) -> None:
    tracker = make_tracker({"topic": "gaslek", "ticket_nummer": "MK-2026-000001"})
    assert await ActionHervat().run(dispatcher, tracker, domain) == []
    assert len(texts(dispatcher)) == 2


async def test_an_english_tenant_is_asked_refused_and_promised_in_english(
    runtime, dispatcher, make_tracker, domain
) -> None:
    slots = {k: v for k, v in COMPLETE_MELDING.items() if k != "telefoon"}
    asking = make_tracker({**slots, "taal": "en"}, active_loop="terugbel_form")
    await ActionAskTerugbelFormTelefoon().run(dispatcher, asking, domain)
    assert texts(dispatcher) == [handover_texts("en").ask_number(acute=True)]
    dispatcher.messages.clear()
    form = ValidateTerugbelForm()
    assert form.validate_telefoon("12", dispatcher, asking, domain) == {"telefoon": None}
    assert texts(dispatcher) == ["A Dutch number starts with 0 or +31, for example 06 12345678."]
    dispatcher.messages.clear()
    done = make_tracker({**COMPLETE_MELDING, "taal": "en"}, active_loop=None)
    await ActionTerugbellen().run(dispatcher, done, domain)
    assert "We will call you back at 06 12345678" in texts(dispatcher)[-1]
    with runtime.sessions() as session:
        (handover,) = session.execute(select(Handover)).scalars()
    assert handover.summary["taal"] == "en"
