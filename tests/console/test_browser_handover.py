"""A handover in two real browsers: the tenant on the web chat, the agent in the console.

Starts the real stack (Rasa server with the trained model, action server) like
devstack/stack.py, the console as its own process pointed at Rasa through RASA_URL,
and drives headless Debian Chromium with Playwright. Screenshots go to test-artifacts/.

Without /usr/bin/chromium the test is skipped, unless MELDKAMER_REQUIRE_BROWSER=1:
then it fails and says what is missing.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest

from devstack.stack import BIN, ROOT, Stack, free_port, wait_for
from meldkamer.clients.loader import load_client
from meldkamer.clients.store import apply_all
from meldkamer.db import make_engine, make_sessionmaker, upgrade

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ARTIFACTS = ROOT / "test-artifacts"
PASSWORD = "Browser-test-wachtwoord"
TICKET = re.compile(r"MK-\d{4}-\d{6}")
WAIT_MS = 60_000


def _need_browser() -> None:
    problem = None
    if not (CHROMIUM.exists() and os.access(CHROMIUM, os.X_OK)):
        problem = (
            f"no Chromium at {CHROMIUM}: apt-get install chromium (scripts/ensure_chromium.sh)"
        )
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            problem = "the playwright package is not installed in this virtualenv"
    if problem is None:
        return
    if os.environ.get("MELDKAMER_REQUIRE_BROWSER") == "1":
        pytest.fail(f"MELDKAMER_REQUIRE_BROWSER=1 but {problem}")
    pytest.skip(problem)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    _need_browser()
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
    """The console in its own process, as `python -m console.app` runs it; returns its URL."""
    env = {
        **os.environ,
        "DATABASE_URL": stack.database_url,
        "RASA_URL": stack.url,
        "MELDKAMER_RASA_TOKEN": stack.rasa_token,
        "MELDKAMER_UPLOAD_DIR": str(stack.workdir / "uploads"),
        "PYTHONPATH": str(ROOT),
    }
    env.pop("CONSOLE_SECURE_COOKIES", None)  # plain HTTP on loopback
    add = subprocess.run(
        [
            str(BIN / "meldkamer"),
            "agents",
            "add",
            "sanne",
            "--name",
            "Sanne",
            "--role",
            "agent",
            "--password-stdin",
        ],
        input=PASSWORD + "\n",
        text=True,
        capture_output=True,
        env=env,
        cwd=ROOT,
        check=False,
    )
    assert add.returncode == 0, add.stderr
    port = free_port()
    log = stack.workdir / "console.log"
    process = subprocess.Popen(
        [str(BIN / "python"), "-m", "console.app", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/health", process, log, timeout=60)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def test_agent_takes_over_replies_and_hands_back(stack: Stack, console: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        tenant = browser.new_context(locale="nl-NL").new_page()
        agent = browser.new_context(locale="nl-NL").new_page()
        try:
            _run(expect, tenant, agent, stack, console)
        finally:
            tenant.screenshot(path=str(ARTIFACTS / "browser-handover-huurder.png"), full_page=True)
            agent.screenshot(
                path=str(ARTIFACTS / "browser-handover-medewerker.png"), full_page=True
            )
            browser.close()


def _run(expect, tenant, agent, stack: Stack, console: str) -> None:  # noqa: ANN001
    # The agent signs in first: an agent at the console makes the bot hand over.
    agent.goto(f"{console}/login")
    agent.get_by_label("Gebruikersnaam").fill("sanne")
    agent.get_by_label("Wachtwoord").fill(PASSWORD)
    agent.get_by_role("button", name="Inloggen").click()
    expect(agent.get_by_role("heading", name="Wachtrij")).to_be_visible()
    expect(agent.locator("#wachtrij-rijen")).to_contain_text("Geen open gesprekken")
    # A marker that a reload would wipe: the row must arrive over the event stream.
    agent.evaluate("window.nietHerladen = true")

    log = tenant.locator(".mk-log")

    def tenant_says(text: str, then: str | re.Pattern[str]) -> None:
        tenant.locator("#mk-input").fill(text)
        tenant.locator("#mk-input").press("Enter")
        expect(log).to_contain_text(then, timeout=WAIT_MS)

    tenant.goto(f"{stack.url}/webhooks/webchat/demo")
    tenant.get_by_role("button", name="Storing melden").click()
    expect(log).to_contain_text("digitale assistent", timeout=WAIT_MS)
    tenant_says("ik ben buitengesloten", "postcode en huisnummer")
    tenant_says("ik wil een medewerker spreken", "Ik verbind u met een medewerker")

    # The conversation appears in the agent's queue without a reload.
    row = agent.locator("#wachtrij-rijen tr", has_text="Buitengesloten")
    expect(row).to_be_visible(timeout=WAIT_MS)
    assert agent.evaluate("window.nietHerladen") is True
    agent.screenshot(path=str(ARTIFACTS / "browser-handover-wachtrij.png"), full_page=True)
    row.get_by_role("button", name=re.compile("Neem over")).click()
    expect(agent.get_by_role("heading", name=re.compile("Gesprek: Buitengesloten"))).to_be_visible()
    transcript = agent.locator("#transcript")
    expect(transcript).to_contain_text("ik wil een medewerker spreken")

    # The agent replies; the tenant sees it as the agent's message.
    reply = "Goedenavond, u spreekt met Sanne van de meldkamer. Ik help u verder."
    agent.get_by_label("Uw bericht aan de huurder").fill(reply)
    agent.get_by_role("button", name="Versturen").click()
    expect(tenant.locator(".mk-msg.mk-agent")).to_contain_text(reply, timeout=WAIT_MS)
    expect(tenant.locator(".mk-msg.mk-agent")).to_contain_text("Medewerker Sanne")

    # While the bot is paused the tenant's words reach the agent live.
    tenant.locator("#mk-input").fill("Dank u, de sleutels liggen binnen.")
    tenant.locator("#mk-input").press("Enter")
    expect(transcript).to_contain_text("Dank u, de sleutels liggen binnen.", timeout=WAIT_MS)
    agent.screenshot(path=str(ARTIFACTS / "browser-handover-gesprek.png"), full_page=True)

    # Back to the assistant, which picks up where it was: the address question.
    agent.get_by_role("button", name="Terug naar de assistent").click()
    expect(agent.get_by_role("heading", name="Wachtrij")).to_be_visible()
    expect(log).to_contain_text("U praat weer met de digitale assistent", timeout=WAIT_MS)
    tenant_says("1234 AB 12", "Wat is uw naam")
    tenant_says("Fatima el Amrani", "telefoonnummer")
    tenant_says("06 12345678", "e-mailadres")
    tenant_says("geen", "Beschrijf het probleem")
    tenant_says("sleutels liggen binnen, deur is dicht", "Klopt dit?")
    tenant.locator(".mk-choice", has_text="Ja, klopt").click()
    expect(log).to_contain_text(TICKET, timeout=WAIT_MS)
    number = TICKET.search(log.inner_text()).group(0)
    tenant.locator(".mk-msg", has_text=number).last.scroll_into_view_if_needed()
    # The agent sees the finished melding too.
    agent.goto(f"{console}/ticket/{number}")
    expect(agent.get_by_role("heading", name=f"Melding {number}")).to_be_visible()
