"""The web chat widget in a real browser, against the real Rasa and action servers.

Chromium (Debian's, through Playwright) opens the demo page of the fictional corporation
De Linde and uses the widget as a tenant would: a whole melding with buttons and a photo,
a reload in the middle, the keyboard alone, an accessibility check with axe-core, and
screenshots for the README. One stack and one browser for the module; every test has a
fresh browser context, so its own conversation.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Browser, Page, Route, async_playwright, expect

from devstack.stack import ROOT
from meldkamer.attachments.store import for_ticket
from meldkamer.db import make_engine, make_sessionmaker
from meldkamer.tickets import get_ticket
from tests.webchat.helpers import (
    CHROMIUM_ARGS,
    DESKTOP,
    PHONE,
    TICKET,
    BrowserStack,
    Chat,
    focused,
    make_jpeg,
    new_page,
    require_chromium,
)

pytestmark = [pytest.mark.e2e, pytest.mark.browser, pytest.mark.asyncio(loop_scope="module")]

ARTIFACTS = ROOT / "test-artifacts"
README_SCREENSHOT = ROOT / "docs" / "img" / "webchat.png"
# A test run must not change tracked files: the README's picture is rewritten only on
# request (MELDKAMER_UPDATE_SCREENSHOTS=1), otherwise the same picture goes to the artifacts.
UPDATE_README = os.environ.get("MELDKAMER_UPDATE_SCREENSHOTS") == "1"
WCAG_A_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture(scope="module")
def chromium() -> str:
    return require_chromium()


@pytest.fixture(scope="module")
def stack(chromium: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserStack]:
    workdir = tmp_path_factory.mktemp("webchat-browser")
    running = BrowserStack(
        database_url=f"sqlite:///{workdir / 'meldkamer.db'}",
        workdir=workdir,
        env={"MELDKAMER_UPLOAD_DIR": str(workdir / "uploads")},
    ).start()
    yield running
    running.stop()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def browser(chromium: str) -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield launched
        await launched.close()


@pytest_asyncio.fixture(loop_scope="module")
async def phone(browser: Browser) -> AsyncIterator[Page]:
    page = await new_page(browser, PHONE, has_touch=True, is_mobile=True, device_scale_factor=2)
    yield page
    await page.context.close()


def stored(stack: BrowserStack, number: str) -> tuple[str | None, list[tuple[str, str]]]:
    """The ticket's client and its photos (path, checksum), from the stack's database."""
    engine = make_engine(stack.database_url)
    try:
        with make_sessionmaker(engine)() as session:
            ticket = get_ticket(session, number)
            assert ticket is not None, f"{number} is not in the database"
            photos = [(a.path, a.sha256) for a in for_ticket(session, ticket.id)]
            return ticket.client_id, photos
    finally:
        engine.dispose()


async def finish_melding(chat: Chat, *, name: str = "Fatima el Amrani") -> str:
    """From the name question to the ticket number; returns the number."""
    await chat.say(name, "telefoonnummer")
    await chat.say("06-12345678", "e-mailadres")
    # "ik ben buitengesloten" is too short to be the description: the bot asks for one
    await chat.choose("Geen e-mail", "Beschrijf het probleem kort")
    said = await chat.say("mijn sleutels liggen binnen, de deur is dicht", "Klopt dit?")
    assert "1234 AB 12" in said and name in said and "mijn sleutels liggen binnen" in said
    said = await chat.choose("Ja, klopt", "MK-")
    found = TICKET.search(said)
    assert found, said
    return found.group(0)


def save_small_png(source: Path, target: Path) -> None:
    """The README's copy: 128 colours are plenty for a chat and make it a third of the size."""
    from PIL import Image

    with Image.open(source) as image:
        small = image.convert("RGB").quantize(128, dither=Image.Dither.NONE)
        small.save(target, optimize=True)


