"""devstack/supervise.py: restart with backoff, give up loudly, stop without restarting."""

from __future__ import annotations

import io
import signal
import sys
import threading
from pathlib import Path

import pytest

from devstack.supervise import GAVE_UP, Policy, Restarts, Supervisor, main


def test_backoff_doubles_with_quick_crashes_up_to_the_cap() -> None:
    restarts = Restarts(Policy(first_backoff=0.5, max_backoff=3.0, max_fast_crashes=9))
    assert [restarts.after_exit(1.0) for _ in range(5)] == [0.5, 1.0, 2.0, 3.0, 3.0]
    assert restarts.count == 5


def test_a_healthy_run_starts_the_count_of_quick_crashes_again() -> None:
    restarts = Restarts(Policy(first_backoff=0.5, stable_after=30.0, max_fast_crashes=3))
    assert restarts.after_exit(1.0) == 0.5
    assert restarts.after_exit(1.0) == 1.0
    assert restarts.after_exit(31.0) == 0.5
    assert restarts.fast_crashes == 0
    assert restarts.after_exit(1.0) == 0.5
    assert restarts.after_exit(1.0) == 1.0
    assert restarts.after_exit(1.0) is None


def test_gives_up_after_repeated_quick_crashes(tmp_path: Path) -> None:
    log = tmp_path / "crash.log"
    moments = iter(float(t) for t in range(1000))
    report = io.StringIO()
    supervisor = Supervisor(
        "crash",
        [sys.executable, "-c", "print('kapot'); raise SystemExit(3)"],
        log,
        Policy(first_backoff=0.0, max_backoff=0.0, max_fast_crashes=4),
        clock=lambda: next(moments),
        report=report,
    )
    assert supervisor.run() == GAVE_UP
    text = log.read_text()
    assert text.count("kapot") == 4
    for count in (1, 2, 3):
        assert f"stopped with exit 3 after 1.0 s; restart {count} in" in text
    assert "restart 4" not in text
    assert "stopped 4 times in a row within 30 s (last exit 3): giving up" in text
    assert "giving up" in report.getvalue()


def test_a_stop_signal_stops_the_process_and_does_not_restart_it(tmp_path: Path) -> None:
    log = tmp_path / "long.log"
    supervisor = Supervisor(
        "long",
        [sys.executable, "-c", "import time; print('gestart', flush=True); time.sleep(600)"],
        log,
        report=io.StringIO(),
    )
    result: list[int] = []
    thread = threading.Thread(target=lambda: result.append(supervisor.run()))
    thread.start()
    # The signal handler is called as the signal would call it, once the child is up.
    while "gestart" not in (log.read_text() if log.exists() else ""):
        thread.join(0.05)
    supervisor.stop(signal.SIGTERM)
    thread.join(30)
    assert result == [0]
    assert supervisor.child is not None and supervisor.child.returncode == -signal.SIGTERM
    assert "restart" not in log.read_text()


def test_a_command_is_required(tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["--name", "x", "--log", str(tmp_path / "x.log"), "--"])
    assert stopped.value.code == 2
