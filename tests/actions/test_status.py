"""The status lookup and "nog niet opgelost" in the conversation (actions/status.py)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from actions.status import ActionNietOpgelost, ActionStatusMelding, ValidateStatusForm
from meldkamer.dispatch.models import WorkOrder
from meldkamer.handover.models import Handover
from meldkamer.service.confirm import confirm_melding
from meldkamer.service.status_lookup import MAX_WRONG
from tests.actions.conftest import NIGHT, texts, user_message
from tests.service.conftest import burst_pipe

FORM = "status_form"


def ticket(runtime: Any, **changes: object) -> str:
    result = confirm_melding(runtime, burst_pipe(**changes))
    assert result.ticket_number is not None
    return result.ticket_number


def slots_of(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


async def validate(
    dispatcher: Any, tracker: Any, domain: Any, *, in_form: bool = True
) -> dict[str, Any]:
    """The form's validation as the form runs it (``in_form``) or as Rasa's slot extraction."""
    if in_form:
        tracker.events.append({"event": "user_featurization", "use_text_for_featurization": True})
    return slots_of(await ValidateStatusForm().run(dispatcher, tracker, domain))


async def test_rasas_slot_extraction_takes_the_answer_but_does_not_look_up(
    runtime, dispatcher, make_tracker, domain
) -> None:
    number = ticket(runtime)
    tracker = make_tracker(
        {"status_nummer": number, "requested_slot": "status_adres"},
        user_message("1234 AB 14"),
        active_loop=FORM,
    )
    slots = await validate(dispatcher, tracker, domain, in_form=False)
    # Rasa drops what is said here: the address is kept for the form's own run to check.
    assert slots == {"status_adres": "1234 AB 14"} and texts(dispatcher) == []


def address_answer(make_tracker: Any, number: str, text: str) -> Any:
    """The form knows ticket ``number`` and asked for the address; the tenant says ``text``."""
    return make_tracker(
        {"status_nummer": number, "requested_slot": "status_adres"},
        user_message(text),
        active_loop=FORM,
    )


async def number_then_address(
    runtime: Any, dispatcher: Any, make_tracker: Any, domain: Any, text: str
) -> tuple[str, dict[str, Any]]:
    """A new ticket's number, and the form's slots once the tenant answers its address ``text``."""
    number = ticket(runtime)
    return number, await validate(dispatcher, address_answer(make_tracker, number, text), domain)


async def test_number_then_address_tells_the_status(
    runtime, dispatcher, make_tracker, domain
) -> None:
    number, slots = await number_then_address(
        runtime, dispatcher, make_tracker, domain, "1234ab 12"
    )
    assert slots["status_adres"] == "1234 AB 12" and slots["status_uitkomst"] == "status"
    (said,) = texts(dispatcher)
    assert number in said and "Fatima" not in said


async def test_a_wrong_address_asks_again_from_the_number(
    runtime, dispatcher, make_tracker, domain
) -> None:
    number, slots = await number_then_address(
        runtime, dispatcher, make_tracker, domain, "1234 AB 14"
    )
    assert slots["status_nummer"] is None and slots["status_adres"] is None
    # Both empty again: Rasa's form asks for the number first (domain order).
    assert number not in texts(dispatcher)[0] and "geen melding vinden" in texts(dispatcher)[0]


async def test_number_and_address_in_the_first_message(
    runtime, dispatcher, make_tracker, domain
) -> None:
    number = ticket(runtime)
    tracker = make_tracker(message=user_message(f"status {number}, 1234 AB 12", "vraag_status"))
    slots = await validate(dispatcher, tracker, domain)
    # The ticket number's digits are not read as the house number.
    assert slots["status_adres"] == "1234 AB 12" and slots["status_uitkomst"] == "status"


async def test_an_answer_without_a_number_is_asked_again(
    runtime, dispatcher, make_tracker, domain
) -> None:
    tracker = make_tracker(
        {"requested_slot": "status_nummer"}, user_message("weet ik niet meer"), active_loop=FORM
    )
    slots = await validate(dispatcher, tracker, domain)
    assert slots["status_nummer"] is None and "Ik zie geen meldingsnummer" in texts(dispatcher)[0]


async def test_a_new_melding_during_the_lookup_is_no_answer(
    runtime, dispatcher, make_tracker, domain
) -> None:
    tracker = make_tracker(
        {"requested_slot": "status_nummer"},
        user_message("ik ruik gas in de keuken", "melding_gaslek"),
        active_loop=FORM,
    )
    slots = await validate(dispatcher, tracker, domain)
    # Nothing filled: the form is rejected and the gas rules take over.
    assert "status_nummer" not in slots and texts(dispatcher) == []


async def test_whatsapp_asks_nothing_and_tells_the_senders_tickets(
    runtime, dispatcher, make_tracker, domain
) -> None:
    number = ticket(runtime, channel="whatsapp", conversation_id="wa-31612345678")
    tracker = make_tracker(
        message=user_message("hoe staat het ermee", "vraag_status"), channel="whatsapp"
    )
    tracker.sender_id = "wa-31612345678"
    assert await ValidateStatusForm().required_slots([], dispatcher, tracker, domain) == []
    await ActionStatusMelding().run(dispatcher, tracker, domain)
    (said,) = texts(dispatcher)
    assert number in said


async def test_three_wrong_proofs_hand_over_to_a_person(
    runtime, dispatcher, make_tracker, domain
) -> None:
    number = ticket(runtime)
    for _ in range(MAX_WRONG):
        tracker = address_answer(make_tracker, number, "1234 AB 40")
        slots = await validate(dispatcher, tracker, domain)
    assert slots["status_uitkomst"] == "medewerker"
    # the tenant's number is known (nobody is present: a call back needs it)
    done = make_tracker(
        {"status_uitkomst": "medewerker", "status_nummer": number, "telefoon": "+31612345678"}
    )
    events = slots_of(await ActionStatusMelding().run(dispatcher, done, domain))
    assert events["status_uitkomst"] is None and events["status_nummer"] is None
    with runtime.sessions() as session:
        (queued,) = session.execute(select(Handover)).scalars()
    assert queued.conversation_id == "huurder-1" and "onjuiste" in queued.reason
    assert all(number not in said for said in texts(dispatcher))


async def test_not_solved_in_the_web_chat_reopens(
    runtime, dispatcher, make_tracker, domain
) -> None:
    number = ticket(runtime, channel="webchat", conversation_id="huurder-1")
    with runtime.sessions.begin() as session:
        order = session.execute(select(WorkOrder)).scalar_one()
        order.status, order.done_at = "gereed", NIGHT
    tracker = make_tracker(
        message=user_message("het is nog niet opgelost", "niet_opgelost"), channel="webchat"
    )
    await ActionNietOpgelost().run(dispatcher, tracker, domain)
    (said,) = texts(dispatcher)
    assert number in said and "weer open" in said
    with runtime.sessions() as session:
        assert len(list(session.execute(select(WorkOrder)).scalars())) == 2
