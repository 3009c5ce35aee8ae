"""Issue 15's first message at De Linde, through the actions to the stored ticket.

"geen warm water ... geopereerd" must end acuut whichever warm-water topic the NLU chose:
as cv_storing the matrix decides (warm water + medical need), as boiler De Linde's protocol
asks nothing and says niet urgent, so the safety net makes it acuut for a person to judge.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from actions.confirmation import ActionVerwerkAntwoord
from actions.melding import ActionStartMelding
from meldkamer.tickets import Ticket
from tests.actions.conftest import COMPLETE_MELDING, texts, user_message

ISSUE = "We hebben geen warm water meer en mijn man is net geopereerd, hij moet gewassen worden"


def slots_of(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


async def _ticket(runtime, dispatcher, make_tracker, domain, intent: str, text: str) -> Ticket:  # type: ignore[no-untyped-def]
    tracker = make_tracker(message=user_message(text, intent))
    started = slots_of(await ActionStartMelding().run(dispatcher, tracker, domain))
    # 1234 AB 12 is in De Linde's complex Lindehof (the address step sets both).
    slots = {
        **COMPLETE_MELDING,
        "opdrachtgever": "de-linde",
        "complex": "lindehof",
        "topic": started["topic"],
        "feiten": started["feiten"],
        "beschrijving": started["beschrijving"],
        "wacht_op_bevestiging": True,
    }
    tracker = make_tracker(slots, message=user_message("ja klopt", "affirm"))
    await ActionVerwerkAntwoord().run(dispatcher, tracker, domain)
    with runtime.sessions() as session:
        ticket = session.execute(select(Ticket)).scalar_one()
        session.expunge(ticket)
    return ticket


async def test_read_as_cv_storing_the_matrix_makes_it_acuut(
    runtime, dispatcher, make_tracker, domain
) -> None:
    ticket = await _ticket(runtime, dispatcher, make_tracker, domain, "melding_cv_storing", ISSUE)
    assert ticket.client_id == "de-linde"
    assert ticket.facts == {"geen_warm_water": True, "medische_noodzaak": True}
    assert ticket.urgency == "acuut"


async def test_read_as_boiler_the_safety_net_makes_it_acuut_for_a_person(
    runtime, dispatcher, make_tracker, domain
) -> None:
    ticket = await _ticket(runtime, dispatcher, make_tracker, domain, "melding_boiler", ISSUE)
    assert ticket.client_id == "de-linde"
    assert ticket.facts == {"medische_noodzaak": True}
    assert ticket.urgency == "acuut"
    assert ticket.needs_assessment
    # The tenant hears that it is acuut and that a person of the meldkamer follows it up.
    said = " ".join(texts(dispatcher))
    assert "(acuut)" in said and "medewerker" in said


@pytest.mark.parametrize("text", ["de boiler lekt en geeft geen warm water meer"])
async def test_a_boiler_without_medical_need_stays_niet_urgent_at_de_linde(
    runtime, dispatcher, make_tracker, domain, text: str
) -> None:
    ticket = await _ticket(runtime, dispatcher, make_tracker, domain, "melding_boiler", text)
    assert ticket.client_id == "de-linde"
    assert ticket.urgency == "niet_urgent"
