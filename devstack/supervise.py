"""Keep one process of ``make run`` running: ``python -m devstack.supervise``.

``python -m devstack.supervise --name actions --log var/actions.log -- CMD ARGS...`` starts
``CMD``, appends its output to the log, and starts it again when it stops on its own
(killed, crashed): after a short backoff that doubles with each quick crash, with the
restart count in the log and on this process's stderr. After
:attr:`Policy.max_fast_crashes` quick crashes in a row it gives up loudly and exits 1,
so scripts/run.sh ends the run instead of restarting a broken process for ever. SIGINT
or SIGTERM (Ctrl-C, run.sh's clean-up) stops the process and the supervisor, never
restarts it. In production systemd (``Restart=always``), Compose (``restart:``) or
Kubernetes do this job (docs/DEPLOY.md).
"""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from types import FrameType
from typing import IO

#: Exit code when the supervisor gave up on a process that keeps crashing.
GAVE_UP = 1
#: Seconds a stopping process gets after SIGTERM before it is killed.
STOP_GRACE = 20.0


@dataclass(frozen=True)
class Policy:
    """When to restart: the backoff, and when a process counts as broken."""

    first_backoff: float = 0.5
    max_backoff: float = 10.0
    #: A run at least this long was healthy: the count of quick crashes starts again.
    stable_after: float = 30.0
    max_fast_crashes: int = 5


class Restarts:
    """The restart decisions for one process (pure: the caller measures the run time)."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self.count = 0
        self.fast_crashes = 0

    def after_exit(self, ran_for: float) -> float | None:
        """Seconds to wait before the next start, or ``None``: give up."""
        self.fast_crashes = 0 if ran_for >= self.policy.stable_after else self.fast_crashes + 1
        if self.fast_crashes >= self.policy.max_fast_crashes:
            return None
        self.count += 1
        if self.fast_crashes == 0:
            return self.policy.first_backoff
        backoff = self.policy.first_backoff * 2 ** (self.fast_crashes - 1)
        return float(min(self.policy.max_backoff, backoff))


class Supervisor:
    """Runs ``command`` until stopped, restarting it by :class:`Restarts`."""

    def __init__(
        self,
        name: str,
        command: Sequence[str],
        log: Path,
        policy: Policy | None = None,
        clock: Callable[[], float] = time.monotonic,
        report: IO[str] = sys.stderr,
    ) -> None:
        self.name = name
        self.command = list(command)
        self.log = log
        self.restarts = Restarts(policy or Policy())
        self.clock = clock
        self.report = report
        self.stopping = threading.Event()
        self.child: subprocess.Popen[bytes] | None = None

    def say(self, message: str) -> None:
        """One line to stderr and to the process's own log (where one looks at night)."""
        stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
        line = f"{stamp} supervise[{self.name}]: {message}"
        print(line, file=self.report, flush=True)
        with self.log.open("a", encoding="utf-8") as out:
            out.write(line + "\n")

    def stop(self, signum: int, _frame: FrameType | None = None) -> None:
        """Signal handler: pass the signal on and do not restart."""
        self.stopping.set()
        child = self.child
        if child is not None and child.poll() is None:
            child.send_signal(signum)

    def run_once(self) -> tuple[int, float]:
        """Start the command, wait for it; returns (exit code, seconds it ran)."""
        started = self.clock()
        with self.log.open("ab") as out:
            self.child = subprocess.Popen(self.command, stdout=out, stderr=subprocess.STDOUT)
        code = self._wait(self.child)
        return code, self.clock() - started

    def _wait(self, child: subprocess.Popen[bytes]) -> int:
        while True:
            try:
                return child.wait(timeout=STOP_GRACE if self.stopping.is_set() else None)
            except subprocess.TimeoutExpired:
                child.kill()

    def run(self) -> int:
        """Supervise until stopped (0) or until the process keeps crashing (:data:`GAVE_UP`)."""
        while not self.stopping.is_set():
            code, ran_for = self.run_once()
            if self.stopping.is_set():
                break
            delay = self.restarts.after_exit(ran_for)
            if delay is None:
                self.say(
                    f"stopped {self.restarts.fast_crashes} times in a row within "
                    f"{self.restarts.policy.stable_after:.0f} s (last exit {code}): giving "
                    f"up, see {self.log}"
                )
                return GAVE_UP
            self.say(
                f"stopped with exit {code} after {ran_for:.1f} s; restart "
                f"{self.restarts.count} in {delay:.1f} s"
            )
            self.stopping.wait(delay)
        return 0


def main(argv: Sequence[str] | None = None) -> int:
    """The command line: supervise one command until stopped; returns the exit code."""
    parser = argparse.ArgumentParser(description="restart a process of make run when it dies")
    parser.add_argument("--name", required=True, help="the process's name in the messages")
    parser.add_argument("--log", required=True, type=Path, help="its log (appended to)")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- the command and its options")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command given (after --)")
    supervisor = Supervisor(args.name, command, args.log)
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, supervisor.stop)
    return supervisor.run()


if __name__ == "__main__":
    sys.exit(main())
