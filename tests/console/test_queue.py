"""The queue page: two lanes, live updates over SSE, the alert, and taking exactly once."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import timedelta
from pathlib import Path

from meldkamer.handover.models import Handover
from meldkamer.handover.service import hand_back, queue
from scripts.queue_alarm import wav_bytes
from tests.console.conftest import NOW, hand_over

ALARM = Path(__file__).resolve().parents[2] / "console" / "static" / "queue-alarm.wav"


def row_ids(page: str) -> list[int]:
    return [int(i) for i in re.findall(r'<tr data-id="(\d+)"', page)]


async def next_event(response, name: str, timeout: float = 5.0) -> dict:
    """The data of the next server-sent event called ``name``."""

    async def read() -> dict:
        event = None
        while True:
            line = (await response.content.readline()).decode()
            if line.startswith("event: "):
                event = line[7:].strip()
            elif line.startswith("data: ") and event == name:
                return json.loads(line[6:])

    return await asyncio.wait_for(read(), timeout)


async def test_most_urgent_first_then_longest_waiting(sanne, sessions, clock) -> None:
    urgent_old = hand_over(
        sessions, "c1", at=NOW - timedelta(minutes=30), outcome={"urgency": "urgent", "reasons": []}
    )
    unknown = hand_over(sessions, "c2", at=NOW - timedelta(minutes=40), outcome={})
    acute_new = hand_over(sessions, "c3", at=NOW - timedelta(minutes=2))
    acute_old = hand_over(sessions, "c4", at=NOW - timedelta(minutes=12))
    urgent_new = hand_over(
        sessions, "c5", at=NOW - timedelta(minutes=5), outcome={"urgency": "urgent", "reasons": []}
    )
    page = await (await sanne.get("/")).text()
    expected = [acute_old, acute_new, urgent_old, urgent_new, unknown]
    assert row_ids(page) == expected
    with sessions() as session:
        assert [h.id for h in queue(session)] == expected  # the same order as the service
    # waiting time in minutes, topic by name, reason, and who took it
    assert "12 min" in page and "40 min" in page
    assert "Lekkage van een waterleiding" in page
    assert page.count("Huurder vraagt om een medewerker") == 5


async def test_callback_flag_and_taker_are_shown(sanne, piet, sessions) -> None:
    with sessions.begin() as session:
        handover = session.get(Handover, hand_over(sessions, "c1"))
        handover.callback = True
    second = hand_over(sessions, "c2")
    assert (await piet.post(f"/overnemen/{second}")).status == 303
    page = await (await sanne.get("/")).text()
    assert "Terugbellen" in page
    assert "Piet Jansen" in page and "Meelezen" in page


async def test_a_new_handover_appears_without_a_reload(sanne, sessions) -> None:
    response = await sanne.get("/api/queue/events")
    assert response.status == 200
    first = await next_event(response, "wachtrij")
    assert first["count"] == 0 and first["acute"] == []
    assert (
        "Geen open gesprekken in de chat" in first["html"]
        and "Geen terugbelverzoeken" in first["html"]
    )
    handover_id = hand_over(sessions, "web-nieuw", adres="9876 AB 5")
    pushed = await next_event(response, "wachtrij")
    assert pushed["count"] == 1 and pushed["waiting"] == 1 and pushed["live_waiting"] == 1
    assert pushed["acute"] == [handover_id]  # the summary's burst pipe is acuut: the alert
    assert f'data-id="{handover_id}"' in pushed["html"] and "9876 AB 5" in pushed["html"]
    assert sanne.csrf in pushed["html"]  # the "Neem over" button works in the fragment
    response.close()


async def test_two_agents_take_at_once_one_wins(sanne, piet, sessions) -> None:
    for conversation in ("c1", "c2", "c3"):
        handover_id = hand_over(sessions, conversation)
        answers = await asyncio.gather(
            sanne.post(f"/overnemen/{handover_id}"), piet.post(f"/overnemen/{handover_id}")
        )
        assert sorted(a.status for a in answers) == [303, 409]
        winner, loser = sorted(answers, key=lambda a: a.status)
        with sessions() as session:
            taken = session.get(Handover, handover_id)
        names = {"sanne": "Sanne de Vries", "piet": "Piet Jansen"}
        assert taken.status == "in_behandeling" and taken.agent in names
        assert winner.headers["Location"] == f"/gesprek/{handover_id}"
        assert f"al overgenomen door {names[taken.agent]}" in await loser.text()


async def test_taking_again_opens_ones_own_conversation(sanne, sessions) -> None:
    handover_id = hand_over(sessions)
    assert (await sanne.post(f"/overnemen/{handover_id}")).status == 303
    again = await sanne.post(f"/overnemen/{handover_id}")
    assert again.status == 303 and again.headers["Location"] == f"/gesprek/{handover_id}"


async def test_a_conversation_no_longer_waiting_cannot_be_taken(sanne, sessions) -> None:
    handover_id = hand_over(sessions)
    with sessions.begin() as session:
        hand_back(session, handover_id, NOW)
    response = await sanne.post(f"/overnemen/{handover_id}")
    assert response.status == 409 and "niet meer in de wachtrij" in await response.text()
    assert (await sanne.post("/overnemen/999")).status == 404


def lane(page: str, name: str) -> str:
    """The HTML of one lane (``baan-live`` or ``baan-terugbellen``)."""
    start = page.index(f'<table class="wachtrij" id="{name}">')
    return page[start : page.index("</table>", start)]


def call_back(sessions, conversation: str, minutes_ago: int, **overrides) -> int:
    handover_id = hand_over(
        sessions,
        conversation,
        at=NOW - timedelta(minutes=minutes_ago),
        outcome={"urgency": "urgent", "reasons": []},
        **overrides,
    )
    with sessions.begin() as session:
        session.get(Handover, handover_id).callback = True
    return handover_id


async def test_an_acuut_chat_is_on_top_of_the_live_lane_above_30_call_backs(
    sanne, sessions
) -> None:
    backs = [call_back(sessions, f"terug-{i}", 60 + i) for i in range(30)]
    stale = hand_over(sessions, "oud", at=NOW - timedelta(minutes=90), outcome={})
    response = await sanne.get("/api/queue/events")
    before = await next_event(response, "wachtrij")
    assert before["acute"] == [] and before["callbacks_waiting"] == 30
    gas = hand_over(
        sessions,
        "web-gas",
        topic="gaslek",
        facts={},
        outcome={"urgency": "acuut", "reasons": ["[acuut] Gaslek"]},
        adres="1234 AB 5",
    )
    pushed = await next_event(response, "wachtrij")
    response.close()
    assert pushed["acute"] == [gas] and pushed["waiting"] == 32 and pushed["live_waiting"] == 2
    assert row_ids(lane(pushed["html"], "baan-live")) == [gas, stale]
    assert row_ids(lane(pushed["html"], "baan-terugbellen")) == list(reversed(backs))
    page = await (await sanne.get("/")).text()
    assert "<title>ACUUT! (32) Wachtrij" in page
    assert f'data-acuut="{gas}"' in page
    assert f'<tr data-id="{gas}" class="rang-2 acuut-wachtend">' in page
    assert 'id="wachtrij-alarm"' in page and 'src="/static/queue-alarm.wav"' in page


async def test_items_show_phone_channel_and_client_in_words(sanne, sessions) -> None:
    handover_id = hand_over(sessions, "wa-1")
    with sessions.begin() as session:
        row = session.get(Handover, handover_id)
        row.channel, row.client_id = "whatsapp", "de-linde"
    call_back(sessions, "zonder", 5, telefoon=None, opdrachtgever=None)
    page = await (await sanne.get("/")).text()
    live = lane(page, "baan-live")
    assert "06 12345678" in live and 'href="tel:+31612345678"' in live
    assert "WhatsApp" in live and "Woonstichting De Linde" in live
    assert "de-linde" not in live
    backs = lane(page, "baan-terugbellen")
    assert "geen nummer" in backs and "nog onbekend" in backs and "Terugbellen" in backs


async def test_a_taken_acuut_item_no_longer_alerts(sanne, sessions) -> None:
    handover_id = hand_over(sessions, "web-acuut")
    assert (await sanne.post(f"/overnemen/{handover_id}")).status == 303
    page = await (await sanne.get("/")).text()
    assert "acuut-wachtend" not in page and 'data-acuut=""' in page
    assert "<title>(0) Wachtrij" in page and "Open gesprek" in page


async def test_the_alarm_is_the_synthesised_sound(sanne) -> None:
    assert ALARM.read_bytes() == wav_bytes()  # scripts/queue_alarm.py made this file
    response = await sanne.get("/static/queue-alarm.wav")
    assert response.status == 200 and "wav" in response.headers["Content-Type"]
    assert await response.read() == ALARM.read_bytes()
