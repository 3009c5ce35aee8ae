"""Screenshots of the console for docs/CONSOLE.md: the queue, a conversation, phone mode.

    .venv/bin/python scripts/console_screenshots.py      # writes docs/img/console-*.png

On a fresh SQLite file with the demo clients, as `make run` has them, the data the axe
test seeds (tests/console/test_browser_axe.py: a registered melding with its handover,
a call-back) plus a live acuut gas chat; the console runs as its own process, a fake
Rasa on loopback serves the transcript. Headless Debian Chromium through Playwright.
Nothing leaves the machine.
"""

from __future__ import annotations

import sys
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from meldkamer.handover.service import request_handover  # noqa: E402
from tests.console.browser import console_site  # noqa: E402
from tests.console.conftest import FakeRasa, summary  # noqa: E402
from tests.console.test_browser_axe import (  # noqa: E402
    CONVERSATION,
    browser_page,
    rasa_in_a_thread,
    seed,
    sign_in,
)
from tests.console.test_browser_bewaking import add_supervisor  # noqa: E402

IMAGES = ROOT / "docs" / "img"
GAS = {
    "topic": "gaslek",
    "facts": {},
    "unknown_facts": [],
    "outcome": {"urgency": "acuut", "reasons": ["[acuut] Gaslucht"], "needs_assessment": False},
    "adres": "1234 AB 7",
    "naam": "Jan de Boer",
    "telefoon": "+31687654321",
    "beschrijving": "ik ruik gas in de keuken",
}


def live_gas_chat(sessions, rasa: FakeRasa) -> None:  # noqa: ANN001
    """A tenant who smells gas and asked for a person a minute ago."""
    with sessions.begin() as session:
        request_handover(
            session,
            conversation_id="web-" + "g" * 32,
            channel="webchat",
            reason="Huurder vraagt om een medewerker",
            summary=summary(**GAS),
            now=datetime.now(timezone.utc) - timedelta(minutes=1),
            client_id="de-linde",
        )
    said = (datetime.now(timezone.utc) - timedelta(minutes=3)).timestamp()
    rasa.add(
        CONVERSATION, "user", "er staat water op de vloer, ik wil iemand spreken", timestamp=said
    )
    rasa.add(
        CONVERSATION, "bot", "Ik verbind u met een medewerker van de meldkamer.", timestamp=said
    )


def shoot(console: str) -> list[Path]:
    from playwright.sync_api import sync_playwright

    IMAGES.mkdir(parents=True, exist_ok=True)
    made = []
    with sync_playwright() as playwright:
        browser, page = browser_page(playwright)
        try:
            sign_in(page, console)
            made.append(IMAGES / "console-queue.png")
            page.screenshot(path=str(made[-1]), full_page=True)
            page.locator("form[action='/overnemen/1'] button").click()
            page.wait_for_url(f"{console}/gesprek/*")
            made.append(IMAGES / "console-conversation.png")
            page.screenshot(path=str(made[-1]), full_page=True)
            page.goto(f"{console}/nieuw")
            page.locator("button[data-onderwerp='gaslek']").click()
            page.wait_for_load_state()
            made.append(IMAGES / "console-phone.png")
            page.screenshot(path=str(made[-1]), full_page=True)
            page.goto(f"{console}/supervisor")
            made.append(IMAGES / "console-supervisor.png")
            page.screenshot(path=str(made[-1]), full_page=True)
        finally:
            browser.close()
    return made


def main() -> int:
    rasa = FakeRasa()
    with tempfile.TemporaryDirectory() as folder, rasa_in_a_thread(rasa) as rasa_url:

        def before_start(env: dict[str, str]) -> None:
            env["RASA_URL"] = rasa_url
            add_supervisor(env)

        with console_site(Path(folder), before_start) as (console, sessions):
            seed(sessions, rasa)
            live_gas_chat(sessions, rasa)
            for path in shoot(console):
                print(path.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
