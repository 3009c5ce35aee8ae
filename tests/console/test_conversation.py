"""A taken-over conversation: summary, live transcript, reply, hand back, notes and edits."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from console.app import ConsoleSettings, init_app
from meldkamer.attachments.models import Attachment
from meldkamer.handover.models import Handover, Note
from meldkamer.handover.texts import handover_texts
from meldkamer.tickets import get_ticket
from meldkamer.tickets.models import TicketEdit
from tests.console.conftest import NOW, Agent, hand_over, login
from tests.console.test_queue import next_event
from tests.core.test_dispatch import NIGHT, NO_HEAT_MEDICAL, register

CONVERSATION = "web-" + "a" * 32
RESUME = [{"event": "resume"}, {"event": "action", "name": "action_listen"}]


ANNOUNCED = "U praat nu met Sanne de Vries, medewerker van de meldkamer."


@pytest.fixture
async def taken(sanne, sessions, fake_rasa) -> int:
    """A handover Sanne has taken (the tenant was told her name; the records start empty)."""
    handover_id = hand_over(sessions, CONVERSATION)
    assert (await sanne.post(f"/overnemen/{handover_id}")).status == 303
    assert [events for _, events, _ in fake_rasa.posted] == [
        [
            {
                "event": "bot",
                "text": ANNOUNCED,
                "metadata": {"from": "agent", "agent": "Sanne de Vries"},
            }
        ]
    ]
    fake_rasa.posted.clear()
    fake_rasa.events.pop(CONVERSATION, None)
    return handover_id


async def test_taking_over_tells_the_tenant_who_answers(sanne, sessions, fake_rasa) -> None:
    handover_id = hand_over(sessions, CONVERSATION)
    assert (await sanne.post(f"/overnemen/{handover_id}")).status == 303
    ((conversation, events, query),) = fake_rasa.posted
    assert conversation == CONVERSATION and events[0]["text"] == ANNOUNCED
    # through the tenant's own channel, as the agent's message (the widget shows the name)
    assert query["output_channel"] == "latest" and events[0]["metadata"]["from"] == "agent"


async def test_an_english_tenant_is_told_and_said_goodbye_in_english(
    sanne, sessions, fake_rasa
) -> None:
    handover_id = hand_over(sessions, CONVERSATION, taal="en")
    assert (await sanne.post(f"/overnemen/{handover_id}")).status == 303
    ((_, events, _),) = fake_rasa.posted
    assert events[0]["text"] == (
        "You are now talking to Sanne de Vries, a colleague of the emergency service."
    )
    fake_rasa.posted.clear()
    assert (await sanne.post(f"/gesprek/{handover_id}/afsluiten")).status == 303
    goodbye, _ = fake_rasa.posted
    assert goodbye[1][0]["text"] == handover_texts("en").closed
    assert goodbye[1][0]["text"].startswith("The conversation with our colleague has ended.")


async def test_taking_over_works_while_rasa_is_down(sanne, sessions, fake_rasa) -> None:
    fake_rasa.down = True
    handover_id = hand_over(sessions, CONVERSATION)
    response = await sanne.post(f"/overnemen/{handover_id}")
    assert response.status == 303 and response.headers["Location"] == f"/gesprek/{handover_id}"
    with sessions() as session:
        assert session.get(Handover, handover_id).agent == "sanne"


async def test_the_summary_shows_what_the_bot_knew(sanne, sessions, taken) -> None:
    with sessions.begin() as session:
        session.add(
            Attachment(
                conversation_id=CONVERSATION,
                path="2026/12/a.jpg",
                content_type="image/jpeg",
                size=2048,
                sha256="x",
                created_at=NOW,
            )
        )
    text = await (await sanne.get(f"/gesprek/{taken}")).text()
    for part in (
        "Lekkage van een waterleiding",  # topic by name
        "Is de leiding gesprongen, spuit er water uit?",  # the question ...
        "Ja, gesprongen of spuitend",  # ... and the tenant's answer as on the button
        "Kunt u het water afsluiten",  # asked but not known:
        "Weet ik niet",
        "Acuut",
        "Acuut: Gesprongen leiding, niet afsluitbaar",  # the reasons, in words
        "1234 AB 12",
        "Fatima el Amrani",
        "06 12345678",  # the phone in Dutch notation
        "water spuit uit de leiding",
        'href="/bijlagen/1"',  # the photo, served with a path check
        "Huurder vraagt om een medewerker",
    ):
        assert part in text, part


async def test_a_tenants_script_is_shown_as_text(sanne, fake_rasa, taken) -> None:
    fake_rasa.add(CONVERSATION, "user", '<script>alert("x")</script><b>vet</b> & "quote"')
    fake_rasa.add(CONVERSATION, "bot", "Ik verbind u met een medewerker.")
    text = await (await sanne.get(f"/gesprek/{taken}")).text()
    assert "<script>alert" not in text and "<b>vet</b>" not in text
    assert (
        "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;b&gt;vet&lt;/b&gt; &amp; &#34;quote&#34;"
        in text
    )
    assert "Ik verbind u met een medewerker." in text
    # ... and the same through the live stream
    stream = await sanne.get(f"/api/gesprek/{taken}/events")
    first = await next_event(stream, "gesprek")
    assert "<script>alert" not in first["html"] and "&lt;script&gt;" in first["html"]
    stream.close()


async def test_the_transcript_updates_live(sanne, fake_rasa, taken) -> None:
    stream = await sanne.get(f"/api/gesprek/{taken}/events")
    first = await next_event(stream, "gesprek")
    assert "Nog geen berichten" in first["html"] and first["status"] == "in_behandeling"
    fake_rasa.add(CONVERSATION, "user", "Hallo, is daar iemand?")
    pushed = await next_event(stream, "gesprek")
    assert "Hallo, is daar iemand?" in pushed["html"]
    stream.close()


async def test_transcript_shows_who_said_what(sanne, fake_rasa, taken) -> None:
    fake_rasa.add(CONVERSATION, "user", '/inform{"leiding_gesprongen": true}')
    fake_rasa.add(
        CONVERSATION,
        "bot",
        "Kunt u het water afsluiten?",
        data={"buttons": [{"title": "Ja", "payload": "/affirm"}]},
    )
    fake_rasa.add(CONVERSATION, "bot", "Goedenavond", metadata={"from": "agent", "agent": "Piet"})
    fake_rasa.events[CONVERSATION].append({"event": "pause", "timestamp": NOW.timestamp()})
    text = await (await sanne.get(f"/gesprek/{taken}")).text()
    assert "[knop] Ja, gesprongen of spuitend" in text
    assert "Knoppen: Ja" in text
    assert "Medewerker Piet" in text
    assert "een medewerker neemt over" in text


async def test_reply_posts_the_agents_bot_event_to_rasa(sanne, fake_rasa, taken) -> None:
    response = await sanne.post(f"/gesprek/{taken}/antwoord", {"tekst": "Goedenavond, ik help u."})
    assert response.status == 303
    assert fake_rasa.posted == [
        (
            CONVERSATION,
            [
                {
                    "event": "bot",
                    "text": "Goedenavond, ik help u.",
                    "metadata": {"from": "agent", "agent": "Sanne de Vries"},
                }
            ],
            {"output_channel": "latest", "execute_side_effects": "true"},
        )
    ]
    # the tracker keeps it: the page shows it as the agent's
    assert "Medewerker Sanne de Vries" in await (await sanne.get(f"/gesprek/{taken}")).text()


async def test_canned_replies_are_filled_in(sanne, fake_rasa, taken) -> None:
    page = await (await sanne.get(f"/gesprek/{taken}")).text()
    assert 'value="begroeting"' in page and "De monteur is onderweg" in page
    response = await sanne.post(f"/gesprek/{taken}/antwoord", {"sjabloon": "begroeting"})
    assert response.status == 303
    (_, [event], _) = fake_rasa.posted[0]
    assert "u spreekt met Sanne de Vries van de meldkamer" in event["text"]
    assert (
        await sanne.post(f"/gesprek/{taken}/antwoord", {"sjabloon": "bestaat-niet"})
    ).status == 400


@pytest.mark.parametrize(("text", "status"), [("", 400), ("   ", 400), ("x" * 2001, 400)])
async def test_empty_or_too_long_replies_are_refused(sanne, fake_rasa, taken, text, status) -> None:
    response = await sanne.post(f"/gesprek/{taken}/antwoord", {"tekst": text})
    assert response.status == status
    assert fake_rasa.posted == []


async def test_only_the_agent_who_took_it_replies(piet, fake_rasa, taken, chef) -> None:
    response = await piet.post(f"/gesprek/{taken}/antwoord", {"tekst": "Hallo"})
    assert response.status == 403 and fake_rasa.posted == []
    for action in ("terug", "afsluiten"):
        assert (await piet.post(f"/gesprek/{taken}/{action}")).status == 403
    # a supervisor may step in
    assert (await chef.post(f"/gesprek/{taken}/antwoord", {"tekst": "Hallo"})).status == 303


async def test_a_waiting_conversation_must_be_taken_first(sanne, fake_rasa, sessions) -> None:
    handover_id = hand_over(sessions, "c-wacht")
    page = await (await sanne.get(f"/gesprek/{handover_id}")).text()
    assert "Neem over" in page and 'id="antwoord"' not in page
    assert (await sanne.post(f"/gesprek/{handover_id}/antwoord", {"tekst": "Hoi"})).status == 403


async def test_hand_back_resumes_and_triggers_hervat(sanne, fake_rasa, sessions, taken) -> None:
    response = await sanne.post(f"/gesprek/{taken}/terug")
    assert response.status == 303 and response.headers["Location"] == "/"
    # resume, and the action_listen the pause cut off (else Rasa's rules miss "hervat")
    assert fake_rasa.posted == [(CONVERSATION, RESUME, {})]
    assert fake_rasa.intents == [(CONVERSATION, {"name": "hervat"}, {"output_channel": "latest"})]
    assert fake_rasa.calls[-2:] == ["events", "trigger_intent"]  # resume first
    with sessions() as session:
        assert session.get(Handover, taken).status == "terug_naar_bot"


async def test_close_says_goodbye_and_starts_a_new_session(
    sanne, fake_rasa, sessions, taken
) -> None:
    response = await sanne.post(f"/gesprek/{taken}/afsluiten")
    assert response.status == 303
    goodbye, new_session = fake_rasa.posted
    assert goodbye[1][0]["text"] == handover_texts().closed  # the text of teksten.yml
    assert goodbye[1][0]["metadata"] == {"from": "agent", "agent": "Sanne de Vries"}
    # resumed, and a new session: the next message gets the introduction and empty slots
    assert new_session == (CONVERSATION, [*RESUME, {"event": "session_started"}], {})
    assert fake_rasa.intents == []  # the bot says nothing now
    with sessions() as session:
        assert session.get(Handover, taken).status == "gesloten"
    page = await (await sanne.get(f"/gesprek/{taken}")).text()
    assert "afgesloten" in page and 'id="antwoord"' not in page


async def test_rasa_down_is_explained_and_nothing_changes(
    sanne, fake_rasa, sessions, taken
) -> None:
    fake_rasa.down = True
    page = await sanne.get(f"/gesprek/{taken}")
    assert page.status == 200 and "kon niet worden geladen" in await page.text()
    reply = await sanne.post(f"/gesprek/{taken}/antwoord", {"tekst": "Hallo"})
    assert reply.status == 502 and "Niet verstuurd" in await reply.text()
    assert "Hallo</textarea>" in await reply.text()  # the agent's text is kept
    back = await sanne.post(f"/gesprek/{taken}/terug")
    assert back.status == 502
    with sessions() as session:
        assert session.get(Handover, taken).status == "in_behandeling"


async def sanne_on_a_console(aiohttp_client, sessions, clock, **settings: str) -> Agent:
    """Sanne signed in to a console of its own, with these :class:`ConsoleSettings`."""
    app = init_app(
        ConsoleSettings(database_url="unused", **settings), sessions=sessions, clock=clock
    )
    client = await aiohttp_client(app)
    return Agent(client, await login(client, "sanne"))


async def test_rasa_unreachable(aiohttp_client, sessions, clock) -> None:
    agent = await sanne_on_a_console(aiohttp_client, sessions, clock, rasa_url="http://127.0.0.1:9")
    handover_id = hand_over(sessions)
    await agent.post(f"/overnemen/{handover_id}")
    reply = await agent.post(f"/gesprek/{handover_id}/antwoord", {"tekst": "Hallo"})
    assert reply.status == 502 and "niet bereikbaar" in await reply.text()


async def test_the_rasa_token_is_sent(aiohttp_client, sessions, clock, fake_rasa) -> None:
    fake_rasa.token = "geheim-token"
    agent = await sanne_on_a_console(
        aiohttp_client, sessions, clock, rasa_url=fake_rasa.url, rasa_token="geheim-token"
    )
    handover_id = hand_over(sessions)
    await agent.post(f"/overnemen/{handover_id}")
    assert (await agent.post(f"/gesprek/{handover_id}/antwoord", {"tekst": "Hallo"})).status == 303
    assert (await agent.post(f"/gesprek/{handover_id}/terug")).status == 303
    assert fake_rasa.posted[0][2]["token"] == "geheim-token"
    assert fake_rasa.intents[0][2] == {"output_channel": "latest", "token": "geheim-token"}


async def test_notes_are_internal_and_listed(sanne, piet, fake_rasa, sessions, taken) -> None:
    response = await piet.post(
        f"/gesprek/{taken}/notitie", {"notitie": "Huurder is slechthorend, bel niet."}
    )
    assert response.status == 303
    page = await (await sanne.get(f"/gesprek/{taken}")).text()
    assert "Huurder is slechthorend, bel niet." in page and "Piet Jansen" in page
    assert fake_rasa.posted == []  # never to the tenant
    empty = await sanne.post(f"/gesprek/{taken}/notitie", {"notitie": "  "})
    assert empty.status == 400 and "niet leeg" in await empty.text()
    with sessions() as session:
        assert len(session.execute(select(Note)).all()) == 1


@pytest.fixture
async def with_ticket(sanne, sessions) -> tuple[int, str]:
    """A registered acuut ticket and a handover of its conversation, taken by Sanne."""
    number, _ = register(sessions, "cv_storing", NO_HEAT_MEDICAL, NIGHT)
    with sessions() as session:
        ticket_id = get_ticket(session, number).id
    handover_id = hand_over(sessions, "huurder-1", ticket=number)
    with sessions.begin() as session:
        session.get(Handover, handover_id).ticket_id = ticket_id
    await sanne.post(f"/overnemen/{handover_id}")
    return handover_id, number


async def test_urgency_change_without_reason_is_refused(sanne, sessions, with_ticket) -> None:
    handover_id, number = with_ticket
    response = await sanne.post(
        f"/ticket/{number}/wijzigen",
        {"veld": "urgency", "waarde": "urgent", "reden": " ", "terug": f"gesprek:{handover_id}"},
    )
    assert response.status == 400
    assert "vraagt om een reden" in await response.text()
    with sessions() as session:
        assert get_ticket(session, number).urgency == "acuut"
        assert session.execute(select(TicketEdit)).first() is None


async def test_urgency_change_with_reason_is_in_the_history(sanne, sessions, with_ticket) -> None:
    handover_id, number = with_ticket
    response = await sanne.post(
        f"/ticket/{number}/wijzigen",
        {
            "veld": "urgency",
            "waarde": "urgent",
            "reden": "Buurvrouw vangt de baby op",
            "terug": f"gesprek:{handover_id}",
        },
    )
    assert (
        response.status == 303 and response.headers["Location"] == f"/gesprek/{handover_id}#ticket"
    )
    for path in (f"/gesprek/{handover_id}", f"/ticket/{number}"):
        page = await (await sanne.get(path)).text()
        assert "Buurvrouw vangt de baby op" in page and "Sanne de Vries" in page
    with sessions() as session:
        ticket = get_ticket(session, number)
        assert ticket.urgency == "urgent"
        (edit,) = session.execute(select(TicketEdit)).scalars()
        assert (edit.field, edit.old, edit.new, edit.by) == ("urgency", "acuut", "urgent", "sanne")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("telefoon", "06-12ab", "alleen uit cijfers"),  # the bot's own validation
        ("email", "geen-adres@", "klopt niet"),
        ("status", "nieuw", "niet toegestaan"),  # a ticket never goes back to nieuw
        ("melding_id", "x", "kan niet worden gewijzigd"),
    ],
)
async def test_invalid_edits_are_refused_with_the_reason(
    sanne, sessions, with_ticket, field, value, message
) -> None:
    _, number = with_ticket
    response = await sanne.post(f"/ticket/{number}/wijzigen", {"veld": field, "waarde": value})
    assert response.status == 400 and message in await response.text()


async def test_ticket_page_shows_dossier_edits_and_notes(sanne, sessions, with_ticket) -> None:
    _, number = with_ticket
    await sanne.post(f"/ticket/{number}/wijzigen", {"veld": "telefoon", "waarde": "06 98765432"})
    await sanne.post(f"/ticket/{number}/notitie", {"notitie": "Monteur belde: 20 min."})
    page = await (await sanne.get(f"/ticket/{number}")).text()
    for part in (
        number,
        "Warmtetechniek Van Dijk",  # the work order from dispatch
        "06 98765432",
        "+31612345678",  # the old value in the history
        "Monteur belde: 20 min.",
        "Is er iemand in huis die om medische redenen",
    ):
        assert part in page, part
    assert (await sanne.get("/ticket/MK-2026-999999")).status == 404


async def test_concurrent_page_loads_do_not_interfere(sanne, piet, taken) -> None:
    pages = await asyncio.gather(*(agent.get(f"/gesprek/{taken}") for agent in (sanne, piet) * 3))
    assert {p.status for p in pages} == {200}


async def test_the_agent_corrects_what_the_bot_collected_before_handing_back(
    sanne, fake_rasa, sessions, taken
) -> None:
    page = await (await sanne.get(f"/gesprek/{taken}")).text()
    assert "Gegevens aanvullen of verbeteren" in page and 'name="feit:leiding_afsluitbaar"' in page
    response = await sanne.post(
        f"/gesprek/{taken}/gegevens",
        {
            "adres": "1234 ab 14",
            "telefoon": "06 87654321",
            "naam": "Fatima el Amrani",  # unchanged: not sent to the bot again
            "feit:leiding_afsluitbaar": "false",
        },
    )
    assert response.status == 303 and response.headers["Location"].endswith("#gegevens")
    ((conversation, events, _),) = fake_rasa.posted
    slots = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert conversation == CONVERSATION
    assert slots["adres"] == "1234 AB 14" and slots["huisnummer"] == 14
    assert slots["opdrachtgever"] == "de-linde" and slots["telefoon"] == "+31687654321"
    assert slots["feiten"]["leiding_afsluitbaar"] is False and "naam" not in slots
    assert "leiding_afsluitbaar" not in slots["onbekende_feiten"]
    with sessions() as session:
        handover = session.get(Handover, taken)
        (note,) = session.execute(select(Note)).scalars()
    assert handover.summary["adres"] == "1234 AB 14"
    assert handover.summary["telefoon"] == "+31687654321"
    assert "adres, telefoon, antwoorden" in note.text and note.author == "sanne"


async def test_a_wrong_correction_is_explained_and_nothing_changes(
    sanne, fake_rasa, sessions, taken
) -> None:
    response = await sanne.post(f"/gesprek/{taken}/gegevens", {"adres": "ergens", "telefoon": "12"})
    assert response.status == 400
    text = await response.text()
    assert 'aria-invalid="true"' in text and "ergens" in text  # kept for a second try
    assert fake_rasa.posted == []
    with sessions() as session:
        assert session.get(Handover, taken).summary["adres"] == "1234 AB 12"
    nothing = await sanne.post(f"/gesprek/{taken}/gegevens", {"adres": "1234 AB 12"})
    assert nothing.status == 400 and "niets veranderd" in await nothing.text()


async def test_only_the_agent_who_took_it_corrects(piet, fake_rasa, taken) -> None:
    response = await piet.post(f"/gesprek/{taken}/gegevens", {"telefoon": "06 87654321"})
    assert response.status == 403 and fake_rasa.posted == []


def test_a_new_session_after_closing_is_marked_in_the_transcript() -> None:
    from console.transcript import NEW_SESSION, lines
    from meldkamer.triage import default_engine

    table = default_engine().table
    events = [
        {"event": "session_started"},  # every conversation's start: not marked
        {"event": "user", "text": "ik ben buitengesloten"},
        {"event": "session_started"},  # after Afsluiten
        {"event": "user", "text": "hallo? is daar iemand?"},
    ]
    said = [line.text for line in lines(events, table)]
    assert said == ["ik ben buitengesloten", NEW_SESSION, "hallo? is daar iemand?"]
