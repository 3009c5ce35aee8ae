"""The real ``make run`` stack (scripts/run.sh) on free ports with a temporary var folder.

``make_run_stack`` is session-scoped: every security test that needs the stack as a
newcomer starts it (Rasa, action server, console, worker, dev sinks; SQLite in the
temporary var folder) shares one. Use it from another test file with
``from tests.security.runstack import make_run_stack  # noqa: F401``.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import pytest

from devstack.stack import MODEL, ROOT, free_port, wait_for

#: Seconds scripts/run.sh gets to bring everything up (Rasa loads the model).
START_TIMEOUT = 300


@dataclass
class RunStack:
    """scripts/run.sh as started by ``make run``, with its ports and var folder."""

    var: Path
    ports: dict[str, int] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None

    @property
    def rasa(self) -> str:
        return f"http://127.0.0.1:{self.ports['rasa']}"

    @property
    def actions(self) -> str:
        return f"http://127.0.0.1:{self.ports['actions']}"

    @property
    def console(self) -> str:
        return f"http://127.0.0.1:{self.ports['console']}"

    @property
    def log(self) -> Path:
        return self.var / "run.log"

    def rasa_token(self) -> str:
        """The token scripts/run.sh generated into the var folder."""
        return (self.var / "rasa-api-token").read_text().strip()

    def api(self, path: str, **params: str) -> str:
        """Rasa's API ``path`` with the generated token."""
        return f"{self.rasa}{path}?{urlencode({**params, 'token': self.rasa_token()})}"

    def env(self) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith("MELDKAMER_") and k not in {"DATABASE_URL", "REDIS_URL", "RASA_URL"}
        }
        return {
            **env,
            "MELDKAMER_VAR_DIR": str(self.var),
            "MELDKAMER_RASA_PORT": str(self.ports["rasa"]),
            "MELDKAMER_ACTION_PORT": str(self.ports["actions"]),
            "MELDKAMER_CONSOLE_PORT": str(self.ports["console"]),
            "MELDKAMER_SMTP_SINK_PORT": str(self.ports["smtp"]),
            "MELDKAMER_SMS_SINK_PORT": str(self.ports["sms"]),
            "MAIL_IN_SMTP_LISTEN": f"127.0.0.1:{self.ports['mail']}",
        }

    def start(self) -> RunStack:
        if not MODEL.exists():
            raise RuntimeError(f"no trained model at {MODEL}: run `make model`")
        self.ports = {
            name: free_port() for name in ("rasa", "actions", "console", "smtp", "sms", "mail")
        }
        self.process = subprocess.Popen(
            ["scripts/run.sh"],
            cwd=ROOT,
            env=self.env(),
            stdout=self.log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,  # one process group: stop() ends all of it
        )
        for url in (f"{self.rasa}/version", f"{self.actions}/health", f"{self.console}/health"):
            wait_for(url, self.process, self.logs, START_TIMEOUT)
        return self

    def logs(self) -> str:
        return "\n".join(
            f"--- {log.name}\n{log.read_text(errors='replace')[-2000:]}"
            for log in sorted(self.var.glob("*.log"))
        )

    def pids(self) -> set[int]:
        """Every process of the stack (its process group)."""
        assert self.process is not None
        group = os.getpgid(self.process.pid)
        found = set()
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    if os.getpgid(int(entry.name)) == group:
                        found.add(int(entry.name))
                except ProcessLookupError:
                    continue
        return found

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        group = os.getpgid(self.process.pid)
        os.killpg(group, signal.SIGTERM)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)
        # Whatever of the stack is still there after run.sh's own clean-up.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group, signal.SIGKILL)


@pytest.fixture(scope="session")
def make_run_stack() -> Iterator[RunStack]:
    """scripts/run.sh on free ports with a temporary var folder (SQLite), for the session."""
    with tempfile.TemporaryDirectory(prefix="meldkamer-run-") as var:
        stack = RunStack(Path(var))
        try:
            yield stack.start()
        finally:
            stack.stop()
