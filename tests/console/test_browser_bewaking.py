"""The Bewaking page in a real browser: every clock state, most at risk first, live, taken on.

The console runs as its own process on a SQLite file; the test registers meldingen and
runs the worker's SLA round on that file at moments around the real clock (the console's
clock), so the page shows a clock with room, a tight one and a breached one. Headless
Debian Chromium with Playwright, as in test_browser_handover.py (skipped without it,
unless MELDKAMER_REQUIRE_BROWSER=1).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest

from meldkamer.clients.store import latest
from meldkamer.sla.escalate import Escalation, SupervisorSettings, run_sla
from tests.console.browser import console_site, meldkamer_cli
from tests.console.test_browser_handover import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, _need_browser
from tests.core.test_dispatch import NO_HEAT_MEDICAL, SETTINGS, register

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

PASSWORD = "Bewaking-test-wachtwoord"
WAIT_MS = 30_000


def add_supervisor(env: dict[str, str]) -> None:
    """Sanne, a supervisor, through the command line as an operator does."""
    meldkamer_cli(
        env, "agents", "add", "sanne", "--name", "Sanne", "--role", "supervisor", password=PASSWORD
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, object]]:
    _need_browser()
    with console_site(tmp_path_factory.mktemp("bewaking"), add_supervisor) as site:
        yield site


def sla_round(sessions, at: datetime) -> None:  # noqa: ANN001
    supervisor = SupervisorSettings(email="supervisor@meldkamer.test")
    with sessions.begin() as session:
        run_sla(session, Escalation(latest(session), SETTINGS, supervisor, at))


def test_bewaking_shows_each_state_live_and_a_breach_is_taken_on(site) -> None:  # noqa: ANN001
    from playwright.sync_api import expect, sync_playwright

    console, sessions = site
    now = datetime.now(timezone.utc)
    # Room: acuut just now (15 min to acknowledge). Tight: 13 of its 15 minutes gone.
    roomy, _ = register(sessions, "cv_storing", NO_HEAT_MEDICAL, now, number=3, key="ruim")
    tight, _ = register(
        sessions, "cv_storing", NO_HEAT_MEDICAL, now - timedelta(minutes=13), number=5, key="krap"
    )
    sla_round(sessions, now)
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page()
        try:
            page.goto(f"{console}/login")
            page.get_by_label("Gebruikersnaam").fill("sanne")
            page.get_by_label("Wachtwoord").fill(PASSWORD)
            page.get_by_role("button", name="Inloggen").click()
            page.get_by_role("link", name="Bewaking").click()
            rows = page.locator("#bewaking-rijen tr")
            expect(rows.filter(has_text=roomy).first).to_have_class("risico-ruim")
            expect(rows.filter(has_text=tight).first).to_have_class("risico-krap")
            expect(page.locator("#bewaking-status")).to_contain_text("0 verlopen")

            # A breach happens while the page is open: it appears at the top by itself.
            late, _ = register(
                sessions,
                "cv_storing",
                NO_HEAT_MEDICAL,
                now - timedelta(hours=1),
                number=7,
                key="te-laat",
            )
            sla_round(sessions, now - timedelta(minutes=45))  # next contractor
            sla_round(sessions, datetime.now(timezone.utc))  # chain done: the supervisor
            first = rows.first
            expect(first).to_have_class("risico-verlopen", timeout=WAIT_MS)
            expect(first).to_contain_text(late)
            expect(first).to_contain_text("te laat")
            expect(first).to_contain_text("naar de supervisor van de meldkamer")
            page.screenshot(path=str(ARTIFACTS / "browser-bewaking.png"), full_page=True)

            # Taken on: the escalation stops and the clock leaves the page.
            first.get_by_label("Notitie").fill("zelf Smit gebeld, komt om 04:00")
            first.get_by_role("button", name="Opgepakt").click()
            expect(page.locator("#bewaking-rijen")).not_to_contain_text(
                "naar de supervisor", timeout=WAIT_MS
            )
            page.goto(f"{console}/ticket/{late}")
            expect(page.locator("body")).to_contain_text("SLA verlopen")
        finally:
            browser.close()
