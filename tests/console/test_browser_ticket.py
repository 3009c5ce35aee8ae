"""The ticket page in a real browser: notes and edits update in place, and without JavaScript too.

The console runs as its own process on a SQLite file with the demo clients; headless
Debian Chromium with Playwright, as in test_browser_handover.py (skipped without it,
unless MELDKAMER_REQUIRE_BROWSER=1). With JavaScript, a form posts with fetch and only
the parts of the page that changed are replaced: the page is not loaded again (a marker
set on ``window`` survives), the form stays where it was on the screen, the focus stays
on its button, text typed in another form stays, and the result is announced in the
live region. Without JavaScript the same forms post and redirect as before.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from meldkamer.service.confirm import confirm_melding
from meldkamer.service.context import Collaborators
from tests.console.browser import ARTIFACTS, NoReload, chromium, signed_in_page, supervised_site
from tests.console.test_browser_axe import _summary, violations
from tests.service.conftest import burst_pipe

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any]]:
    with supervised_site(tmp_path_factory.mktemp("ticket")) as site:
        yield site


def ticket(sessions: Any, key: str) -> str:
    """A registered burst pipe at De Linde, as the bot registers it."""
    number = confirm_melding(Collaborators(sessions=sessions), burst_pipe(key)).ticket_number
    assert number is not None
    return number


def top_of(locator: Any) -> float:
    box = locator.bounding_box()
    assert box is not None
    return float(box["y"])  # relative to the viewport


def test_a_note_and_an_edit_update_the_page_in_place(site: tuple[str, Any]) -> None:
    from playwright.sync_api import expect

    console, sessions = site
    number = ticket(sessions, "browser-ter-plaatse")
    ARTIFACTS.mkdir(exist_ok=True)
    with chromium() as browser:
        viewport = {"width": 1280, "height": 700}
        page = signed_in_page(browser, console, f"/ticket/{number}", viewport=viewport)
        stays = NoReload(page)
        announced = page.locator("#ticket-bericht")

        # A note, far down the page: it appears, and nothing else moves.
        box = page.get_by_label("Nieuwe notitie")
        box.scroll_into_view_if_needed()
        save = page.get_by_role("button", name="Notitie opslaan")
        scrolled, before = page.evaluate("window.scrollY"), top_of(save)
        assert scrolled > 0
        box.fill("Huurder belt terug na 08:00")
        save.click()
        expect(page.locator(".notities")).to_contain_text("Huurder belt terug na 08:00")
        expect(announced).to_have_text("Notitie opgeslagen.")
        stays.assert_not_reloaded()
        assert abs(top_of(save) - before) <= 2, "the form moved on the screen"
        assert page.evaluate("window.scrollY") >= scrolled  # the new note grew above it
        assert page.evaluate("document.activeElement.textContent") == "Notitie opslaan"
        expect(box).to_have_value("")

        # Half a note, then a field changed: the edit shows, the half note stays.
        box.fill("nog niet klaar")
        page.locator("#gegeven-veld").select_option("telefoon")
        page.locator("#gegeven-waarde").fill("06 87654321")
        page.locator("#gegeven-reden").fill("nummer verbeterd door de huurder")
        change = page.get_by_role("button", name="Gegeven wijzigen")
        change.scroll_into_view_if_needed()
        before = top_of(change)
        change.click()
        expect(announced).to_have_text("Gegevens van de huurder gewijzigd.")
        history = page.locator("#geschiedenis + table")
        expect(history).to_contain_text("nummer verbeterd door de huurder")
        expect(page.locator("dl.gegevens")).to_contain_text("87654321")
        assert abs(top_of(change) - before) <= 2, "the form moved on the screen"
        expect(page.locator("#gegeven-reden")).to_have_value("")
        expect(box).to_have_value("nog niet klaar")
        stays.assert_not_reloaded()

        # A refused note: the error in place, the focus on the field, announced.
        box.fill("   ")
        save.click()
        expect(page.locator("#notitie-fout")).to_be_visible()
        expect(announced).to_contain_text("Niet opgeslagen: ")
        expect(box).to_be_focused()
        stays.assert_not_reloaded()
        found = violations(page)
        page.screenshot(path=str(ARTIFACTS / "browser-ticket-ter-plaatse.png"))
        assert found == [], _summary(found)


def test_without_javascript_the_forms_post_and_redirect(site: tuple[str, Any]) -> None:
    from playwright.sync_api import expect

    console, sessions = site
    number = ticket(sessions, "browser-zonder-js")
    with chromium() as browser:
        page = signed_in_page(browser, console, f"/ticket/{number}", java_script_enabled=False)
        page.get_by_label("Nieuwe notitie").fill("Zonder JavaScript vastgelegd")
        with page.expect_navigation():
            page.get_by_role("button", name="Notitie opslaan").click()
        assert page.url.endswith(f"/ticket/{number}#notities")
        expect(page.locator(".notities")).to_contain_text("Zonder JavaScript vastgelegd")
        page.locator("#status-waarde").select_option(label="In behandeling")
        with page.expect_navigation():
            page.get_by_role("button", name="Status wijzigen").click()
        assert page.url.endswith(f"/ticket/{number}#geschiedenis")
        expect(page.locator("p.status")).to_contain_text("In behandeling")
