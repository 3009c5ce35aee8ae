"""What the benchmark and the load test share: simulated tenants over aiohttp, timing, the machine.

Imported by scripts/bench/run.py and scripts/bench/load.py (run as scripts, so this
folder is on ``sys.path``); the stack and the tenant come from the installed ``devstack``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from devstack.stack import ROOT
from devstack.tenant import MELDINGEN, Stuck, next_message, ticket_in

# Run as scripts, only this folder is on sys.path; the PostgreSQL helper the two scripts
# share with the tests (tests.conftest.create_pg_database) lives at the project root.
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DOCS = ROOT / "docs" / "BENCHMARKS.md"
#: Longest wait for one reply before it counts as an error.
REQUEST_TIMEOUT = 120.0
#: Most messages one tenant sends in a melding before giving up.
MAX_TURNS = 25


# --- figures --------------------------------------------------------------------------


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile (``share`` 0..1); NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, int(-(-share * len(ordered) // 1)))
    return ordered[min(len(ordered), rank) - 1]


@dataclass
class Sample:
    """One message: how long the reply took, and what went wrong (``None``: nothing)."""

    seconds: float
    error: str | None = None


@dataclass
class Outcome:
    """A level's result: samples, meldingen (conversations) done, errors, wall time."""

    samples: list[Sample] = field(default_factory=list)
    conversations: int = 0
    completed: int = 0
    tickets: dict[str, str] = field(default_factory=dict)  # sender -> ticket number
    errors: list[str] = field(default_factory=list)
    wall: float = 0.0
    #: Most tenants in the middle of their conversation at the same moment.
    peak_in_flight: int = 0

    @property
    def latencies_ms(self) -> list[float]:
        return [s.seconds * 1000 for s in self.samples if s.error is None]

    @property
    def messages(self) -> int:
        return len(self.samples)

    def summary(self) -> dict[str, Any]:
        ms = self.latencies_ms
        return {
            "conversations": self.conversations,
            "completed": self.completed,
            "messages": self.messages,
            "errors": len(self.errors),
            "median_ms": statistics.median(ms) if ms else float("nan"),
            "p95_ms": percentile(ms, 0.95),
            "p99_ms": percentile(ms, 0.99),
            "max_ms": max(ms) if ms else float("nan"),
            "messages_per_s": self.messages / self.wall if self.wall else float("nan"),
            "wall_s": self.wall,
        }


# --- tenants --------------------------------------------------------------------------


async def post_message(
    client: aiohttp.ClientSession, url: str, sender: str, text: str, outcome: Outcome
) -> list[dict[str, Any]] | None:
    """One message over the REST channel, timed; its replies.

    ``None`` (and an error in ``outcome``) when it failed or the bot said nothing: a
    tenant never gets silence for an answer.
    """
    started = time.perf_counter()
    try:
        async with client.post(
            f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text}
        ) as reply:
            body = await reply.read()
            seconds = time.perf_counter() - started
            if reply.status != 200:
                error = f"HTTP {reply.status} for {text!r}: {body[:200]!r}"
                outcome.samples.append(Sample(seconds, error))
                outcome.errors.append(error)
                return None
    except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as failure:
        error = f"{type(failure).__name__} for {text!r}: {failure}"
        outcome.samples.append(Sample(time.perf_counter() - started, error))
        outcome.errors.append(error)
        return None
    outcome.samples.append(Sample(seconds))
    replies = json.loads(body)
    if not replies or not isinstance(replies, list):
        outcome.errors.append(f"{sender}: no reply to {text!r}")
        return None
    return list(replies)


async def melding_tenant(
    client: aiohttp.ClientSession,
    url_for: Callable[[int], str],
    sender: str,
    first: str,
    answers: dict[str, Any],
    outcome: Outcome,
) -> None:
    """A tenant through a whole melding, answering like devstack/tenant.py, to a ticket."""
    outcome.conversations += 1
    message = first
    for turn in range(MAX_TURNS):
        replies = await post_message(client, url_for(turn), sender, message, outcome)
        if replies is None:
            return
        ticket = ticket_in(replies)
        if ticket:
            outcome.completed += 1
            outcome.tickets[sender] = ticket
            return
        try:
            message = next_message(replies, answers)
        except Stuck as lost:
            outcome.errors.append(f"{sender}: {lost}")
            return
    outcome.errors.append(f"{sender}: no ticket after {MAX_TURNS} messages")


async def scripted_tenant(
    client: aiohttp.ClientSession,
    url_for: Callable[[int], str],
    sender: str,
    messages: Sequence[str],
    outcome: Outcome,
) -> None:
    """A tenant saying fixed messages; every one must get at least one reply."""
    outcome.conversations += 1
    for turn, text in enumerate(messages):
        if await post_message(client, url_for(turn), sender, text, outcome) is None:
            return
    outcome.completed += 1


def melding_for(index: int) -> tuple[str, dict[str, Any]]:
    return MELDINGEN[index % len(MELDINGEN)]


