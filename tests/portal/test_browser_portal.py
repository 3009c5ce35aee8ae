"""The portal in a real browser, end to end: a client finds a melding, downloads its report,
asks for a change; a supervisor applies it in the console; the confirmation e-mail reaches
the fake SMTP server; the portal shows the request applied. axe-core on every portal page.

The console runs as its own process on a SQLite file (tests/console/browser.py); accounts
are made with the command line as an operator does; the outbox is sent to the loopback
SMTP server (tests/fakes/mail.py) by the worker's own delivery function.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from meldkamer.notify.mail import EmailSender
from meldkamer.notify.worker import deliver_due
from meldkamer.tickets import create_ticket
from tests.console.browser import chromium, console_site, meldkamer_cli, sign_in
from tests.console.test_browser_axe import _summary, violations
from tests.console.test_browser_handover import ARTIFACTS, _need_browser
from tests.fakes.mail import running_smtp_server
from tests.portal.fixtures import new_ticket

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

CLIENT_PASSWORD = "Portaal-test-wachtwoord"
CHEF_PASSWORD = "Supervisor-test-wachtwoord"
WAIT_MS = 30_000


_cli = meldkamer_cli


def accounts(env: dict[str, str]) -> None:
    _cli(
        env,
        "portal",
        "users",
        "add",
        "anna",
        "--client",
        "de-linde",
        "--name",
        "Anna Bakker",
        password=CLIENT_PASSWORD,
    )
    _cli(
        env,
        "agents",
        "add",
        "chef",
        "--name",
        "Chantal",
        "--role",
        "supervisor",
        password=CHEF_PASSWORD,
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any, str]]:
    _need_browser()
    with console_site(tmp_path_factory.mktemp("portaal"), accounts) as (console, sessions):
        now = datetime.now(timezone.utc)
        with sessions.begin() as session:
            # Last month's melding for the report, and one of this month to find.
            create_ticket(session, new_ticket("de-linde", "vorige-maand"), now - timedelta(days=35))
            number = create_ticket(session, new_ticket("de-linde", "deze-maand"), now).number
            create_ticket(session, new_ticket("vve-beheer-noord", "andere-klant"), now)
        yield console, sessions, number


def _send_outbox(sessions: Any, smtp: Any) -> None:
    # In a thread of its own: Playwright's sync API keeps an event loop in this one.
    sender = EmailSender(smtp.settings())
    due = datetime.now(timezone.utc) + timedelta(seconds=1)
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, deliver_due(sessions, {"email": sender}, due)).result()


def test_a_client_finds_downloads_asks_and_sees_the_change_applied(site, tmp_path) -> None:
    from playwright.sync_api import expect

    console, sessions, number = site
    ARTIFACTS.mkdir(exist_ok=True)
    report: dict[str, list[str]] = {}
    with running_smtp_server() as smtp, chromium() as browser:
        page = browser.new_page(accept_downloads=True, viewport={"width": 1280, "height": 900})
        page.set_default_timeout(WAIT_MS)
        page.goto(f"{console}/portaal/inloggen")
        report["inloggen"] = _summary(violations(page))
        sign_in(page, console, "anna", CLIENT_PASSWORD, form="/portaal/inloggen", lands="/portaal/")
        report["overzicht"] = _summary(violations(page))
        # Find the melding by its number.
        page.get_by_role("link", name="Meldingen").click()
        page.get_by_label("Zoeken (ticketnummer, adres, onderwerp, naam)").fill(number)
        page.get_by_role("button", name="Zoeken").click()
        report["meldingen"] = _summary(violations(page))
        expect(page.get_by_role("link", name=number)).to_be_visible()
        assert page.get_by_text("Huurder van vve-beheer-noord").count() == 0
        page.get_by_role("link", name=number).click()
        expect(page.get_by_role("heading", name=f"Melding {number}")).to_be_visible()
        report["melding"] = _summary(violations(page))
        # Last month's report as PDF.
        page.get_by_role("link", name="Rapporten").click()
        report["rapporten"] = _summary(violations(page))
        with page.expect_download() as download_info:
            page.locator("a[download]").first.click()
        download = download_info.value
        pdf = tmp_path / download.suggested_filename
        download.save_as(pdf)
        assert pdf.name.startswith("de-linde-") and pdf.read_bytes().startswith(b"%PDF")
        # A change request: the heating season.
        page.get_by_role("link", name="Klantdossier").click()
        report["klantdossier"] = _summary(violations(page))
        page.get_by_role("link", name="Wijziging aanvragen: stookseizoen").click()
        page.get_by_label("Stookseizoen (YAML)").fill(
            "stookseizoen:\n  van: '10-15'\n  tot: '04-15'\n"
        )
        page.get_by_label("Toelichting voor de meldkamer (optioneel)").fill("Wij stoken later")
        page.get_by_role("button", name="Controleren").click()
        expect(page.get_by_text("De controle is geslaagd.")).to_be_visible()
        report["wijziging controle"] = _summary(violations(page))
        page.get_by_role("button", name="Indienen").click()
        expect(page.locator("#verzoek-status")).to_have_text("Ingediend, wacht op de meldkamer")
        report["wijziging"] = _summary(violations(page))
        request_url = page.url
        page.get_by_role("link", name="Terug naar de verzoeken").click()
        report["wijzigingen"] = _summary(violations(page))

        # The supervisor applies it in the console (another browser context).
        chef = browser.new_context().new_page()
        chef.set_default_timeout(WAIT_MS)
        sign_in(chef, console, "chef", CHEF_PASSWORD)
        chef.goto(f"{console}/beheer")
        chef.get_by_role("link", name="Wijzigingsverzoeken van opdrachtgevers").click()
        report["console: verzoeken"] = _summary(violations(chef))
        chef.locator("table a").first.click()
        expect(chef.locator("pre.diff")).to_contain_text("+  van: '10-15'")
        report["console: verzoek"] = _summary(violations(chef))
        chef.get_by_role("button", name="Doorvoeren").click()
        expect(chef.locator("#verzoek-status")).to_have_text("Doorgevoerd")
        chef.goto(f"{console}/beheer/portaal")
        report["console: portaalaccounts"] = _summary(violations(chef))

        # The worker's delivery sends the confirmation to the client.
        _send_outbox(sessions, smtp)
        # (The demo clients' first versions were confirmed too, when they were applied.)
        subject = "Bevestiging: instellingen Woonstichting De Linde bijgewerkt (versie 2)"
        mails = [m for m in smtp.mailbox.messages if str(m["Subject"]).strip() == subject]
        assert len(mails) == 1, [repr(str(m["Subject"])) for m in smtp.mailbox.messages]
        assert str(mails[0]["To"]) == "info@de-linde.example.nl"
        assert "versie 2" in mails[0].get_content() and "Wij stoken later" in mails[0].get_content()

        page.goto(request_url)
        expect(page.locator("#verzoek-status")).to_have_text("Doorgevoerd")
        expect(page.get_by_text("versie 2 van uw klantdossier")).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / "portaal-verzoek.png"), full_page=True)
    assert {name: found for name, found in report.items() if found} == {}
