"""Helpers for the browser tests: Chromium, a stack with an upload folder, the widget."""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from playwright.async_api import Browser, BrowserContext, Page, expect
from playwright.async_api import TimeoutError as PlaywrightTimeoutError

from devstack.stack import BIN, ROOT, Stack

CHROMIUM = Path("/usr/bin/chromium")
#: Playwright's own browser download does not work here: Debian's Chromium, headless.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
#: How long the bot may take for one answer (the first one loads the model's graph).
REPLY_MS = 30_000
TICKET = re.compile(r"MK-\d{4}-\d{6}")
SITE_KEY = "de-linde-demo"


def require_chromium() -> str:
    """The browser's path; without it a skip, or a failure when the browser is required."""
    if CHROMIUM.exists():
        return str(CHROMIUM)
    message = (
        f"the browser tests need Chromium at {CHROMIUM}: "
        "run scripts/ensure_chromium.sh (or: apt-get install chromium)"
    )
    if os.environ.get("MELDKAMER_REQUIRE_BROWSER") == "1":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@dataclass
class BrowserStack(Stack):
    """The e2e stack with the demo clients applied, as ``make run`` does, so the demo
    page's addresses are De Linde's; ``env`` goes to both servers (the upload folder)."""

    env: dict[str, str] = field(default_factory=dict)

    def start(self) -> BrowserStack:
        env = {**os.environ, **self.env, "DATABASE_URL": self.database_url}
        meldkamer = str(BIN / "meldkamer")
        for command in (
            [meldkamer, "db", "upgrade"],
            [meldkamer, "clients", "apply", *map(str, sorted((ROOT / "clients").glob("*.yml")))]
            + ["--by", "browser tests", "--note", "demo data"],
        ):
            done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
            if done.returncode:
                raise RuntimeError(f"{' '.join(command[1:3])} failed:\n{done.stdout}{done.stderr}")
        try:
            with mock.patch.dict(os.environ, self.env):
                super().start()
        except BaseException:
            self.stop()  # a server that did come up must not outlive the failed start
            raise
        return self

    @property
    def demo(self) -> str:
        return f"{self.url}/webhooks/webchat/demo"


async def new_page(browser: Browser, viewport: dict[str, int], **options: Any) -> Page:
    """A page in a fresh context: its own storage, so a new conversation."""
    context: BrowserContext = await browser.new_context(
        viewport=viewport, locale="nl-NL", **options
    )
    context.set_default_timeout(REPLY_MS)
    return await context.new_page()


class Chat:
    """The widget on a page, as a tenant sees and uses it."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.launcher = page.get_by_role("button", name="Storing melden", exact=True)
        self.panel = page.locator("#mk-panel")
        self.log = page.get_by_role("log")
        self.input = page.get_by_label("Uw bericht")
        self.send_button = page.get_by_role("button", name="Verstuur")
        self.typing = page.locator(".mk-typing")
        #: Uncaught script errors on the page (the widget's included): should stay empty.
        self.script_errors: list[str] = []
        page.on("pageerror", lambda error: self.script_errors.append(str(error)))

    async def open(self) -> None:
        """Click the launcher; the greeting's answer (intro and topic buttons) arrives."""
        await self.launcher.click()
        await expect(self.panel).to_be_visible()
        await self.bot_says("digitale assistent", after=0)
        await self.bot_says("Wat is er aan de hand?", after=0)

    async def messages(self) -> list[dict[str, str]]:
        """Every message in the log: its stream id, who, and the visible text."""
        return list(
            await self.page.evaluate(
                """() => Array.from(document.querySelectorAll('.mk-log .mk-msg')).map(m => ({
                    id: m.dataset.id,
                    from: m.className.replace(/.*mk-(bot|tenant|agent).*/, '$1'),
                    text: m.innerText.slice(m.querySelector('.mk-sr').innerText.length).trim(),
                }))"""
            )
        )

    async def at_newest(self) -> bool:
        """Whether the log is scrolled to its end (the newest message in view)."""
        return bool(
            await self.log.evaluate("l => l.scrollTop + l.clientHeight >= l.scrollHeight - 2")
        )

    async def attach(self, path: Path) -> None:
        """Choose a file with the Foto button, as in the browser's file dialog."""
        async with self.page.expect_file_chooser() as chooser:
            await self.page.get_by_role("button", name="Foto").click()
        await (await chooser.value).set_files(path)

    async def transcript(self) -> str:
        """The conversation as shown, one message a line (for failure messages)."""
        return "\n".join(f"{m['from']}: {m['text']}" for m in await self.messages())

    async def count(self) -> int:
        return await self.page.locator(".mk-log .mk-msg").count()

    async def bot_says(self, text: str, *, after: int) -> str:
        """Wait for a bot message containing ``text`` among the messages after ``after``."""
        try:
            await self.page.wait_for_function(
                """([text, after]) => Array.from(document.querySelectorAll('.mk-log .mk-msg'))
                    .slice(after).some(m => m.classList.contains('mk-bot') && m.textContent.includes(text))""",
                arg=[text, after],
                timeout=REPLY_MS,
            )
        except PlaywrightTimeoutError:
            shown = "\n".join(f"{m['from']}: {m['text']}" for m in await self.messages())
            raise AssertionError(
                f"the bot did not say {text!r}; the chat shows:\n{shown}"
            ) from None
        await expect(self.typing).to_be_hidden()
        said = [m["text"] for m in (await self.messages())[after:] if m["from"] == "bot"]
        return "\n".join(said)

    async def say(self, text: str, expect_reply: str) -> str:
        """Type ``text``, send it with the button, wait for the reply containing ``expect_reply``."""
        before = await self.count()
        await self.input.fill(text)
        await self.send_button.click()
        return await self.bot_says(expect_reply, after=before)

    async def choose(self, title: str, expect_reply: str) -> str:
        """Click the quick-reply button ``title``; wait for the reply."""
        before = await self.count()
        await self.log.get_by_role("button", name=title, exact=True).click()
        return await self.bot_says(expect_reply, after=before)


async def focused(page: Page) -> dict[str, str]:
    """What has the keyboard focus: tag, class and text (or label)."""
    return dict(
        await page.evaluate(
            """() => { const e = document.activeElement; return {
                tag: e.tagName.toLowerCase(), cls: e.className || '', id: e.id || '',
                text: (e.textContent || e.getAttribute('aria-label') || '').trim() }; }"""
        )
    )


def make_jpeg(path: Path) -> Path:
    """A small but valid JPEG photo (a gradient, so it looks like something)."""
    from PIL import Image

    image = Image.new("RGB", (160, 120))
    image.putdata([(x + 40, y + 60, 150) for y in range(120) for x in range(160)])
    image.save(path, "JPEG", quality=85)
    return path
