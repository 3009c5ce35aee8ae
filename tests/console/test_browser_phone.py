"""Phone mode in a real browser: a gas call gets the instructions on screen before any question.

The console runs as its own process on a SQLite file with the demo clients; headless
Debian Chromium with Playwright, as in test_browser_handover.py (skipped without it,
unless MELDKAMER_REQUIRE_BROWSER=1). The agent works by keyboard only: the shortcut
``1`` picks the first topic, which must be gas.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from meldkamer.intake.safety import safety_lines
from tests.console.browser import ARTIFACTS, chromium, sign_in, supervised_site

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, object]]:
    with supervised_site(tmp_path_factory.mktemp("telefoon")) as site:
        yield site


def test_phone_mode_shows_the_gas_instructions_before_any_question(site) -> None:  # noqa: ANN001
    from playwright.sync_api import expect

    console, _ = site
    ARTIFACTS.mkdir(exist_ok=True)
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        sign_in(page, console)
        page.get_by_role("link", name="Nieuwe melding").click()

        # The caller's number first: the field has the focus, Enter looks it up.
        expect(page.get_by_label("Telefoonnummer van de beller")).to_be_focused()
        page.keyboard.type("0612345678")
        page.keyboard.press("Enter")
        expect(page.locator(".beller")).to_contain_text("Geen meldingen met dit nummer")

        # Out of the field, the shortcut 1 is the most dangerous topic: gas.
        first = page.locator("[data-onderwerp]").first
        expect(first).to_have_attribute("data-onderwerp", "gaslek")
        page.locator("h1").click()
        page.keyboard.press("1")

        safety = page.locator("#veiligheid")
        expect(safety).to_be_visible()
        for line in safety_lines("gas"):
            expect(safety).to_contain_text(line)
        address = page.get_by_label("Postcode en huisnummer")
        expect(address).to_be_visible()
        safety_box, address_box = safety.bounding_box(), address.bounding_box()
        assert safety_box and address_box
        assert safety_box["y"] + safety_box["height"] <= address_box["y"]
        question = page.locator("#stap").bounding_box()  # the step's heading
        assert question and question["y"] > safety_box["y"] + safety_box["height"]
        page.screenshot(path=str(ARTIFACTS / "browser-telefoon-gas.png"), full_page=True)

        # v goes back to the instructions; switched off, the keys do nothing.
        page.locator("h1").click()
        page.keyboard.press("v")
        expect(safety).to_be_focused()
        page.get_by_label("Sneltoetsen gebruiken").uncheck()
        page.locator("h1").click()
        page.keyboard.press("v")
        expect(safety).not_to_be_focused()
