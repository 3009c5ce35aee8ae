"""axe-core on every page of the console, and the queue by keyboard alone.

The pages are read from the console's router, as tests/console/test_security.py reads
its routes: a GET page added later is visited by itself, and this test fails until
its URL parameters have a sample from :func:`seed` (or it says in :data:`NOT_PAGES`
why it is no page). The data is seeded as the assistant and the worker make it: a
registered melding with its work order, a handover of it, a call-back, an SLA breach
escalated to the supervisor. The console runs as its own process; a fake Rasa (the
console tests' :class:`FakeRasa`) serves the transcript on loopback. axe-core is the
copy bundled with axe-playwright-python: nothing is downloaded. Headless Debian
Chromium with Playwright (skipped without it, unless MELDKAMER_REQUIRE_BROWSER=1).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, TypeAlias

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from console.app import ConsoleSettings, init_app
from meldkamer.clients.store import newest_version
from meldkamer.dispatch.models import WorkOrder
from meldkamer.handover.service import request_handover
from meldkamer.notify.models import OutboxMessage
from meldkamer.portal.changes import propose, submit
from meldkamer.portal.parts import current_text, part_of
from meldkamer.tickets.models import Ticket
from meldkamer.triage import default_engine
from tests.console.browser import ARTIFACTS, chromium, sign_in, supervised_site
from tests.console.conftest import FakeRasa, summary
from tests.console.test_browser_bewaking import sla_round
from tests.console.test_browser_workorder import melding
from tests.core.test_dispatch import NO_HEAT_MEDICAL, register
from tests.links import link_token
from tests.webchat.test_widget_browser import WCAG_A_AA

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

WAIT_MS = 30_000
CONVERSATION = "web-" + "a" * 32
PASSWORD_SHAPE = re.compile(r"^[a-z2-9]{4}(-[a-z2-9]{4}){3}$")

#: GET routes that are no HTML page of the console, and why axe does not look at them.
NOT_PAGES = {
    "health": "JSON for load balancers",
    "static": "the CSS and JavaScript files the pages load",
    "metrics": "Prometheus's text format",
    "attachment": "a tenant's photo: an image, shown inside the conversation page",
    "tickets-csv": "the ticket list as a CSV download",
}
#: Whole areas that are no console page: JSON and event streams, the client portal.
NOT_PAGE_PREFIXES = {
    "/api/": "JSON and server-sent events behind the pages",
    "/portaal": "the client portal: its own sign-in and pages for clients, not the console",
}
#: Pages that need a query to show what they are for.
QUERIES = {"accounts-scope": "?gebruiker=sanne"}


@dataclass(frozen=True)
class Seeded:
    """Ids of the seeded data, by the URL parameter that takes them."""

    samples: dict[str, str]
    handover_id: int


def _sla_token(sessions: sessionmaker[Session], now: datetime) -> str:
    """A breach escalated to the supervisor just now; the token in the supervisor's mail."""
    register(sessions, "cv_storing", NO_HEAT_MEDICAL, now - timedelta(hours=1), key="axe-sla")
    sla_round(sessions, now - timedelta(minutes=45))  # the next contractor
    sla_round(sessions, now)  # the chain is done: the supervisor
    with sessions() as session:
        body = (
            session.execute(
                select(OutboxMessage.body).where(OutboxMessage.key.like("sla:%:supervisor:%"))
            )
            .scalars()
            .first()
        )
    found = re.search(r"/sla/([A-Za-z0-9_-]+)", body or "")
    assert found, body
    return found.group(1)


def change_request(sessions: sessionmaker[Session], now: datetime) -> int:
    """A client's request to close earlier on Fridays, as the portal submits it."""
    with sessions.begin() as session:
        current = newest_version(session, "de-linde")
        assert current is not None
        text = current_text(current.source, part_of("kantoortijden"))
        earlier = text.replace('vr: "08:00-16:00"', 'vr: "08:00-15:00"')
        assert earlier != text, text
        proposal = propose(session, "de-linde", "kantoortijden", earlier, default_engine().table)
        return submit(session, proposal, by="portaal-linde", explanation="zomer", now=now).id


def seed(sessions: sessionmaker[Session], rasa: FakeRasa) -> Seeded:
    """A melding with its work order, its handover, a call-back and an SLA breach."""
    now = datetime.now(timezone.utc)
    order: WorkOrder = melding(sessions, "axe")
    with sessions.begin() as session:
        ticket = session.get(Ticket, order.ticket_id)
        assert ticket is not None
        number = ticket.number
        handover = request_handover(
            session,
            conversation_id=CONVERSATION,
            channel="webchat",
            reason="Huurder vraagt om een medewerker",
            summary=summary(ticket=number),
            now=now - timedelta(minutes=3),
            client_id="de-linde",
            ticket_id=ticket.id,
        )
        request_handover(
            session,
            conversation_id="web-" + "b" * 32,
            channel="whatsapp",
            reason="Geen medewerker beschikbaar",
            summary=summary(outcome={"urgency": "urgent"}, adres="1234 AB 14"),
            now=now - timedelta(minutes=20),
            client_id="de-linde",
            callback=True,
        )
        handover_id = handover.id
    said = (now - timedelta(minutes=4)).timestamp()
    rasa.add(CONVERSATION, "user", "de leiding onder de gootsteen is gesprongen", timestamp=said)
    rasa.add(CONVERSATION, "bot", "Draai de hoofdkraan dicht als dat lukt.", timestamp=said)
    samples = {
        "request_id": str(change_request(sessions, now)),
        "handover_id": str(handover_id),
        "number": number,
        "token": link_token(sessions, order),
    }
    return Seeded(samples, handover_id)


