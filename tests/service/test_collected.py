"""plan_correction / save_correction: an agent fills in or corrects what the bot collected."""

from __future__ import annotations

from sqlalchemy import select

from meldkamer.handover.models import Handover, Note
from meldkamer.handover.service import request_handover
from meldkamer.handover.summary import HandoverSummary
from meldkamer.service.collected import FACT_PREFIX, plan_correction, save_correction
from meldkamer.service.context import Collaborators
from tests.service.conftest import NIGHT

BEGUN = HandoverSummary(topic="lekkage_waterleiding", facts={"leiding_gesprongen": True})


def test_a_melding_begun_gets_address_contact_and_answers(ctx: Collaborators) -> None:
    plan = plan_correction(
        ctx,
        BEGUN,
        {
            "adres": "1234ab 12",
            "naam": "  Fatima el Amrani ",
            "telefoon": "06-12345678",
            "email": "geen",  # no address: nothing to set
            FACT_PREFIX + "leiding_afsluitbaar": "false",
        },
    )
    assert plan.errors == {}
    assert plan.changed == ("adres", "naam", "telefoon", "antwoorden")
    assert plan.slots["opdrachtgever"] == "de-linde" and plan.slots["complex"] == "lindehof"
    assert plan.slots["feiten"] == {"leiding_gesprongen": True, "leiding_afsluitbaar": False}
    assert plan.summary.phone == "+31612345678" and plan.summary.client_id == "de-linde"
    assert "email" not in plan.slots


def test_refusals_name_the_field_and_unknown_answers_are_kept_apart(ctx: Collaborators) -> None:
    plan = plan_correction(
        ctx,
        BEGUN,
        {
            "adres": "nergens",
            "telefoon": "12",
            FACT_PREFIX + "leiding_gesprongen": "misschien",
            FACT_PREFIX + "leiding_afsluitbaar": "onbekend",
        },
    )
    assert set(plan.errors) == {"adres", "telefoon", FACT_PREFIX + "leiding_gesprongen"}
    assert plan.slots["onbekende_feiten"] == ["leiding_afsluitbaar"]
    assert "adres" not in plan.slots  # a refused address sets nothing


def test_saving_stores_the_summary_with_its_outcome_and_a_note(ctx: Collaborators) -> None:
    with ctx.sessions.begin() as session:
        handover_id = request_handover(
            session, conversation_id="c-1", channel="webchat", reason="r", summary=BEGUN, now=NIGHT
        ).id
    plan = plan_correction(ctx, BEGUN, {FACT_PREFIX + "leiding_afsluitbaar": "false"})
    saved = save_correction(ctx, handover_id, plan, "sanne")
    assert saved.urgency == "acuut"  # burst and cannot be shut off
    with ctx.sessions() as session:
        handover = session.get(Handover, handover_id)
        (note,) = session.execute(select(Note)).scalars()
    assert handover is not None and handover.urgency_rank == 2
    assert handover.summary["facts"]["leiding_afsluitbaar"] is False
    assert note.author == "sanne" and "antwoorden" in note.text


TENANT_GAVE_NO_POSTCODE = HandoverSummary(
    topic="lekkage_waterleiding",
    facts={"leiding_gesprongen": True},
    address="Dorpsstraat 5, Utrecht",
)


def test_the_postcode_alone_completes_an_address_given_without_one(ctx: Collaborators) -> None:
    plan = plan_correction(ctx, TENANT_GAVE_NO_POSTCODE, {"adres": "3511 ab"})
    assert plan.errors == {} and plan.changed == ("adres",)
    assert (plan.slots["postcode"], plan.slots["huisnummer"]) == ("3511 AB", 5)
    assert plan.summary.address == "3511 AB 5"
    assert "opdrachtgever" not in plan.slots  # in no list: the ticket has no client


def test_a_street_in_a_clients_list_is_found_and_one_without_postcode_refused(
    ctx: Collaborators,
) -> None:
    found = plan_correction(ctx, TENANT_GAVE_NO_POSTCODE, {"adres": "Lindelaan 12"})
    assert found.slots["postcode"] == "1234 AB" and found.slots["opdrachtgever"] == "de-linde"
    assert found.summary.address == "Lindelaan 12, 1234 AB Lindendam"
    assert found.summary.client_id == "de-linde"
    refused = plan_correction(ctx, TENANT_GAVE_NO_POSTCODE, {"adres": "weet ik niet"})
    assert "postcode" in refused.errors["adres"] and refused.slots == {}
    two = plan_correction(ctx, BEGUN, {"adres": "Kerkplein 3"})
    assert "Kerkplein 3, Lindendam" in two.errors["adres"] and two.slots == {}
