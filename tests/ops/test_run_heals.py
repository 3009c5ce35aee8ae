"""`make run` heals (issue 17): kill -9 of the action server, the console or the worker.

The real scripts/run.sh stack (tests/security/runstack.py). Each killed process is back
within seconds under its supervisor (devstack/supervise.py) while the others keep
running; a melding in progress over REST gets the existing apology while the action
server is down and then ends with its ticket.
"""

from __future__ import annotations

import os
import signal
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any, cast

import pytest

from channels.rest import APOLOGY
from devstack.stack import Stack, rest_say
from devstack.tenant import MELDINGEN, answer_until, converse, said
from tests.security.runstack import (
    RunStack,
    make_run_stack,  # noqa: F401
)

pytestmark = pytest.mark.e2e

#: Seconds a killed process has to answer again (the supervisor waits 0.5 s first).
BACK_WITHIN = 60.0
SUPERVISOR = "devstack.supervise"


class RestTenant:
    """The REST channel of a run.sh stack, as devstack.tenant talks to a Stack."""

    def __init__(self, stack: RunStack) -> None:
        self.stack = stack

    def say(self, sender: str, message: str) -> list[dict[str, Any]]:
        return rest_say(self.stack.rasa, sender, message)


def process_of(stack: RunStack, marker: str) -> int:
    """The pid of the stack's process whose command line contains ``marker``."""
    found = []
    for pid in stack.pids():
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except (FileNotFoundError, ProcessLookupError):
            continue
        if marker.encode() in command and SUPERVISOR.encode() not in command:
            found.append(pid)
    assert len(found) == 1, (marker, found)
    return found[0]


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as answer:
            return answer.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def wait_for(check: Any, what: str, stack: RunStack) -> None:
    deadline = time.monotonic() + BACK_WITHIN
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    pytest.fail(f"{what} not back within {BACK_WITHIN:.0f} s:\n{stack.logs()}")


def kill(stack: RunStack, marker: str) -> int:
    """kill -9 the process and wait until it is gone; returns its pid."""
    pid = process_of(stack, marker)
    os.kill(pid, signal.SIGKILL)
    wait_for(lambda: pid not in stack.pids(), f"{marker} dying", stack)
    return pid


def replaced(stack: RunStack, marker: str, old: int) -> bool:
    try:
        return process_of(stack, marker) != old
    except AssertionError:
        return False


def test_a_killed_action_server_comes_back_and_the_melding_goes_on(
    make_run_stack: RunStack,  # noqa: F811
) -> None:
    stack = make_run_stack
    tenant = RestTenant(stack)
    sender = f"heal-{uuid.uuid4().hex[:8]}"
    first, facts = MELDINGEN[0]
    answer_until(tenant, sender, first, facts, "Fatima el Amrani")

    old = kill(stack, "rasa_addons.action_server")
    assert [r.get("text") for r in tenant.say(sender, "Fatima el Amrani")] == [APOLOGY]
    wait_for(lambda: answers(f"{stack.actions}/health"), "the action server", stack)
    assert replaced(stack, "rasa_addons.action_server", old)
    assert "supervise[actions]: stopped with exit -9" in (stack.var / "actions.log").read_text()

    number, transcript = converse(cast(Stack, tenant), "Fatima el Amrani", facts, sender=sender)
    assert "postcode en huisnummer" not in "\n".join(transcript)
    assert number.startswith("MK-")


def test_a_killed_console_comes_back(make_run_stack: RunStack) -> None:  # noqa: F811
    stack = make_run_stack
    old = kill(stack, "console.app")
    wait_for(lambda: answers(f"{stack.console}/health"), "the console", stack)
    assert replaced(stack, "console.app", old)
    assert "restart 1 in" in (stack.var / "console.log").read_text()
    # Rasa kept running meanwhile.
    assert said(RestTenant(stack).say(f"heal-{uuid.uuid4().hex[:8]}", "hallo"))


def test_a_killed_worker_comes_back(make_run_stack: RunStack) -> None:  # noqa: F811
    stack = make_run_stack
    old = kill(stack, "worker")
    wait_for(lambda: replaced(stack, "worker", old), "the worker", stack)
    log = stack.var / "worker.log"
    wait_for(lambda: log.read_text().count("kanalen aan") >= 2, "the worker's start", stack)
    assert "supervise[worker]: stopped with exit -9" in log.read_text()
