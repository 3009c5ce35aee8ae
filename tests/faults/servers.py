"""Helpers of the fault tests around :class:`devstack.stack.Stack`."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import urllib.request
from pathlib import Path
from typing import Any

from devstack.stack import BIN, ROOT, Stack


def action_server(stack: Stack) -> subprocess.Popen[bytes]:
    """The stack's action server process (the first it started)."""
    process = stack.processes[0]
    assert "actions" in process.args, process.args
    return process


def kill_action_server(stack: Stack) -> None:
    """``kill -9`` the action server, as a crash or an OOM kill would."""
    process = action_server(stack)
    os.kill(process.pid, signal.SIGKILL)
    process.wait(10)


def restart_action_server(stack: Stack) -> subprocess.Popen[bytes]:
    """Start the action server again on the same port, as a supervisor would."""
    process = stack.start_action_server("actions-restarted.log")
    stack.processes[0] = process
    stack.wait_for_action_server(process, "actions-restarted.log")
    return process


def tracker(stack: Stack, sender: str) -> dict[str, Any]:
    with urllib.request.urlopen(stack.api(f"/conversations/{sender}/tracker"), timeout=30) as reply:
        return dict(json.loads(reply.read()))


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """``meldkamer worker`` (outbox, escalation, spool) with a short interval."""
    return subprocess.Popen(
        [str(BIN / "meldkamer"), "worker", "--interval", "0.5"],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), **env},
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