async def run_tenants(
    tenants: Sequence[Callable[[aiohttp.ClientSession], Any]],
    *,
    at_once: int,
    ramp_seconds: float = 0.0,
    deadline: float = 900.0,
    outcome: Outcome,
) -> Outcome:
    """Run ``tenants`` with at most ``at_once`` in flight; bounded by ``deadline`` seconds."""
    limit = asyncio.Semaphore(at_once)
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)
    connector = aiohttp.TCPConnector(limit=0, force_close=False)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as client:
        in_flight = 0

        async def one(position: int, tenant: Callable[[aiohttp.ClientSession], Any]) -> None:
            nonlocal in_flight
            if ramp_seconds:
                await asyncio.sleep(ramp_seconds * position / max(1, len(tenants)))
            async with limit:
                in_flight += 1
                outcome.peak_in_flight = max(outcome.peak_in_flight, in_flight)
                try:
                    await tenant(client)
                finally:
                    in_flight -= 1

        started = time.perf_counter()
        tasks = [asyncio.ensure_future(one(i, t)) for i, t in enumerate(tenants)]
        done, pending = await asyncio.wait(tasks, timeout=deadline)
        for task in pending:
            task.cancel()
        if pending:
            outcome.errors.append(f"{len(pending)} tenants unfinished after {deadline:.0f} s")
            await asyncio.gather(*pending, return_exceptions=True)
        for task in done:
            if task.exception() is not None:
                outcome.errors.append(f"tenant crashed: {task.exception()!r}")
        outcome.wall = time.perf_counter() - started
    return outcome


# --- the machine ----------------------------------------------------------------------


def machine() -> dict[str, str]:
    """CPU model, cores, RAM, Python, Rasa, date."""
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "unknown"
    try:
        kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))  # type: ignore[union-attr]
        ram = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, AttributeError):
        pass
    try:
        import rasa

        rasa_version = rasa.__version__
    except ImportError:
        rasa_version = "?"
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "ram": ram,
        "python": platform.python_version(),
        "rasa": rasa_version,
        "os": f"{platform.system()} {platform.release()}",
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    }


class LoadWatch:
    """Samples the machine's 1-minute load average every second while it runs."""

    def __init__(self) -> None:
        self.samples: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.samples.append(os.getloadavg()[0])
            self._stop.wait(1.0)

    def __enter__(self) -> LoadWatch:
        self.start_load = os.getloadavg()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)
        self.end_load = os.getloadavg()

    def describe(self) -> str:
        if not self.samples:
            return "n/a"
        return (
            f"1-min loadavg at start {self.start_load[0]:.2f}, during the run "
            f"min {min(self.samples):.2f} / mean {statistics.mean(self.samples):.2f} / "
            f"max {max(self.samples):.2f}, at the end {self.end_load[0]:.2f}"
        )


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process and its children have used so far, in seconds.

    Unlike the reply time it hardly depends on what else runs on the machine, so two runs
    on a loaded machine can still be compared by it.
    """
    ticks = 0
    for candidate in [pid, *children(pid)]:
        try:
            stat = Path(f"/proc/{candidate}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def peak_rss_mb(pid: int) -> float:
    """Peak resident memory (VmHWM) of a process and its children, in MiB."""
    total_kb = 0
    for candidate in [pid, *children(pid)]:
        try:
            status = Path(f"/proc/{candidate}/status").read_text()
        except OSError:
            continue
        found = re.search(r"VmHWM:\s+(\d+) kB", status)
        if found:
            total_kb += int(found.group(1))
    return total_kb / 1024


def children(pid: int) -> list[int]:
    found: list[int] = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid:
            found.append(int(entry.name))
            found += children(int(entry.name))
    return found


def training_running() -> list[str]:
    """Other trainings on the machine, as ps lines.

    `rasa train`, `rasa init`, and `rasa test nlu --cross-validation` (a model per fold).
    """
    result = subprocess.run(
        ["pgrep", "-af", "rasa (train|init)|rasa test nlu.*cross-validation"],
        capture_output=True,
        text=True,
        check=False,
    )
    return [line for line in result.stdout.splitlines() if str(os.getpid()) not in line.split()[0]]


def wait_for_no_training(poll: float = 15.0, limit: float = 3600.0) -> None:
    """Never train in parallel with another training on this (2-core, shared) machine."""
    deadline = time.monotonic() + limit
    while (running := training_running()) and time.monotonic() < deadline:
        print(f"waiting for another training to finish: {running[0][:120]}", flush=True)
        time.sleep(poll)


def replace_section(text: str, name: str, content: str) -> str:
    """Replace what stands between ``<!-- name:start -->`` and ``<!-- name:end -->``."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    block = f"{start}\n{content.rstrip()}\n{end}"
    if start in text and end in text:
        before = text.split(start, 1)[0]
        after = text.split(end, 1)[1]
        return before + block + after
    return text.rstrip() + "\n\n" + block + "\n"


def write_section(name: str, content: str) -> None:
    text = DOCS.read_text("utf-8") if DOCS.exists() else "# Benchmarks\n"
    DOCS.write_text(replace_section(text, name, content), "utf-8")


def fmt(value: float, digits: int = 0) -> str:
    if value != value:  # NaN
        return "n/a"
    return f"{value:,.{digits}f}".replace(",", " ")