Site: TypeAlias = "tuple[str, sessionmaker[Session], Seeded]"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    rasa = FakeRasa()
    with supervised_site(tmp_path_factory.mktemp("axe"), rasa) as (console, sessions):
        yield console, sessions, seed(sessions, rasa)


def page_urls(samples: dict[str, str], sla_token: str) -> tuple[list[tuple[str, str]], list[str]]:
    """Every GET page of the console's router with its URL; and what has no sample."""
    app = init_app(ConsoleSettings(database_url="unused"))
    pages: list[tuple[str, str]] = []
    missing: list[str] = []
    for route in app.router.routes():
        resource = route.resource
        if route.method != "GET" or resource is None or resource.name in NOT_PAGES:
            continue
        canonical = resource.canonical
        if any(canonical.startswith(prefix) for prefix in NOT_PAGE_PREFIXES):
            continue
        values = {
            **samples,
            "token": sla_token if resource.name == "sla-link" else samples["token"],
        }
        names = re.findall(r"\{(\w+)\}", canonical)
        if any(name not in values for name in names):
            missing.append(f"{resource.name} {canonical}")
            continue
        url = canonical
        for name in names:
            url = url.replace(f"{{{name}}}", values[name])
        pages.append((str(resource.name), url + QUERIES.get(str(resource.name), "")))
    return pages, missing


def violations(page: Any) -> list[dict[str, Any]]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_A_AA}})
    found: list[dict[str, Any]] = results.response["violations"]
    return found


def _summary(found: list[dict[str, Any]]) -> list[str]:
    return [
        f"{v['id']}: {v['help']} ({', '.join(str(n['target']) for n in v['nodes'][:3])})"
        for v in found
    ]


def test_axe_finds_nothing_on_any_console_page(site: Site) -> None:
    from playwright.sync_api import expect

    console, sessions, seeded = site
    pages, missing = page_urls(seeded.samples, _sla_token(sessions, datetime.now(timezone.utc)))
    report: dict[str, list[str]] = {}
    ARTIFACTS.mkdir(exist_ok=True)
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"{console}/login")
        report["login (afgemeld)"] = _summary(violations(page))
        sign_in(page, console)
        for name, url in pages:
            answer = page.goto(f"{console}{url}")
            assert answer is not None and answer.status == 200, (name, url)
            report[f"{name} {url}"] = _summary(violations(page))
        # The conversation once taken: the reply form, canned replies, the actions.
        page.goto(f"{console}/")
        page.locator(f'form[action="/overnemen/{seeded.handover_id}"] button').click()
        page.wait_for_url(f"{console}/gesprek/{seeded.handover_id}")
        report["conversation (overgenomen)"] = _summary(violations(page))
        # Phone mode for a gas smell: the safety instructions on screen first.
        page.goto(f"{console}/nieuw")
        page.locator("button[data-onderwerp='gaslek']").click()
        page.wait_for_load_state()
        report["phone (gaslek)"] = _summary(violations(page))
        page.goto(f"{console}/tickets?q={seeded.samples['number']}")
        report["tickets (gezocht)"] = _summary(violations(page))
        # A new account through the form: the page that shows its password once.
        page.goto(f"{console}/beheer/accounts")
        page.get_by_label("Gebruikersnaam").fill("noor")
        page.get_by_label("Naam", exact=True).fill("Noor Bakker")
        page.get_by_role("button", name="Account aanmaken").click()
        expect(page.locator("#nieuw-wachtwoord")).to_have_text(PASSWORD_SHAPE)
        report["account aangemaakt"] = _summary(violations(page))
        page.goto(f"{console}/gesprek/999999")
        report["niet gevonden"] = _summary(violations(page))
    (ARTIFACTS / "console-axe.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    assert len(report) >= len(pages) + 6
    failing = {url: found for url, found in report.items() if found}
    assert not failing, json.dumps(failing, indent=2, ensure_ascii=False)
    assert not missing, f"GET pages without a sample in seed() or a reason in NOT_PAGES: {missing}"


FOCUS_RING = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) { return null; }
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  return {
    tag: el.tagName, text: (el.innerText || el.value || '').trim().slice(0, 40),
    outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
    shadow: style.boxShadow !== 'none',
    visible: box.width > 0 && box.height > 0,
  };
}"""


def test_the_queue_by_keyboard_alone_with_a_visible_focus_ring(site: Site) -> None:
    from playwright.sync_api import expect

    console, _, seeded = site
    take: Callable[[dict[str, Any]], bool] = lambda el: el["text"].startswith("Neem over")  # noqa: E731
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        sign_in(page, console)
        seen: list[dict[str, Any]] = []
        for _ in range(40):
            page.keyboard.press("Tab")
            focused = page.evaluate(FOCUS_RING)
            assert focused is not None, f"focus left the page after {seen}"
            seen.append(focused)
            if take(focused):
                break
        assert seen[0]["text"] == "Naar de inhoud", seen[0]  # the skip link comes first
        assert take(seen[-1]), f"no 'Neem over' reached by Tab: {seen}"
        unringed = [el for el in seen if not (el["visible"] and (el["outline"] or el["shadow"]))]
        assert not unringed, f"focus without a visible ring: {unringed}"
        page.keyboard.press("Enter")  # take the conversation without a mouse
        expect(page).to_have_url(re.compile(r"/gesprek/\d+$"), timeout=WAIT_MS)
