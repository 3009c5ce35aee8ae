"""Helpers of the console's browser tests: the console as its own process, a phone's browser.

As ``python -m console.app`` runs it, on the test's database; headless Debian Chromium
through Playwright (:func:`need_browser` checks it is there).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from sqlalchemy.orm import Session, sessionmaker

from devstack.stack import BIN, ROOT, apply_demo_clients, free_port, wait_for
from tests.console.conftest import FakeRasa
from tests.fakes.threaded import served_in_a_thread

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ARTIFACTS = ROOT / "test-artifacts"
#: A phone's screen (CSS pixels), touch on.
PHONE = {"width": 390, "height": 844}
#: The password of Sanne, the supervisor :func:`add_supervisor` adds.
SUPERVISOR_PASSWORD = "Bewaking-test-wachtwoord"


def need_browser() -> None:
    """Skip without Chromium and Playwright; fail instead when MELDKAMER_REQUIRE_BROWSER=1."""
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


def console_env(database_url: str) -> dict[str, str]:
    """The console's environment on ``database_url``: plain HTTP on loopback."""
    env = {**os.environ, "DATABASE_URL": database_url, "PYTHONPATH": str(ROOT)}
    env.pop("CONSOLE_SECURE_COOKIES", None)
    return env


@contextmanager
def console_process(env: dict[str, str], workdir: Path) -> Iterator[str]:
    """The console in its own process until the block ends; yields its URL."""
    port = free_port()
    log = workdir / "console.log"
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


@contextmanager
def console_site(
    workdir: Path, before_start: Callable[[dict[str, str]], None] | None = None
) -> Iterator[tuple[str, sessionmaker[Session]]]:
    """A console process on a fresh SQLite file with the demo clients; its URL and sessions.

    ``before_start`` gets the console's environment first (to add an agent, say).
    """
    from meldkamer.db import make_engine, make_sessionmaker

    url = f"sqlite:///{workdir / 'meldkamer.db'}"
    apply_demo_clients(url)  # migrated, with clients/*.yml, as `make run` does
    engine = make_engine(url)
    env = console_env(url)
    try:
        if before_start is not None:
            before_start(env)
        with console_process(env, workdir) as console:
            yield console, make_sessionmaker(engine)
    finally:
        engine.dispose()


def meldkamer_cli(env: dict[str, str], *args: str, password: str) -> None:
    """Run ``meldkamer ARGS --password-stdin`` as an operator does (an account, say)."""
    done = subprocess.run(
        [str(BIN / "meldkamer"), *args, "--password-stdin"],
        input=password + "\n",
        text=True,
        capture_output=True,
        env=env,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def add_supervisor(env: dict[str, str]) -> None:
    """Sanne, a supervisor, through the command line as an operator does."""
    meldkamer_cli(
        env,
        "agents",
        "add",
        "sanne",
        "--name",
        "Sanne",
        "--role",
        "supervisor",
        password=SUPERVISOR_PASSWORD,
    )


@contextmanager
def rasa_in_a_thread(rasa: FakeRasa) -> Iterator[str]:
    """The fake Rasa served on loopback from its own thread and event loop."""
    port = free_port()
    runner = web.AppRunner(rasa.app())

    async def start() -> None:
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()

    with served_in_a_thread(start, runner.cleanup, "fake-rasa"):
        yield f"http://127.0.0.1:{port}"


@contextmanager
def supervised_site(
    workdir: Path, rasa: FakeRasa | None = None
) -> Iterator[tuple[str, sessionmaker[Session]]]:
    """A :func:`console_site` with Sanne the supervisor, for a browser test.

    With ``rasa`` the console talks to that fake Rasa, served in a thread.
    """
    need_browser()
    with ExitStack() as running:
        rasa_url = None if rasa is None else running.enter_context(rasa_in_a_thread(rasa))

        def before_start(env: dict[str, str]) -> None:
            if rasa_url is not None:
                env["RASA_URL"] = rasa_url
            add_supervisor(env)

        yield running.enter_context(console_site(workdir, before_start))


def sign_in(
    page: Any,
    console: str,
    username: str = "sanne",
    password: str = SUPERVISOR_PASSWORD,
    *,
    form: str = "/login",
    lands: str = "/",
) -> None:
    """Sign in through a login form and wait for the page it lands on.

    By default Sanne, the supervisor of :func:`add_supervisor`, into the console (the
    queue); the client portal's with ``form="/portaal/inloggen", lands="/portaal/"``.
    """
    page.goto(f"{console}{form}")
    page.get_by_label("Gebruikersnaam").fill(username)
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(f"{console}{lands}")


def signed_in_page(browser: Any, console: str, path: str, **options: Any) -> Any:
    """A new page (``options`` as for Playwright's ``new_page``), signed in, opened at ``path``.

    Signed in as :func:`sign_in` does by default: Sanne, the supervisor.
    """
    page = browser.new_page(**options)
    sign_in(page, console)
    page.goto(f"{console}{path}")
    return page


@contextmanager
def chromium(args: list[str] = CHROMIUM_ARGS) -> Iterator[Any]:
    """Headless Chromium until the block ends; closed even when the test fails."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=args)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def phone_page() -> Iterator[Any]:
    """A page in headless Chromium on a phone-sized touch screen."""
    with chromium() as browser:
        yield browser.new_page(viewport=PHONE, is_mobile=True, has_touch=True)


class NoReload:
    """Watches that a page is not loaded again: a marker on ``window`` and the load events.

    With JavaScript the console's forms post with fetch (console/static/inplace.js); a
    reload would lose the marker and fire a load event.
    """

    def __init__(self, page: Any) -> None:
        self.page = page
        page.evaluate("window.nietOpnieuwGeladen = true")
        self.loads: list[str] = []
        page.on("load", lambda loaded: self.loads.append(loaded.url))

    def marker_kept(self) -> bool:
        return self.page.evaluate("window.nietOpnieuwGeladen") is True

    def assert_not_reloaded(self) -> None:
        assert self.marker_kept() and self.loads == []
