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
from tests.console.browser import ARTIFACTS, chromium, sign_in, supervised_site
from tests.core.test_dispatch import NO_HEAT_MEDICAL, SETTINGS, register

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

WAIT_MS = 30_000


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, object]]:
    with supervised_site(tmp_path_factory.mktemp("bewaking")) as site:
        yield site


def sla_round(sessions, at: datetime) -> None:  # noqa: ANN001
    supervisor = SupervisorSettings(email="supervisor@meldkamer.test")
    with sessions.begin() as session:
        run_sla(session, Escalation(latest(session), SETTINGS, supervisor, at))


def test_bewaking_shows_each_state_live_and_a_breach_is_taken_on(site) -> None:  # noqa: ANN001
    from playwright.sync_api import expect

    console, sessions = site
    now = datetime.now(timezone.utc)
    # Room: acuut just now (15 min to acknowledge). Tight: 13 of its 15 minutes gone.
    roomy, _ = register(sessions, "cv_storing", NO_HEAT_MEDICAL, now, number=3, key="ruim")
    tight, _ = register(
        sessions, "cv_storing", NO_HEAT_MEDICAL, now - timedelta(minutes=13), number=5, key="krap"
    )
    sla_round(sessions, now)
    ARTIFACTS.mkdir(exist_ok=True)
    with chromium() as browser:
        page = browser.new_page()
        sign_in(page, console)
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
