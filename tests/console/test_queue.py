"""The queue page: order, live updates over SSE, and taking a conversation exactly once."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import timedelta

from meldkamer.handover.models import Handover
from meldkamer.handover.service import hand_back, queue
from tests.console.conftest import NOW, hand_over


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
    assert first["count"] == 0 and "Geen open gesprekken" in first["html"]
    handover_id = hand_over(sessions, "web-nieuw", adres="9876 AB 5")
    pushed = await next_event(response, "wachtrij")
    assert pushed["count"] == 1 and pushed["waiting"] == 1
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
