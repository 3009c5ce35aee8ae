"""Summary, confirmation, correction and the stored ticket."""

from __future__ import annotations

import re

from sqlalchemy import select

from actions.confirmation import ActionBevestigMelding, ActionVerwerkAntwoord, ActionWijzigVeld
from meldkamer.tickets import Ticket
from tests.actions.conftest import COMPLETE_MELDING, texts, user_message


async def test_summary_shows_everything_and_asks(runtime, dispatcher, make_tracker, domain) -> None:
    events = await ActionBevestigMelding().run(dispatcher, make_tracker(COMPLETE_MELDING), domain)
    text = dispatcher.messages[0]["text"]
    for part in (
        "1234 AB 12",
        "Fatima el Amrani",
        "06 12345678",
        "Water afsluiten: lukt niet",
        "Klopt dit?",
    ):
        assert part in text
    assert [b["payload"] for b in dispatcher.messages[0]["buttons"]] == ["/affirm", "/deny"]
    assert events[0]["value"] is True


async def test_yes_stores_the_ticket(runtime, dispatcher, make_tracker, domain) -> None:
    tracker = make_tracker(
        {**COMPLETE_MELDING, "wacht_op_bevestiging": True},
        message=user_message("ja klopt", "affirm"),
    )
    events = await ActionVerwerkAntwoord().run(dispatcher, tracker, domain)
    number = next(e["value"] for e in events if e["name"] == "ticket_nummer")
    assert re.fullmatch(r"MK-2026-\d{6}", number)
    reply = texts(dispatcher)[0]
    assert number in reply and "acuut" in reply
    with runtime.sessions() as session:
        ticket = session.execute(select(Ticket)).scalar_one()
        history = [c.status_to for c in ticket.status_changes]
    assert ticket.number == number
    assert ticket.urgency == "acuut"
    assert ticket.conversation_id == "huurder-1" and ticket.channel == "rest"
    assert ticket.facts == {"leiding_gesprongen": True, "leiding_afsluitbaar": False}
    assert ticket.email is None
    assert history == ["nieuw"]


async def test_yes_twice_is_one_ticket(runtime, make_tracker, domain, dispatcher) -> None:
    tracker = make_tracker(
        {**COMPLETE_MELDING, "wacht_op_bevestiging": True}, message=user_message("ja", "affirm")
    )
    first = await ActionVerwerkAntwoord().run(dispatcher, tracker, domain)
    second = await ActionVerwerkAntwoord().run(dispatcher, tracker, domain)
    assert first[0]["value"] == second[0]["value"]
    with runtime.sessions() as session:
        assert len(session.execute(select(Ticket)).scalars().all()) == 1


async def test_correction_changes_the_house_number(
    runtime, dispatcher, make_tracker, domain
) -> None:
    tracker = make_tracker(
        {**COMPLETE_MELDING, "wacht_op_bevestiging": True},
        message=user_message("nee, het is nummer 14", "corrigeer"),
    )
    events = await ActionVerwerkAntwoord().run(dispatcher, tracker, domain)
    slots = {e["name"]: e["value"] for e in events}
    assert slots["huisnummer"] == 14 and slots["adres"] == "1234 AB 14"
    assert "1234 AB 14" in dispatcher.messages[0]["text"]  # the summary again, corrected


async def test_plain_no_asks_what_to_change(runtime, dispatcher, make_tracker, domain) -> None:
    tracker = make_tracker(
        {**COMPLETE_MELDING, "wacht_op_bevestiging": True}, message=user_message("nee", "deny")
    )
    assert await ActionVerwerkAntwoord().run(dispatcher, tracker, domain) == []
    payloads = [b["payload"] for b in dispatcher.messages[0]["buttons"]]
    assert '/wijzig{"veld": "adres"}' in payloads and '/wijzig{"veld": "antwoorden"}' in payloads


async def test_changing_a_field_clears_it(dispatcher, make_tracker, domain) -> None:
    message = user_message(
        '/wijzig{"veld": "telefoon"}', "wijzig", entities=[{"entity": "veld", "value": "telefoon"}]
    )
    events = await ActionWijzigVeld().run(
        dispatcher, make_tracker(COMPLETE_MELDING, message=message), domain
    )
    assert {e["name"]: e["value"] for e in events} == {
        "wacht_op_bevestiging": False,
        "telefoon": None,
    }


async def test_answer_to_a_question_not_asked(runtime, dispatcher, make_tracker, domain) -> None:
    await ActionVerwerkAntwoord().run(
        dispatcher, make_tracker(message=user_message("ja", "affirm")), domain
    )
    assert texts(dispatcher) == ["utter_geen_vraag"]


async def test_database_down_keeps_the_melding(
    runtime, dispatcher, make_tracker, domain, tmp_path
) -> None:
    from sqlalchemy import create_engine
    from sqlalchemy.orm import sessionmaker

    # a database that cannot be opened: a folder where the file should be
    (tmp_path / "gone.db").mkdir()
    runtime.sessions = sessionmaker(
        create_engine(f"sqlite:///{tmp_path / 'gone.db'}", future=True), future=True
    )
    tracker = make_tracker(
        {**COMPLETE_MELDING, "wacht_op_bevestiging": True}, message=user_message("ja", "affirm")
    )
    events = await ActionVerwerkAntwoord().run(dispatcher, tracker, domain)
    assert events == []  # still waiting for confirmation: "ja" again retries
    assert "niet kwijt" in texts(dispatcher)[0]


async def test_a_wrong_topic_can_be_changed(dispatcher, make_tracker, domain) -> None:
    message = user_message(
        '/wijzig{"veld": "onderwerp"}',
        "wijzig",
        entities=[{"entity": "veld", "value": "onderwerp"}],
    )
    events = await ActionWijzigVeld().run(
        dispatcher, make_tracker(COMPLETE_MELDING, message=message), domain
    )
    # the topic buttons, and the bot waits for the choice (contact details are kept)
    assert texts(dispatcher) == ["utter_vraag_probleem"]
    assert events[-1] == {"event": "followup", "timestamp": None, "name": "action_listen"}
