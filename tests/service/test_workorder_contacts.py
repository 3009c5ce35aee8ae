"""The contact log gets what the core sends and receives: the melding, work orders,
messages to the client, escalation, handovers and notes (meldkamer.contacts)."""

from __future__ import annotations

from datetime import timedelta

from meldkamer.contacts import Contact, contacts_for_ticket
from meldkamer.dispatch.escalation import escalate_due
from meldkamer.dispatch.service import DispatchSettings
from meldkamer.handover.service import add_note
from meldkamer.handover.summary import HandoverSummary
from meldkamer.service.confirm import confirm_melding
from meldkamer.service.context import Collaborators
from meldkamer.service.handover import HandoverRequest, hand_over
from meldkamer.service.registration import Origin
from meldkamer.service.workorder import Request, Via, update_by_number
from tests.service.conftest import NIGHT, burst_pipe


def log(ctx: Collaborators, ticket_id: int) -> list[Contact]:
    with ctx.sessions() as session:
        return contacts_for_ticket(session, ticket_id)


def rows(ctx: Collaborators, ticket_id: int) -> list[tuple[str, str, str, str]]:
    return [(c.direction, c.channel, c.party, c.kind) for c in log(ctx, ticket_id)]


def test_a_chat_melding_and_its_work_order_are_logged(ctx: Collaborators) -> None:
    confirmed = confirm_melding(ctx, burst_pipe(channel="webchat"))
    assert confirmed.ticket_id is not None
    contacts = log(ctx, confirmed.ticket_id)
    intake = contacts[0]
    assert (intake.direction, intake.channel, intake.party, intake.kind, intake.by) == (
        "in",
        "webchat",
        "huurder",
        "gesprek",
        "assistent",
    )
    assert "acuut" in intake.summary and "lekkage" in intake.summary
    sent = [(c.channel, c.party) for c in contacts if c.direction == "uit"]
    assert ("sms", "aannemer") in sent and ("email", "aannemer") in sent
    assert all(c.ref and c.ref.startswith("werkbon:") for c in contacts if c.party == "aannemer")
    # confirming again (a repeated delivery) logs nothing twice
    confirm_melding(ctx, burst_pipe(channel="webchat"))
    assert len(log(ctx, confirmed.ticket_id)) == len(contacts)


def test_a_phone_melding_is_logged_with_the_agent(ctx: Collaborators) -> None:
    origin = Origin.phone("sanne", "Sanne de Vries")
    confirmed = confirm_melding(ctx, burst_pipe("m-tel", channel="telefoon"), origin=origin)
    assert confirmed.ticket_id is not None
    intake, *rest = log(ctx, confirmed.ticket_id)
    assert (intake.channel, intake.kind, intake.by) == ("telefoon", "gesprek", "sanne")
    assert intake.summary.startswith("Telefonisch aangenomen door Sanne de Vries")
    (note,) = [c for c in rest if c.direction == "intern"]
    assert (note.channel, note.party, note.by) == ("console", "medewerker", "sanne")


def test_escalation_messages_are_logged(ctx: Collaborators) -> None:
    heating = {"geen_verwarming": True, "geen_warm_water": True, "medische_noodzaak": True}
    confirmed = confirm_melding(ctx, burst_pipe(topic="cv_storing", facts=heating))
    assert confirmed.ticket_id is not None
    before = rows(ctx, confirmed.ticket_id).count(("uit", "sms", "aannemer", "sms"))
    with ctx.sessions.begin() as session:
        done = escalate_due(session, ctx.registry(), ctx.dispatch, NIGHT + timedelta(hours=1))
    assert done
    after = rows(ctx, confirmed.ticket_id).count(("uit", "sms", "aannemer", "sms"))
    assert after == before + 1  # the next contractor's work order


def test_the_last_escalation_to_the_meldkamer_is_logged(ctx: Collaborators) -> None:
    settings = DispatchSettings(agents_email="team@meldkamer.test")
    confirmed = confirm_melding(ctx, burst_pipe())  # one plumber on the roster
    assert confirmed.ticket_id is not None
    with ctx.sessions.begin() as session:
        escalate_due(session, ctx.registry(), settings, NIGHT + timedelta(hours=1))
    last = log(ctx, confirmed.ticket_id)[-1]
    assert (last.direction, last.channel, last.party, last.kind) == (
        "uit",
        "email",
        "meldkamer",
        "email",
    )
    assert last.summary.startswith("Aan team@meldkamer.test: ESCALATIE")


def test_a_handover_and_a_note_are_logged(ctx: Collaborators) -> None:
    confirmed = confirm_melding(ctx, burst_pipe())
    assert confirmed.ticket_id is not None and confirmed.ticket_number is not None
    summary = HandoverSummary(
        topic="lekkage_waterleiding",
        facts={},
        address="1234 AB 12",
        name="Fatima el Amrani",
        phone="+31612345678",
        client_id="de-linde",
        ticket=confirmed.ticket_number,
    )
    hand_over(ctx, HandoverRequest("gesprek-m-1", "whatsapp", "Huurder vraagt iemand", summary))
    with ctx.sessions.begin() as session:
        add_note(session, "gesprek-m-1", "piet", "Huurder teruggebeld", NIGHT, confirmed.ticket_id)
    contacts = log(ctx, confirmed.ticket_id)
    (handover,) = [c for c in contacts if c.kind == "overdracht"]
    assert (handover.channel, handover.party) == ("whatsapp", "huurder")
    assert "Huurder vraagt iemand" in handover.summary and "terugbellen" in handover.summary
    (note,) = [c for c in contacts if c.direction == "intern"]
    assert note.summary == "Interne notitie: Huurder teruggebeld" and note.by == "piet"


def test_a_step_set_by_an_agent_is_logged_as_a_call(ctx: Collaborators) -> None:
    confirmed = confirm_melding(ctx, burst_pipe())
    assert confirmed.ticket_id is not None and confirmed.ticket_number is not None
    update_by_number(ctx, confirmed.ticket_number, Request("bevestigd", by="sanne", via=Via.CLI))
    (last,) = [c for c in log(ctx, confirmed.ticket_id) if c.kind == "status"]
    assert (last.direction, last.channel, last.party, last.kind, last.by) == (
        "in",
        "telefoon",
        "aannemer",
        "status",
        "sanne",
    )
