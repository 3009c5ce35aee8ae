"""The supervisor page: the queue's figures and the agents' load, for supervisors only."""

from __future__ import annotations

import re

from meldkamer.handover.models import Handover
from tests.console.conftest import hand_over
from tests.console.test_queue import next_event


def cell(page: str, lane: str, column: str) -> str:
    row = re.search(rf'<tr class="rij-{lane}">(.*?)</tr>', page, re.S)
    assert row is not None, page
    found = re.search(rf'<td class="{column}">(.*?)</td>', row.group(1), re.S)
    assert found is not None, row.group(1)
    return found.group(1).strip()


async def test_agents_get_403_on_the_page_and_its_stream(sanne) -> None:
    page = await sanne.get("/supervisor")
    assert page.status == 403 and "alleen voor supervisors" in await page.text()
    assert (await sanne.get("/api/supervisor/events")).status == 403
    assert 'href="/supervisor"' not in await (await sanne.get("/")).text()


async def test_waiting_per_lane_and_the_norm_as_time_moves(chef, sanne, sessions, clock) -> None:
    live = hand_over(sessions, "web-live", urgency="acuut")
    with sessions.begin() as session:
        session.get(Handover, hand_over(sessions, "web-terug")).callback = True
    clock.advance(minutes=1, seconds=30)
    page = await (await chef.get("/supervisor")).text()
    assert 'href="/supervisor" aria-current="page"' in page
    assert cell(page, "live", "wacht-nu") == "1"
    assert cell(page, "live", "langst") == "1 min"
    assert cell(page, "live", "binnen-norm") == "nog niets te tellen"
    assert cell(page, "terugbellen", "wacht-nu") == "1"
    assert "acuut 2 min, urgent 5 min, niet urgent 5 min" in page

    assert (await sanne.post(f"/overnemen/{live}")).status == 303  # 1.5 min: within 2
    clock.advance(minutes=10)
    await sanne.get("/")  # Sanne is at the console: present
    page = await (await chef.get("/supervisor")).text()
    assert cell(page, "live", "wacht-nu") == "0" and cell(page, "live", "langst") == "-"
    assert cell(page, "live", "binnen-norm") == "100% (1 van 1)"
    # The call-back has waited 11.5 minutes: past its norm of 5, so it counts, not met.
    assert cell(page, "terugbellen", "binnen-norm") == "0% (0 van 1)"
    assert cell(page, "terugbellen", "langst") == "11 min"
    load = re.search(r"Sanne de Vries</th>(.*?)</tr>", page, re.S).group(1)
    assert "<strong>aanwezig</strong>" in load and '<td class="open-nu">1</td>' in load


async def test_the_figures_are_pushed_when_they_change(chef, sessions) -> None:
    response = await chef.get("/api/supervisor/events")
    assert response.status == 200
    first = await next_event(response, "supervisor")
    assert first["waiting"] == 0
    hand_over(sessions, "web-nieuw")
    pushed = await next_event(response, "supervisor")
    assert pushed["waiting"] == 1 and 'class="rij-live"' in pushed["html"]
    response.close()
