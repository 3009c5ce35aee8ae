"""confirm_melding: what the chat, the phone and the spool all go through."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, select
from sqlalchemy.orm import sessionmaker

from meldkamer.attachments.models import Attachment
from meldkamer.dispatch.models import WorkOrder
from meldkamer.handover.models import Note
from meldkamer.intake.spool import ATTENTION, spool_melding, spooled
from meldkamer.intake.validation import Address
from meldkamer.notify.outbox import messages_for_ticket
from meldkamer.service.confirm import Stored, confirm_melding
from meldkamer.service.context import Collaborators
from meldkamer.service.photos import PhotoUpload, record_photo
from meldkamer.service.registration import Origin
from meldkamer.tickets import Ticket
from tests.service.conftest import NIGHT, burst_pipe


def tickets(ctx: Collaborators) -> list[Ticket]:
    with ctx.sessions() as session:
        return list(session.execute(select(Ticket)).scalars())


def test_registers_dispatches_and_tells_the_number(ctx: Collaborators) -> None:
    result = confirm_melding(ctx, burst_pipe())
    assert result.stored is Stored.REGISTERED and result.new
    (ticket,) = tickets(ctx)
    assert result.ticket_number == ticket.number and ticket.urgency == "acuut"
    assert ticket.number in result.message and "112" in result.message
    assert "spoedmelding" in result.message
    with ctx.sessions() as session:
        assert session.execute(select(WorkOrder)).scalars().first() is not None
        assert messages_for_ticket(session, ticket.id)  # the work order went out
    assert result.handover_reason is None  # acuut by the matrix: nobody needs to decide


def test_confirming_twice_is_one_ticket_and_sends_nothing_again(ctx: Collaborators) -> None:
    first = confirm_melding(ctx, burst_pipe())
    with ctx.sessions() as session:
        sent = len(messages_for_ticket(session, tickets(ctx)[0].id))
    again = confirm_melding(ctx, burst_pipe())
    assert again.ticket_number == first.ticket_number and not again.new
    assert len(tickets(ctx)) == 1
    with ctx.sessions() as session:
        assert len(messages_for_ticket(session, tickets(ctx)[0].id)) == sent


def test_the_conversations_photos_are_linked_to_the_new_ticket(ctx: Collaborators) -> None:
    melding = burst_pipe()
    for name in ("a.jpg", "b.jpg", "niet-gekozen.jpg"):
        record_photo(ctx, melding.conversation_id, PhotoUpload(f"x/{name}", "image/jpeg", 10))
    result = confirm_melding(ctx, melding, photos=["x/a.jpg", "x/b.jpg"])
    with ctx.sessions() as session:
        linked = dict(session.execute(select(Attachment.path, Attachment.ticket_id)).all())
    assert linked == {
        "x/a.jpg": result.ticket_id,
        "x/b.jpg": result.ticket_id,
        "x/niet-gekozen.jpg": None,
    }


def test_an_address_no_client_serves_goes_to_a_person(ctx: Collaborators) -> None:
    melding = burst_pipe(address=Address("9999 ZZ", 1), client_id=None, complex_id=None)
    result = confirm_melding(ctx, melding)
    assert result.stored is Stored.REGISTERED
    assert result.handover_reason == "Adres hoort bij geen bekende opdrachtgever"


def test_a_person_decides_when_the_matrix_says_so(ctx: Collaborators) -> None:
    # A topic that, with nothing known, De Linde's protocol leaves to "inschatting".
    settings = ctx.settings_for("de-linde")
    topic = next(
        code
        for code in ctx.engine.table.topics
        if ctx.engine.evaluate(code, {}, NIGHT, settings).needs_assessment
    )
    result = confirm_melding(ctx, burst_pipe(topic=topic, facts={}))
    assert result.outcome is not None and result.outcome.needs_assessment
    assert result.handover_reason == "Beoordeling nodig: " + result.outcome.reasons[-1]


def test_the_clients_own_notice_replaces_the_default(ctx: Collaborators) -> None:
    client = ctx.client("de-linde")
    assert client is not None
    topic = next(t for t in ctx.engine.table.topics if client.notice_for(t))
    facts = {} if topic != "lekkage_waterleiding" else burst_pipe().facts
    result = confirm_melding(ctx, burst_pipe(topic=topic, facts=facts))
    assert result.outcome is not None
    assert result.outcome.notices == (client.notice_for(topic),)
    assert str(client.notice_for(topic)) in result.message


def test_an_english_melding_gets_the_clients_english_notice(ctx: Collaborators) -> None:
    client = ctx.client("de-linde")
    assert client is not None and client.notice_for("buitensluiting", "en")
    result = confirm_melding(ctx, burst_pipe(topic="buitensluiting", facts={}, taal="en"))
    assert result.outcome is not None
    assert result.outcome.notices == (client.notice_for("buitensluiting", "en"),)
    assert "The locksmith's costs are charged to you" in result.message
    assert client.notice_for("buitensluiting") not in result.message  # not the Dutch one


def test_the_phone_adds_who_took_it(ctx: Collaborators) -> None:
    result = confirm_melding(
        ctx, burst_pipe(channel="telefoon"), origin=Origin.phone("sanne", "Sanne de Vries")
    )
    with ctx.sessions() as session:
        (note,) = session.execute(select(Note)).scalars()
    assert note.author == "sanne" and note.ticket_id == result.ticket_id
    assert note.text == "Telefonisch aangenomen door Sanne de Vries."


def test_from_the_spool_the_ticket_asks_for_attention(ctx: Collaborators) -> None:
    confirm_melding(ctx, burst_pipe(), origin=Origin.spool(NIGHT))
    (ticket,) = tickets(ctx)
    assert ATTENTION in (ticket.attention or "")


def test_from_the_chat_no_attention_flag_and_no_note(ctx: Collaborators) -> None:
    confirm_melding(ctx, burst_pipe())
    (ticket,) = tickets(ctx)
    assert ATTENTION not in (ticket.attention or "")
    with ctx.sessions() as session:
        assert session.execute(select(Note)).first() is None


def test_spooled_meldingen_are_registered_first(ctx: Collaborators) -> None:
    assert ctx.spool is not None
    spool_melding(
        burst_pipe("eerder"), received_at=NIGHT, sessions=ctx.sessions, directory=ctx.spool
    )
    confirm_melding(ctx, burst_pipe("nu"))
    assert sorted(t.melding_id for t in tickets(ctx)) == ["eerder", "nu"]
    assert spooled(ctx.spool) == []


def test_database_away_spools_and_says_so(ctx: Collaborators, tmp_path: Path) -> None:
    (tmp_path / "weg.db").mkdir()  # a folder where the database file should be
    away = Collaborators(
        sessions=sessionmaker(bind=create_engine(f"sqlite:///{tmp_path / 'weg.db'}")),
        clock=lambda: NIGHT,
        clients=ctx.client_cache(),
        spool=tmp_path / "spool-weg",
    )
    ctx.registry()
    result = confirm_melding(away, burst_pipe())
    assert result.stored is Stored.SPOOLED and result.ticket_number is None
    assert "bewaard" in result.message and "088-3746100" in result.message
    assert [p.name for p in spooled(away.spool)] == ["m-1.json"]
