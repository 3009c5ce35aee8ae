"""A handover in two real browsers: the tenant on the web chat, the agent in the console.

Starts the real stack (Rasa server with the trained model, action server) like
devstack/stack.py, the console as its own process pointed at Rasa through RASA_URL
(tests/console/browser.py), and drives headless Debian Chromium with Playwright.
Screenshots go to test-artifacts/.

Without /usr/bin/chromium the test is skipped, unless MELDKAMER_REQUIRE_BROWSER=1:
then it fails and says what is missing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

import pytest
from sqlalchemy import select

from devstack.stack import ROOT, Stack
from meldkamer.clients.loader import load_client
from meldkamer.clients.store import apply_all
from meldkamer.db import make_engine, make_sessionmaker, upgrade
from meldkamer.handover.models import OPEN_STATUSES, Handover
from meldkamer.handover.texts import handover_texts
from tests.console.browser import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    console_env,
    console_process,
    meldkamer_cli,
    need_browser,
    sign_in,
)

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

#: Older imports of these names (other browser tests) keep working.
__all__ = ["ARTIFACTS", "CHROMIUM", "CHROMIUM_ARGS", "_need_browser"]
_need_browser = need_browser
PASSWORD = "Browser-test-wachtwoord"
TICKET = re.compile(r"MK-\d{4}-\d{6}")
WAIT_MS = 60_000
ANNOUNCED = "U praat nu met Sanne, medewerker van de meldkamer"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    need_browser()
    workdir = tmp_path_factory.mktemp("browser")
    url = f"sqlite:///{workdir / 'meldkamer.db'}"
    upgrade(url)
    engine = make_engine(url)
    with make_sessionmaker(engine).begin() as session:
        loaded = [load_client(path) for path in sorted((ROOT / "clients").glob("*.yml"))]
        apply_all(session, loaded, by="test", now=datetime.now(timezone.utc))
    engine.dispose()
    running = Stack(database_url=url, workdir=workdir).start()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def console(stack: Stack) -> Iterator[str]:
    """The console in its own process, pointed at the stack's Rasa; returns its URL."""
    env = {
        **console_env(stack.database_url),
        "RASA_URL": stack.url,
        "MELDKAMER_RASA_TOKEN": stack.rasa_token,
        "MELDKAMER_UPLOAD_DIR": str(stack.workdir / "uploads"),
    }
    meldkamer_cli(
        env, "agents", "add", "sanne", "--name", "Sanne", "--role", "agent", password=PASSWORD
    )
    with console_process(env, stack.workdir) as url:
        yield url


def _two_pages(name: str, run: Any, *args: Any) -> None:
    """A tenant's and an agent's page side by side; screenshots whatever happens."""
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        tenant = browser.new_context(locale="nl-NL").new_page()
        agent = browser.new_context(locale="nl-NL").new_page()
        try:
            run(tenant, agent, *args)
        finally:
            tenant.screenshot(path=str(ARTIFACTS / f"{name}-huurder.png"), full_page=True)
            agent.screenshot(path=str(ARTIFACTS / f"{name}-medewerker.png"), full_page=True)
            browser.close()


def _sign_in(agent: Any, console: str) -> None:
    sign_in(agent, console, "sanne", PASSWORD)


class Chat:
    """The tenant's side: the demo page's widget."""

    def __init__(self, page: Any, stack: Stack) -> None:
        from playwright.sync_api import expect

        self.page, self.expect = page, expect
        self.log = page.locator(".mk-log")
        page.goto(f"{stack.url}/webhooks/webchat/demo")
        page.get_by_role("button", name="Storing melden").click()
        expect(self.log).to_contain_text("digitale assistent", timeout=WAIT_MS)
        # The widget's opening is no message of the tenant: no "Hallo" bubble.
        assert page.locator(".mk-msg.mk-tenant").count() == 0

    def says(self, text: str, then: str | re.Pattern[str]) -> None:
        before = self.page.locator(".mk-msg").count()
        self.page.locator("#mk-input").fill(text)
        self.page.locator("#mk-input").press("Enter")
        self.expect(self.log).to_contain_text(then, timeout=WAIT_MS)
        self.page.wait_for_function(
            f"document.querySelectorAll('.mk-msg').length > {before + 1}", timeout=WAIT_MS
        )

    def since(self, count: int) -> str:
        """What was said after the first ``count`` messages."""
        return "\n".join(self.page.locator(".mk-msg").all_inner_texts()[count:])