async def test_melding_with_buttons_and_photo_on_the_demo_page(
    stack: BrowserStack, phone: Page, tmp_path: Path
) -> None:
    chat = Chat(phone)
    await phone.goto(stack.demo)
    await expect(phone.get_by_role("heading", name="Woonstichting De Linde")).to_be_visible()
    await expect(chat.panel).to_be_hidden()
    await expect(chat.launcher).to_have_attribute("aria-expanded", "false")

    await chat.open()
    await expect(chat.launcher).to_have_attribute("aria-expanded", "true")
    await expect(chat.log).to_contain_text("Ik ben een computer, geen mens.")
    # the greeting's topic buttons
    await expect(chat.log.get_by_role("button", name="Buitengesloten")).to_be_visible()

    said = await chat.say("ik ben buitengesloten", "postcode en huisnummer")
    assert "buitengesloten" in said.lower()
    # a question without buttons: the topic buttons are gone
    await expect(chat.log.get_by_role("button")).to_have_count(0)
    await chat.say("1234 AB 12", "Wat is uw naam")

    # not a photo: refused with the server's reason, nothing in the conversation
    before = await chat.count()
    not_a_photo = tmp_path / "foto.jpg"
    not_a_photo.write_text("dit is tekst")
    await chat.attach(not_a_photo)
    await expect(phone.get_by_role("alert")).to_contain_text("Dit bestand is geen foto.")
    assert await chat.count() == before

    photo = make_jpeg(tmp_path / "deur.jpg")
    await chat.attach(photo)
    await chat.bot_says("Dank u, de foto is bij uw melding gevoegd.", after=before)
    shown = await chat.messages()
    assert shown[before] == {**shown[before], "from": "tenant", "text": "📷 foto verstuurd"}
    await chat.bot_says("Wat is uw naam", after=before)  # and asks its question again

    number = await finish_melding(chat)
    await expect(chat.log).to_contain_text(number)

    client, photos = stored(stack, number)
    assert client == "de-linde", await chat.transcript()  # the demo page's corporation
    assert [sha for _, sha in photos] == [hashlib.sha256(photo.read_bytes()).hexdigest()]
    uploaded = Path(stack.env["MELDKAMER_UPLOAD_DIR"]) / photos[0][0]
    assert uploaded.read_bytes() == photo.read_bytes()
    assert chat.script_errors == []


async def test_reload_keeps_the_conversation(stack: BrowserStack, phone: Page) -> None:
    chat = Chat(phone)
    await phone.goto(stack.demo)
    await chat.open()
    await chat.say("ik ben buitengesloten", "postcode en huisnummer")
    await chat.say("1234 AB 12", "Wat is uw naam")
    before = await chat.messages()

    await phone.reload()
    # open again, with the same messages from the server's history: in order, once each
    await expect(chat.panel).to_be_visible()
    await expect(phone.locator(".mk-log .mk-msg")).to_have_count(len(before))
    await phone.wait_for_timeout(1000)  # a duplicate would arrive within this
    after = await chat.messages()
    assert after == before
    assert len({m["id"] for m in after}) == len(after)
    assert after[-1]["text"].startswith("Wat is uw naam")
    assert await chat.at_newest()

    # ... and the melding goes on where it was
    number = await finish_melding(chat, name="Jan de Vries")
    assert stored(stack, number) == ("de-linde", [])
    assert chat.script_errors == []


async def test_keyboard_only(stack: BrowserStack, phone: Page) -> None:
    chat = Chat(phone)
    await phone.goto(stack.demo)
    keyboard = phone.keyboard

    await keyboard.press("Tab")
    assert (await focused(phone))["cls"] == "mk-launcher"
    await keyboard.press("Enter")
    await expect(chat.panel).to_be_visible()
    assert (await focused(phone))["id"] == "mk-input"
    await chat.bot_says("Wat is er aan de hand?", after=0)

    # type and send with Enter
    before = await chat.count()
    await keyboard.type("de cv doet het niet meer, de radiatoren blijven koud")
    await keyboard.press("Enter")
    await chat.bot_says("postcode en huisnummer", after=before)
    assert (await focused(phone))["id"] == "mk-input"
    before = await chat.count()
    await keyboard.type("1234 AB 12")
    await keyboard.press("Enter")
    await expect(chat.log.get_by_role("button").first).to_be_visible()
    await expect(chat.typing).to_be_hidden()
    question = (await chat.messages())[-1]["text"]
    titles = await chat.log.get_by_role("button").all_inner_texts()

    # the quick-reply buttons are just before the input: Shift+Tab reaches them
    for title in reversed(titles):
        await keyboard.press("Shift+Tab")
        now = await focused(phone)
        assert (now["tag"], now["cls"], now["text"]) == ("button", "mk-choice", title)
    choice = titles[0]
    before = await chat.count()
    await keyboard.press("Enter")
    await chat.bot_says("", after=before)  # the bot's next question
    answered = (await chat.messages())[before:]
    assert answered[0] == {**answered[0], "from": "tenant", "text": choice}, question
    assert (await focused(phone))["id"] == "mk-input"

    # Escape closes, the focus goes back to the launcher
    await keyboard.press("Escape")
    await expect(chat.panel).to_be_hidden()
    assert (await focused(phone))["cls"] == "mk-launcher"
    await expect(chat.launcher).to_have_attribute("aria-expanded", "false")

    # Enter opens it again: the same conversation, at its end, the focus in the input
    await keyboard.press("Enter")
    await expect(chat.panel).to_be_visible()
    assert (await focused(phone))["id"] == "mk-input"
    assert await chat.at_newest()
    assert chat.script_errors == []


