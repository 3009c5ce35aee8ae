"""The queue in a real browser on a busy night: an acuut gas chat among 30 call-backs.

The console runs as its own process on a SQLite file (tests/console/browser.py). Thirty
call-backs wait; a tenant with a gas smell asks for a person while the agent has the
queue open (the hand-over use case, as the assistant calls it). The chat must appear at
the top of the live lane at once, with the alert: the alarm sound, ACUUT! and the count
in the tab title, the highlighted row and the banner; muted, the sound stays silent
after a reload too. axe-core finds no WCAG A/AA violation with the alert showing.
Headless Debian Chromium with Playwright (skipped without it, unless
MELDKAMER_REQUIRE_BROWSER=1).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy.orm import Session, sessionmaker

from meldkamer.handover.service import request_handover
from meldkamer.handover.summary import HandoverSummary
from meldkamer.service.context import Collaborators
from meldkamer.service.handover import HandoverRequest, hand_over
from tests.console.browser import (
    ARTIFACTS,
    CHROMIUM_ARGS,
    PHONE,
    chromium,
    phone_page,
    sign_in,
    supervised_site,
)
from tests.webchat.test_widget_browser import WCAG_A_AA

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

WAIT_MS = 30_000
#: A console on a desk plays the alarm without a click first (the agent chose so).
ARGS = [*CHROMIUM_ARGS, "--autoplay-policy=no-user-gesture-required"]
PLAYED = "document.getElementById('wachtrij-geluid-bron').played.length"

Site = tuple[str, "sessionmaker[Session]"]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    with supervised_site(tmp_path_factory.mktemp("wachtrij")) as site:
        yield site


def thirty_call_backs(sessions: sessionmaker[Session], now: datetime) -> None:
    """Call-backs promised earlier tonight, urgent ones, the oldest two hours ago."""
    with sessions.begin() as session:
        for i in range(30):
            request_handover(
                session,
                conversation_id=f"terugbel-{i}",
                channel="whatsapp",
                reason="Huurder vraagt om een medewerker",
                summary={
                    "topic": "cv_storing",
                    "outcome": {"urgency": "urgent", "reasons": []},
                    "adres": f"1234 AB {i + 1}",
                    "telefoon": "+31612345678",
                    "opdrachtgever": "de-linde",
                },
                now=now - timedelta(minutes=120 - i),
                client_id="de-linde",
                callback=True,
            )


def gas_chat(sessions: sessionmaker[Session], conversation: str, number: int) -> str:
    """A tenant smells gas and asks for a person: what the bot then tells them."""
    ctx = Collaborators(sessions=sessions, clock=lambda: datetime.now(timezone.utc))
    summary = HandoverSummary(
        topic="gaslek",
        address=f"1234 AB {number}",
        phone="+31687654321",
        description="ik ruik gas in de gang",
        client_id="de-linde",
    )
    result = hand_over(
        ctx, HandoverRequest(conversation, "webchat", "Huurder vraagt om een medewerker", summary)
    )
    assert result.queued and result.agent_available, result
    return result.message


def test_an_acuut_gas_chat_jumps_above_30_call_backs_with_the_alert(site: Site) -> None:
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import expect

    console, sessions = site
    thirty_call_backs(sessions, datetime.now(timezone.utc))
    ARTIFACTS.mkdir(exist_ok=True)
    with chromium(ARGS) as browser:
        page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
        sign_in(page, console)
        live = page.locator("#wachtrij-rijen tr")
        backs = page.locator("#terugbellen-rijen tr")
        expect(backs).to_have_count(30)
        expect(live).to_have_count(1)
        expect(live.first).to_contain_text("Geen open gesprekken in de chat")
        expect(page).to_have_title("(30) Wachtrij · Meldkamer console")
        expect(page.locator("#wachtrij-alarm")).to_be_hidden()
        assert page.evaluate(PLAYED) == 0

        said = gas_chat(sessions, "web-gas-1", 5)
        assert said.startswith("Is er gevaar voor mensen? Bel direct 112.")
        assert "binnen enkele minuten" in said and "088-3746100" in said

        top = live.first
        expect(top).to_contain_text("Gaslucht of gaslek", timeout=WAIT_MS)
        expect(top).to_contain_text("1234 AB 5")
        expect(top).to_contain_text("06 87654321")
        expect(top).to_contain_text("webchat")
        expect(top).to_contain_text("Woonstichting De Linde")
        expect(top).to_have_class("rang-2 acuut-wachtend")
        expect(top.get_by_role("button", name="Neem over")).to_be_visible()
        expect(backs).to_have_count(30)  # the call-backs wait in their own lane
        expect(page).to_have_title("ACUUT! (31) Wachtrij · Meldkamer console")
        alarm = page.locator("#wachtrij-alarm")
        expect(alarm).to_be_visible()
        expect(alarm).to_contain_text("Gaslucht of gaslek 1234 AB 5")
        page.wait_for_function(f"{PLAYED} > 0", timeout=WAIT_MS)  # the sound played
        expect(page.locator("#wachtrij-status")).to_contain_text("1 wachtend in de chat")
        page.screenshot(path=str(ARTIFACTS / "browser-wachtrij-acuut.png"), full_page=True)

        results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_A_AA}})
        (ARTIFACTS / "wachtrij-axe.json").write_text(
            json.dumps(sorted(r["id"] for r in results.response["violations"])) + "\n"
        )
        assert results.violations_count == 0, results.generate_report()

        # Muted: the choice survives a reload, the next acuut chat alerts in silence.
        mute = page.get_by_role("button", name="Alarmgeluid uitzetten")
        mute.click()
        expect(page.locator("#wachtrij-geluid")).to_have_attribute("aria-pressed", "true")
        page.reload()
        expect(page.locator("#wachtrij-geluid")).to_have_attribute("aria-pressed", "true")
        expect(page.locator("#wachtrij-geluid")).to_have_text("Alarmgeluid staat uit")
        gas_chat(sessions, "web-gas-2", 7)
        expect(live).to_have_count(2, timeout=WAIT_MS)
        expect(page).to_have_title("ACUUT! (32) Wachtrij · Meldkamer console")
        expect(live.nth(0)).to_contain_text("1234 AB 5")  # the longest waiting acuut first
        expect(live.nth(1)).to_contain_text("1234 AB 7")
        expect(alarm).to_contain_text("1234 AB 7")
        assert page.evaluate(PLAYED) == 0
        assert page.evaluate("localStorage.getItem('meldkamer.wachtrij.geluid')") == "uit"


def test_on_a_phone_the_acuut_item_is_a_card_within_reach(site: Site) -> None:
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import expect

    console, sessions = site
    with phone_page() as page:
        sign_in(page, console)
        gas_chat(sessions, "web-gas-telefoon", 9)
        card = page.locator("#wachtrij-rijen tr", has_text="1234 AB 9")
        expect(card).to_have_class("rang-2 acuut-wachtend", timeout=WAIT_MS)
        expect(card).to_contain_text("06 87654321")
        take = card.get_by_role("button", name="Neem over")
        box = take.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        assert box["height"] >= 44  # easy to tap
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        page.screenshot(path=str(ARTIFACTS / "browser-wachtrij-telefoon.png"))
        results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_A_AA}})
        assert results.violations_count == 0, results.generate_report()
