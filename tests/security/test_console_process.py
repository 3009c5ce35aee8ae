"""The sign-in of a real console process (``meldkamer-console``), over real HTTP.

What an attacker on the network sees: the open redirect and the username-rotation flood
are refused, and the agent who signed in from this network before still gets in. The
console runs as ``make run`` starts it, on its own SQLite database and a free port.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest

from devstack.stack import free_port, wait_for
from meldkamer.db import make_engine, make_sessionmaker, upgrade
from tests.security.signin import sign_in

PASSWORD = "Sanne-wachtwoord-1"
PER_ADDRESS = 6


@pytest.fixture(scope="module")
def console_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from meldkamer.agents.accounts import create_agent

    folder = tmp_path_factory.mktemp("console-process")
    database = f"sqlite:///{folder / 'meldkamer.db'}"
    upgrade(database)
    engine = make_engine(database)
    with make_sessionmaker(engine).begin() as session:
        create_agent(
            session,
            username="sanne",
            display_name="Sanne de Vries",
            password=PASSWORD,
            now=datetime.now(timezone.utc),
        )
    engine.dispose()
    port = free_port()
    log = folder / "console.log"
    env = {
        **os.environ,
        "DATABASE_URL": database,
        "MELDKAMER_UPLOAD_DIR": str(folder / "uploads"),
        "CONSOLE_LOGIN_MAX_PER_ADDRESS": str(PER_ADDRESS),
    }
    env.pop("CONSOLE_TRUSTED_PROXIES", None)
    console = Path(sys.executable).with_name("meldkamer-console")
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(console), "--port", str(port)], env=env, stdout=out, stderr=subprocess.STDOUT
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{url}/health", process, log, timeout=60)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


async def test_no_open_redirect_from_the_running_console(console_url: str) -> None:
    answer = await sign_in(console_url, "sanne", PASSWORD, next_="/\t/evil.example")
    assert (answer.status, answer.location, answer.location_after) == (303, "/", "/")


async def test_username_rotation_is_refused_but_not_the_agent(console_url: str) -> None:
    # Sanne signed in from here before (the test above, or now): her usual network.
    assert (await sign_in(console_url, "sanne", PASSWORD)).status == 303
    for n in range(PER_ADDRESS):
        # a forged X-Forwarded-For does not make another address of each attempt
        answer = await sign_in(
            console_url, f"naam{n}", "Fout-wachtwoord-x", forwarded_for=f"6.6.6.{n}"
        )
        assert answer.status == 401
    refused = await sign_in(console_url, "naam-nieuw", "Fout-wachtwoord-x")
    assert refused.status == 429 and int(refused.retry_after or 0) > 0
    assert (await sign_in(console_url, "sanne", PASSWORD)).status == 303