async def test_accessibility_with_axe(stack: BrowserStack, phone: Page) -> None:
    chat = Chat(phone)
    await phone.goto(stack.demo)
    await chat.open()
    # messages of both sides, the ten topic buttons, and the error line (an empty message)
    await expect(chat.log.get_by_role("button")).to_have_count(10)
    await chat.send_button.click()
    await expect(phone.get_by_role("alert")).to_have_text("Typ eerst een bericht.")

    results = await Axe().run(phone, options={"runOnly": {"type": "tag", "values": WCAG_A_AA}})
    summary = {
        "axe": results.response["testEngine"]["version"],
        "tags": WCAG_A_AA,
        **{
            kind: sorted(rule["id"] for rule in results.response[kind])
            for kind in ("violations", "incomplete", "passes")
        },
    }
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "webchat-axe.json").write_text(json.dumps(summary, indent=2) + "\n")
    assert results.violations_count == 0, results.generate_report()
    assert len(summary["passes"]) > 10  # axe really looked at the widget

    await expect(chat.log).to_have_attribute("aria-live", "polite")
    await expect(phone.locator("[role=log]")).to_have_count(1)
    assert await phone.locator("label[for=mk-input]").inner_text() == "Uw bericht"
    await expect(chat.input).to_have_attribute("id", "mk-input")
    await expect(chat.launcher).to_have_attribute("aria-controls", "mk-panel")
    controls = await phone.evaluate(
        """() => Array.from(document.querySelectorAll('.mk-root button, .mk-root [role=button],'
            + ' .mk-root [onclick], .mk-root a, .mk-root [tabindex]:not(.mk-log):not([tabindex="-1"])'))
            .map(e => e.tagName.toLowerCase() + ':' + (e.getAttribute('type') || ''))"""
    )
    # the launcher, close, ten choices, send and photo: all real buttons
    assert len(controls) == 14 and set(controls) == {"button:button", "button:submit"}, controls
    assert chat.script_errors == []


async def test_screenshots_phone_and_desktop(stack: BrowserStack, browser: Browser) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    small_shot = README_SCREENSHOT if UPDATE_README else ARTIFACTS / "webchat-small.png"
    page = await new_page(browser, PHONE, has_touch=True, is_mobile=True, device_scale_factor=2)
    try:
        chat = Chat(page)
        await page.goto(stack.demo)
        await chat.open()
        await chat.say("de cv doet het niet meer, de radiatoren blijven koud", "postcode")
        await chat.say("1234 AB 12", "?")
        await expect(chat.log.get_by_role("button").first).to_be_visible()
        await chat.input.blur()  # no focus ring in the picture
        phone_shot = ARTIFACTS / "webchat-phone.png"
        await page.screenshot(path=str(phone_shot))
        session = await page.evaluate("localStorage.getItem('meldkamer:de-linde-demo')")
    finally:
        await page.context.close()
    save_small_png(phone_shot, small_shot)
    assert small_shot.stat().st_size < 200_000

    # the same conversation on a desktop: the corporation's page with the chat at the side
    page = await new_page(browser, DESKTOP)
    try:
        await page.add_init_script(f"localStorage.setItem('meldkamer:de-linde-demo', {session!r})")

        async def slow_stylesheet(route: Route) -> None:
            await asyncio.sleep(0.8)  # the history is there before the widget's styles
            await route.continue_()

        await page.route("**/widget.css", slow_stylesheet)
        chat = Chat(page)
        await page.goto(stack.demo)
        await expect(chat.panel).to_be_visible()
        await expect(chat.log.get_by_role("button").first).to_be_visible()
        assert await chat.at_newest()  # the history ends at the open question
        await page.screenshot(path=str(ARTIFACTS / "webchat-desktop.png"))
        assert chat.script_errors == []
    finally:
        await page.context.close()
