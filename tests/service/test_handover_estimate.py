"""hand_over tells the tenant the estimate of meldkamer.handover.waiting, per urgency."""

from __future__ import annotations

from datetime import timedelta

from meldkamer.handover.service import request_handover, take
from meldkamer.handover.summary import HandoverSummary
from meldkamer.service.context import Collaborators
from meldkamer.service.handover import HandoverRequest, hand_over
from tests.service.conftest import NIGHT
from tests.service.test_handover import agent_present

GAS = HandoverSummary(
    topic="gaslek", address="1234 AB 5", phone="+31612345678", client_id="de-linde"
)
HEATING = HandoverSummary(
    topic="cv_storing",
    facts={"geen_verwarming": True, "geen_warm_water": False, "medische_noodzaak": False},
    address="1234 AB 6",
    phone="+31612345679",
    client_id="de-linde",
)


def ask(ctx: Collaborators, conversation: str, summary: HandoverSummary):  # noqa: ANN201
    return hand_over(
        ctx, HandoverRequest(conversation, "webchat", "vraagt een medewerker", summary)
    )


def busy_night(ctx: Collaborators) -> None:
    """One agent present and in a chat; eight urgent chats waiting; 30 call-backs."""
    agent_present(ctx)
    with ctx.sessions.begin() as session:
        for i in range(39):
            handover = request_handover(
                session,
                conversation_id=f"ander-{i}",
                channel="webchat",
                reason="vraagt een medewerker",
                summary={"topic": "cv_storing", "outcome": {"urgency": "urgent"}},
                now=NIGHT - timedelta(minutes=30),
                callback=i >= 9,
            )
            if i == 0:
                take(session, handover.id, "sanne", NIGHT)


def test_an_acuut_tenant_hears_112_first_and_waits_behind_no_urgent_chat(
    ctx: Collaborators,
) -> None:
    busy_night(ctx)
    said = ask(ctx, "gas-1", GAS)
    assert said.agent_available and said.message.startswith(
        "Is er gevaar voor mensen? Bel direct 112."
    )
    # the only agent is busy for one handling time (6 minutes, nothing measured yet)
    assert "ongeveer 10 minuten" in said.message and "088-3746100" in said.message


def test_a_lower_urgency_hears_the_cap_never_a_large_number(ctx: Collaborators) -> None:
    busy_night(ctx)
    said = ask(ctx, "cv-1", HEATING)
    assert said.agent_available and "langer dan 30 minuten" in said.message
    assert not said.message.startswith("Is er gevaar")
    assert not any(str(n) in said.message for n in range(31, 400))
