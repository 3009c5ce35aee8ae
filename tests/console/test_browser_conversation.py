"""The conversation page in a real browser: take, reply, note and correction in place.

The console runs as its own process on a SQLite file with the demo clients; a fake Rasa
(the console tests' :class:`FakeRasa`, on loopback in its own thread) holds the
transcript, as in test_browser_axe.py. Headless Debian Chromium with Playwright (skipped
without it, unless MELDKAMER_REQUIRE_BROWSER=1). With JavaScript the forms post with
fetch (console/static/inplace.js): the page is not loaded again (a marker on ``window``
survives), the transcript keeps its scroll position unless the agent was at the bottom,
the reply box is emptied and focused, a typed reply is never dropped by Afsluiten, the
live transcript keeps working and a status change is said in words. Without JavaScript
the same forms post and redirect.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any, TypeAlias

import pytest
from sqlalchemy.orm import Session, sessionmaker

from meldkamer.handover.service import request_handover, take
from tests.console.browser import ARTIFACTS, NoReload, chromium, signed_in_page, supervised_site
from tests.console.conftest import FakeRasa, summary
from tests.console.test_browser_axe import _summary, violations

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

WAIT_MS = 15_000
Site: TypeAlias = "tuple[str, sessionmaker[Session], FakeRasa]"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    rasa = FakeRasa()
    with supervised_site(tmp_path_factory.mktemp("gesprek"), rasa) as (console, sessions):
        yield console, sessions, rasa


def handover(sessions: sessionmaker[Session], rasa: FakeRasa, key: str, *, agent: str = "") -> int:
    """A burst pipe at De Linde (Lindehof) handed over after a long chat; taken by ``agent``."""
    conversation = f"web-{key}"
    now = datetime.now(timezone.utc)
    with sessions.begin() as session:
        made = request_handover(
            session,
            conversation_id=conversation,
            channel="webchat",
            reason="Huurder vraagt om een medewerker",
            summary=summary(),
            now=now - timedelta(minutes=2),
            client_id="de-linde",
        )
        if agent:
            take(session, made.id, agent, now)
        handover_id = made.id
    for turn in range(30):  # longer than the transcript box: it scrolls
        rasa.add(conversation, "user", f"Bericht {turn} van de huurder")
        rasa.add(conversation, "bot", f"Antwoord {turn} van de assistent")
    return handover_id


def scroll_of(page: Any) -> dict[str, float]:
    value: dict[str, float] = page.evaluate(
        "(() => { const l = document.getElementById('transcript');"
        " return {top: l.scrollTop, rest: l.scrollHeight - l.scrollTop - l.clientHeight}; })()"
    )
    return value


def test_take_reply_note_and_correction_stay_on_the_page(site: Site) -> None:
    from playwright.sync_api import expect

    console, sessions, rasa = site
    handover_id = handover(sessions, rasa, "ter-plaatse")
    ARTIFACTS.mkdir(exist_ok=True)
    with chromium() as browser:
        viewport = {"width": 1280, "height": 800}
        page = signed_in_page(browser, console, f"/gesprek/{handover_id}", viewport=viewport)
        stays = NoReload(page)
        announced = page.locator("#gesprek-bericht")
        # The client and complex by name, never the client's id.
        expect(page.locator("dl.gegevens")).to_contain_text(
            "Woonstichting De Linde (complex Lindehof)"
        )
        assert "de-linde" not in page.locator("main").inner_text()

        page.get_by_role("button", name="Neem over").click()
        expect(page.get_by_label("Uw bericht aan de huurder")).to_be_visible()
        expect(page.locator("#gesprek-status")).to_contain_text("In behandeling")
        expect(announced).to_have_text("U voert nu dit gesprek.")
        stays.assert_not_reloaded()

        # Reading back in the transcript: a reply does not scroll it away.
        page.evaluate("document.getElementById('transcript').scrollTop = 120")
        box = page.get_by_label("Uw bericht aan de huurder")
        box.fill("Ik kijk met u mee, een moment.")
        page.get_by_role("button", name="Versturen").click()
        transcript = page.locator("#transcript")
        expect(transcript).to_contain_text("Ik kijk met u mee, een moment.")
        expect(announced).to_have_text("Bericht verstuurd.")
        assert abs(scroll_of(page)["top"] - 120) <= 2, "the transcript was scrolled away"
        expect(box).to_have_value("")
        expect(box).to_be_focused()
        stays.assert_not_reloaded()

        # At the bottom, the transcript follows the new message.
        page.evaluate(
            "const l = document.getElementById('transcript'); l.scrollTop = l.scrollHeight"
        )
        box.fill("Draai de hoofdkraan dicht, rechtsom.")
        page.get_by_role("button", name="Versturen").click()
        expect(transcript).to_contain_text("Draai de hoofdkraan dicht, rechtsom.")
        assert scroll_of(page)["rest"] < 40, "the newest message is out of view"

        # The live transcript still comes in after the parts were replaced.
        rasa.add("web-ter-plaatse", "user", "De kraan zit vast, wat nu?")
        expect(transcript).to_contain_text("De kraan zit vast, wat nu?", timeout=WAIT_MS)

        # A half reply stays while a note and a correction are saved.
        box.fill("Ik bel de loodgieter")
        page.get_by_label("Nieuwe notitie").fill("Huurder kan de kraan niet dicht krijgen")
        page.get_by_role("button", name="Notitie opslaan").click()
        expect(page.locator(".notities")).to_contain_text("kraan niet dicht krijgen")
        expect(announced).to_have_text("Notitie opgeslagen.")
        page.locator("#gegevens-naam").fill("Fatima el Amrani-Bakker")
        page.get_by_role("button", name="Gegevens opslaan").click()
        expect(page.locator("dl.gegevens")).to_contain_text("Fatima el Amrani-Bakker")
        expect(box).to_have_value("Ik bel de loodgieter")
        stays.assert_not_reloaded()

        # Afsluiten with a typed reply: refused in place, the text stays, the box focused.
        page.get_by_role("button", name="Afsluiten").click()
        expect(page.locator("#antwoord-fout")).to_contain_text("nog niet verstuurd")
        expect(box).to_have_value("Ik bel de loodgieter")
        expect(box).to_be_focused()
        found = violations(page)
        page.screenshot(path=str(ARTIFACTS / "browser-gesprek-ter-plaatse.png"))
        assert found == [], _summary(found)

        box.fill("")
        with page.expect_navigation():
            page.get_by_role("button", name="Afsluiten").click()
        assert page.url == f"{console}/"


def test_a_status_change_seen_live_is_said_in_words(site: Site) -> None:
    from playwright.sync_api import expect

    console, sessions, rasa = site
    handover_id = handover(sessions, rasa, "live-status")
    with chromium() as browser:
        page = signed_in_page(browser, console, f"/gesprek/{handover_id}")
        stays = NoReload(page)
        expect(page.locator("#transcript")).to_contain_text("Antwoord 29 van de assistent")
        with sessions.begin() as session:  # a colleague takes it from the queue
            take(session, handover_id, "piet", datetime.now(timezone.utc))
        status = page.locator("#gesprek-status")
        expect(page.locator("#gesprek-bericht")).to_have_text(
            "De status is gewijzigd: In behandeling, piet.", timeout=WAIT_MS
        )
        # The buttons of the new status without a reload (the supervisor may reply).
        expect(page.get_by_label("Uw bericht aan de huurder")).to_be_visible(timeout=WAIT_MS)
        expect(status).to_contain_text("In behandeling")
        assert "in_behandeling" not in page.locator("main").inner_text()
        assert stays.marker_kept()


def test_without_javascript_the_forms_post_and_redirect(site: Site) -> None:
    from playwright.sync_api import expect

    console, sessions, rasa = site
    handover_id = handover(sessions, rasa, "zonder-js", agent="sanne")
    with chromium() as browser:
        path = f"/gesprek/{handover_id}"
        page = signed_in_page(browser, console, path, java_script_enabled=False)
        box = page.get_by_label("Uw bericht aan de huurder")
        box.fill("Zonder JavaScript verstuurd")
        with page.expect_navigation():
            page.get_by_role("button", name="Versturen").click()
        assert page.url.endswith(f"/gesprek/{handover_id}#antwoord")
        expect(page.locator("#transcript")).to_contain_text("Zonder JavaScript verstuurd")
        # Afsluiten posts the reply box along: a typed reply comes back with the reason.
        page.get_by_label("Uw bericht aan de huurder").fill("nog niet weg")
        with page.expect_navigation():
            page.get_by_role("button", name="Afsluiten").click()
        expect(page.locator("#antwoord-fout")).to_contain_text("nog niet verstuurd")
        expect(page.get_by_label("Uw bericht aan de huurder")).to_have_value("nog niet weg")
