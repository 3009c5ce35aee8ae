"""The action server builds the actions' runtime before it answers (rasa_addons/action_server.py)."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session, sessionmaker

from actions.runtime import use_runtime, warm_up
from meldkamer.service.context import Collaborators
from meldkamer.triage.officehours import dutch_holidays
from rasa_addons import action_server


class _App:
    """What the listener needs of a Sanic app: register_listener."""

    def __init__(self) -> None:
        self.listeners: dict[str, list[Callable[..., Any]]] = {}

    def register_listener(self, listener: Callable[..., Any], event: str) -> None:
        self.listeners.setdefault(event, []).append(listener)


def _start(warm: Callable[[], None], then: Callable[[], None] = lambda: None) -> None:
    """Run the listener as Sanic would; ``then`` runs before the loop closes."""
    app = _App()
    action_server.warm_up_before_start(app, warm)  # type: ignore[arg-type]
    (listener,) = app.listeners["before_server_start"]

    async def run() -> None:
        await listener(app, asyncio.get_running_loop())
        then()

    asyncio.run(run())


def test_the_warm_up_runs_before_the_server_starts() -> None:
    ran: list[str] = []
    _start(lambda: ran.append(threading.current_thread().name))
    # In a worker thread: the blocking database calls never hold the event loop.
    assert len(ran) == 1 and ran[0] != threading.main_thread().name


def test_a_failed_warm_up_only_logs(caplog: pytest.LogCaptureFixture) -> None:
    def away() -> None:
        raise ConnectionError("database away")

    with caplog.at_level(logging.WARNING, logger=action_server.__name__):
        _start(away)
    assert "warm-up not done (database away)" in caplog.text


def test_a_warm_up_that_hangs_does_not_keep_the_server_from_starting(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(action_server, "WARM_UP_S", 0.05)
    released = threading.Event()
    try:
        with caplog.at_level(logging.WARNING, logger=action_server.__name__):
            # Released once the listener gave up: asyncio.run waits for its executor's
            # threads, so a thread still hanging would hold the test for the 30 s.
            _start(lambda: released.wait(30) and None, then=released.set)
        assert "warm-up not done" in caplog.text
    finally:
        released.set()


@pytest.fixture
def installed(demo_sessions: sessionmaker[Session]) -> Iterator[Collaborators]:
    night = datetime(2026, 12, 30, 3, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))
    ctx = Collaborators(sessions=demo_sessions, clock=lambda: night)
    use_runtime(ctx)
    try:
        yield ctx
    finally:
        use_runtime(None)


def test_warm_up_reads_the_clients_and_the_holidays(installed: Collaborators) -> None:
    dutch_holidays.cache_clear()
    warm_up()
    assert installed.clients is not None and "de-linde" in installed.registry()
    # Late December: this year's and next year's holidays (New Year's Day) are ready.
    assert dutch_holidays.cache_info().currsize == 2