def _take(agent: Any, console: str, topic: str) -> None:
    from playwright.sync_api import expect

    row = agent.locator("#wachtrij-rijen tr", has_text=topic)
    expect(row).to_be_visible(timeout=WAIT_MS)
    row.get_by_role("button", name=re.compile("Neem over")).click()
    expect(agent.get_by_role("heading", name=re.compile(f"Gesprek: {topic}"))).to_be_visible()


def test_agent_takes_over_corrects_and_hands_back(stack: Stack, console: str) -> None:
    _two_pages("browser-handover", _correct_and_hand_back, stack, console)


def _correct_and_hand_back(tenant: Any, agent: Any, stack: Stack, console: str) -> None:
    from playwright.sync_api import expect

    # The agent signs in first: an agent at the console makes the bot hand over.
    _sign_in(agent, console)
    # A marker that a reload would wipe: the row must arrive over the event stream.
    agent.evaluate("window.nietHerladen = true")
    chat = Chat(tenant, stack)
    chat.says("ik ben buitengesloten", "postcode en huisnummer")
    chat.says("ik wil een medewerker spreken", "Ik verbind u met een medewerker")

    # The conversation appears in the agent's queue without a reload.
    expect(agent.locator("#wachtrij-rijen tr", has_text="Buitengesloten")).to_be_visible(
        timeout=WAIT_MS
    )
    assert agent.evaluate("window.nietHerladen") is True
    agent.screenshot(path=str(ARTIFACTS / "browser-handover-wachtrij.png"), full_page=True)
    _take(agent, console, "Buitengesloten")
    transcript = agent.locator("#transcript")
    expect(transcript).to_contain_text("ik wil een medewerker spreken")

    # The tenant is told who took over; the header names her.
    expect(tenant.locator(".mk-msg.mk-agent").first).to_contain_text(ANNOUNCED, timeout=WAIT_MS)
    expect(tenant.locator(".mk-sub")).to_contain_text("U praat met Sanne")

    # The agent replies; the tenant sees it as Sanne's message, her name in view.
    reply = "Goedenavond, ik help u verder. Wat is uw adres en telefoonnummer?"
    agent.get_by_label("Uw bericht aan de huurder").fill(reply)
    agent.get_by_role("button", name="Versturen").click()
    expect(tenant.locator(".mk-msg.mk-agent").last).to_contain_text(reply, timeout=WAIT_MS)
    expect(tenant.locator(".mk-msg.mk-agent .mk-name").last).to_have_text("Medewerker Sanne")

    # While the bot is paused the tenant's words reach the agent live.
    tenant.locator("#mk-input").fill("1234 AB 12, en mijn nummer is 06 12345678")
    tenant.locator("#mk-input").press("Enter")
    expect(transcript).to_contain_text("06 12345678", timeout=WAIT_MS)
    agent.screenshot(path=str(ARTIFACTS / "browser-handover-gesprek.png"), full_page=True)

    # The agent fills in what the tenant told her, for the assistant.
    agent.get_by_label("Adres (postcode en huisnummer)").fill("1234 AB 12")
    agent.get_by_label("Telefoon").fill("06 12345678")
    agent.get_by_label("Naam", exact=True).fill("Fatima el Amrani")
    agent.get_by_role("button", name="Gegevens opslaan").click()
    expect(agent.locator("main")).to_contain_text(
        "verbeterd voor de assistent verdergaat: adres, naam, telefoon", timeout=WAIT_MS
    )

    # Back to the assistant: it goes on from there and asks none of it again.
    handed_back_at = tenant.locator(".mk-msg").count()
    agent.get_by_role("button", name="Terug naar de assistent").click()
    expect(agent.get_by_role("heading", name="Wachtrij")).to_be_visible()
    expect(chat.log).to_contain_text("U praat weer met de digitale assistent", timeout=WAIT_MS)
    expect(tenant.locator(".mk-sub")).to_contain_text("Digitale assistent")
    _answer_until_ticket(chat)
    after = chat.since(handed_back_at)
    for asked_again in ("postcode en huisnummer", "Wat is uw naam", "Op welk telefoonnummer"):
        assert asked_again not in after, after
    assert "Ik heb u nog niets gevraagd" not in after
    number = TICKET.search(chat.log.inner_text()).group(0)
    agent.goto(f"{console}/ticket/{number}")
    expect(agent.get_by_role("heading", name=f"Melding {number}")).to_be_visible()
    expect(agent.locator("main")).to_contain_text("Fatima el Amrani")


