"""The work-order page in a real browser on a phone: every step, "ik kan niet", axe-core.

An acuut melding is registered through the service layer (confirm_melding) on a SQLite
file; the console runs as its own process on it, as in test_browser_bewaking.py. The
contractor opens the link from the SMS on a phone-sized screen and taps bevestigd ->
onderweg (with the arrival time) -> ter plaatse -> gereed (with a short report); each
step shows on the page and lands in the order's history and the contact log. Headless
Debian Chromium with Playwright (skipped without it, unless MELDKAMER_REQUIRE_BROWSER=1).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import TypeAlias

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from meldkamer.contacts import contacts_for_ticket
from meldkamer.dispatch.models import WorkOrder, WorkOrderEvent
from meldkamer.service.confirm import confirm_melding
from meldkamer.service.context import Collaborators
from tests.console.browser import console_site, phone_page
from tests.console.test_browser_handover import ARTIFACTS, _need_browser
from tests.links import link_token
from tests.service.conftest import burst_pipe
from tests.webchat.test_widget_browser import WCAG_A_AA

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

WAIT_MS = 30_000
Site: TypeAlias = "tuple[str, sessionmaker[Session]]"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    _need_browser()
    with console_site(tmp_path_factory.mktemp("werkbon")) as site:
        yield site


def melding(sessions: sessionmaker[Session], key: str, topic: str = "cv_storing") -> WorkOrder:
    """An acuut melding registered now, as the assistant does; its work order."""
    ctx = Collaborators(sessions=sessions, clock=lambda: datetime.now(timezone.utc))
    heating = {"geen_verwarming": True, "geen_warm_water": True, "medische_noodzaak": True}
    confirmed = confirm_melding(ctx, burst_pipe(key, topic=topic, facts=heating))
    assert confirmed.ticket_id is not None and confirmed.outcome is not None
    assert confirmed.outcome.urgency.value == "acuut"
    with sessions() as session:
        return session.execute(
            select(WorkOrder).where(WorkOrder.ticket_id == confirmed.ticket_id)
        ).scalar_one()


def test_the_contractor_taps_every_step_on_a_phone(site: Site) -> None:
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import expect

    console, sessions = site
    order = melding(sessions, "telefoon-stappen")
    link = f"{console}/werkbon/{link_token(sessions, order)}"
    ARTIFACTS.mkdir(exist_ok=True)
    with phone_page() as page:
        page.goto(link)
        expect(page.locator("h1")).to_contain_text("Werkbon MK-")
        expect(page.locator(".werkbon-status")).to_have_text("verstuurd")
        results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_A_AA}})
        (ARTIFACTS / "werkbon-axe.json").write_text(
            json.dumps(sorted(r["id"] for r in results.response["violations"])) + "\n"
        )
        assert results.violations_count == 0, results.generate_report()
        button = page.get_by_role("button", name="Ik ga: bevestig de werkbon")
        box = button.bounding_box()
        assert box is not None and box["height"] >= 44 and box["width"] >= 300  # big
        steps = [
            ("Ik ga: bevestig de werkbon", None, "bevestigd"),
            ("Ik ben onderweg", ("Aankomst over", "30"), "onderweg"),
            ("Ik ben ter plaatse", None, "ter plaatse"),
            ("Gereed: het werk is klaar", ("Kort verslag", "ventiel vervangen"), "gereed"),
        ]
        for name, field, label in steps:
            if field is not None and field[0] == "Aankomst over":
                page.get_by_label(field[0]).select_option(field[1])
            elif field is not None:
                page.get_by_label(field[0]).fill(field[1])
            page.get_by_role("button", name=name).tap()
            expect(page.get_by_role("status")).to_contain_text("Dank u", timeout=WAIT_MS)
            page.get_by_role("link", name="Terug naar de werkbon").tap()
            expect(page.locator(".werkbon-status")).to_contain_text(label)
            expect(page.locator(".werkbon-geschiedenis")).to_contain_text(label)
        expect(page.locator("body")).to_contain_text("Deze werkbon is afgesloten")
        expect(page.locator(".werkbon-geschiedenis")).to_contain_text("ventiel vervangen")
        page.screenshot(path=str(ARTIFACTS / "browser-werkbon.png"), full_page=True)
    with sessions() as session:
        events = session.execute(
            select(WorkOrderEvent.status_to, WorkOrderEvent.via)
            .where(WorkOrderEvent.work_order_id == order.id)
            .order_by(WorkOrderEvent.id)
        ).all()
        log = [(c.channel, c.kind) for c in contacts_for_ticket(session, order.ticket_id)]
    assert events == [
        ("bevestigd", "pagina"),
        ("onderweg", "pagina"),
        ("ter_plaatse", "pagina"),
        ("gereed", "pagina"),
    ]
    assert log.count(("pagina", "status")) == 4


def test_ik_kan_niet_escalates_at_once(site: Site) -> None:
    from playwright.sync_api import expect

    console, sessions = site
    order = melding(sessions, "telefoon-kan-niet")
    with phone_page() as page:
        page.goto(f"{console}/werkbon/{link_token(sessions, order)}")
        page.get_by_role("button", name="Ik kan niet").tap()
        expect(page.get_by_role("status")).to_contain_text("andere aannemer")
    with sessions() as session:
        orders = session.execute(
            select(WorkOrder.status, WorkOrder.step)
            .where(WorkOrder.ticket_id == order.ticket_id)
            .order_by(WorkOrder.id)
        ).all()
    assert orders == [("geescaleerd", 0), ("verstuurd", 1)]
