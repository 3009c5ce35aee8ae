"""Helpers of the console's browser tests: the console as its own process, a phone's browser.

As ``python -m console.app`` runs it, on the test's database; headless Debian Chromium
through Playwright (:func:`need_browser` checks it is there).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from devstack.stack import BIN, ROOT, apply_demo_clients, free_port, wait_for

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ARTIFACTS = ROOT / "test-artifacts"
#: A phone's screen (CSS pixels), touch on.
PHONE = {"width": 390, "height": 844}


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


def sign_in(
    page: Any, console: str, username: str, password: str, *, form: str = "/login", lands: str = "/"
) -> None:
    """Sign in through a login form and wait for the page it lands on.

    The console's by default (the queue); the client portal's with
    ``form="/portaal/inloggen", lands="/portaal/"``.
    """
    page.goto(f"{console}{form}")
    page.get_by_label("Gebruikersnaam").fill(username)
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(f"{console}{lands}")


@contextmanager
def phone_page() -> Iterator[Any]:
    """A page in headless Chromium on a phone-sized touch screen."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser.new_page(viewport=PHONE, is_mobile=True, has_touch=True)
        finally:
            browser.close()