def _answer_until_ticket(chat: Chat) -> None:
    """Answer what the assistant still asks (answers, e-mail, description) until the ticket."""
    for _ in range(8):
        last = chat.page.locator(".mk-msg.mk-bot").last.inner_text()
        if TICKET.search(chat.log.inner_text()):
            return
        if "Klopt dit?" in last:
            chat.page.locator(".mk-choice", has_text="Ja, klopt").click()
            chat.expect(chat.log).to_contain_text(TICKET, timeout=WAIT_MS)
            return
        if "e-mailadres" in last:
            chat.says("geen", re.compile("Beschrijf|Klopt dit"))
        elif "Beschrijf" in last:
            chat.says("sleutels liggen binnen, deur is dicht", "Klopt dit?")
        else:  # a triage question: its first button
            count = chat.page.locator(".mk-msg").count()
            chat.page.locator(".mk-choice").first.click()
            chat.page.wait_for_function(
                f"document.querySelectorAll('.mk-msg').length > {count + 1}", timeout=WAIT_MS
            )
    raise AssertionError(f"no ticket after the hand-back: {chat.log.inner_text()}")


def test_gas_and_a_person_in_one_message_then_closed_and_a_clean_start(
    stack: Stack, console: str
) -> None:
    _two_pages("browser-handover-gas", _gas_then_close, stack, console)


def _gas_then_close(tenant: Any, agent: Any, stack: Stack, console: str) -> None:
    from playwright.sync_api import expect

    _sign_in(agent, console)
    chat = Chat(tenant, stack)
    chat.says("ik ruik gas en wil iemand spreken", "Ik verbind u met een medewerker")
    said = chat.log.inner_text()
    # safety first, then the handover (acuut: 112 before anything else)
    assert said.index("Ruikt u gas? Doe dit nu eerst") < said.index("Bel direct 112")
    assert said.index("Bel direct 112") < said.index("Ik verbind u met een medewerker")
    _take(agent, console, "Gaslucht")
    expect(tenant.locator(".mk-msg.mk-agent").first).to_contain_text(ANNOUNCED, timeout=WAIT_MS)

    agent.get_by_role("button", name="Afsluiten").click()
    expect(agent.get_by_role("heading", name="Wachtrij")).to_be_visible()
    closing = handover_texts().closed
    expect(tenant.locator(".mk-msg.mk-agent").last).to_contain_text(closing, timeout=WAIT_MS)

    # A later message starts a clean session: the introduction, no misunderstanding,
    # not queued again.
    closed_at = tenant.locator(".mk-msg").count()
    chat.says("hallo? is daar iemand?", "digitale assistent")
    later = chat.since(closed_at)
    assert "Sorry, dat begreep ik niet" not in later and "Ik verbind u" not in later
    engine = make_engine(stack.database_url)
    try:
        with make_sessionmaker(engine)() as session:
            open_ = session.execute(
                select(Handover).where(Handover.status.in_(OPEN_STATUSES))
            ).all()
    finally:
        engine.dispose()
    assert open_ == []
