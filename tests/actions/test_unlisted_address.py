"""An unknown street without a postcode still becomes a melding (issue 15's known gap).

The tenant types a street and number that no client's list knows and does not know the
postcode: the address is kept as typed, the form goes on, and at the confirmation the
melding goes to a person (a ticket needs a postcode) with everything collected.
"""

from __future__ import annotations

from sqlalchemy import select

from actions.confirmation import ActionVerwerkAntwoord
from meldkamer.handover.drafts import Draft
from meldkamer.handover.models import Handover
from meldkamer.intake.street_address import UNLISTED_REASON
from meldkamer.intake.texts import ADDRESS_NOT_SERVED
from meldkamer.tickets import Ticket
from tests.actions.conftest import COMPLETE_MELDING, texts, user_message
from tests.actions.test_form_dialogue import extract_and_validate, tracker_after
from tests.service.test_handover import agent_present

UNKNOWN_STREET = [("adres", "Dorpsstraat 5 Utrecht"), ("adres", "weet ik niet")]


async def test_no_postcode_known_takes_the_address_as_typed(runtime, dispatcher, domain) -> None:
    tracker = tracker_after(UNKNOWN_STREET, {"topic": "cv_storing"}, intent="weet_niet")
    result = await extract_and_validate("adres", tracker, dispatcher, domain)
    assert result == {
        "adres": "Dorpsstraat 5, Utrecht",
        "postcode": None,
        "huisnummer": 5,
        "huisnummer_toevoeging": None,
        "complex": None,
    }
    assert texts(dispatcher) == [ADDRESS_NOT_SERVED]  # taken; a person calls back


async def test_the_confirmed_melding_goes_to_a_person_with_the_address_text(
    runtime, dispatcher, make_tracker, domain
) -> None:
    agent_present(runtime)
    slots = {
        **COMPLETE_MELDING,
        "adres": "Dorpsstraat 5, Utrecht",
        "postcode": None,
        "huisnummer": 5,
        "wacht_op_bevestiging": True,
    }
    tracker = make_tracker(slots, message=user_message("ja klopt", "affirm"))
    events = await ActionVerwerkAntwoord().run(dispatcher, tracker, domain)
    assert {"event": "pause", "timestamp": None} in events
    assert "mis nog een gegeven" not in " ".join(texts(dispatcher))
    with runtime.sessions() as session:
        (handover,) = session.execute(select(Handover)).scalars()
        (draft,) = session.execute(select(Draft)).scalars()
        assert session.execute(select(Ticket)).scalars().all() == []
    assert handover.reason == UNLISTED_REASON
    assert handover.summary["adres"] == "Dorpsstraat 5, Utrecht"
    assert handover.summary["outcome"]["urgency"] == "acuut"  # burst, cannot be shut off
    assert draft.summary["adres"] == "Dorpsstraat 5, Utrecht" and draft.is_open
