"""Benchmark: reply latency, throughput, start-up, training time and memory, against bare Rasa.

Starts the real stack (Rasa server with models/meldkamer.tar.gz and the action server)
on a fresh PostgreSQL database and drives simulated tenants over the REST channel
through complete meldingen, 1, 10 and 50 at once. In the same run it creates the
assistant ``rasa init --no-prompt`` makes (Rasa's own template, in a temporary folder,
with this virtualenv), trains it, starts it the same way and drives it with the same
load: conversations of that bot (greet, mood, affirm, goodbye) of as many messages as
our meldingen took. Our figures are printed as ratios to it, and the table goes to
docs/BENCHMARKS.md with the machine and its load during the run.

    make bench                     # the same as:
    .venv/bin/python scripts/bench/run.py [--skip-train] [--levels 1,10,50] [--meldingen 20]

Needs PostgreSQL (MELDKAMER_TEST_PG_URL, default postgresql://postgres@127.0.0.1:5432/test).
Timings depend on the machine and what else runs on it: compare runs on one machine,
never assert them in tests. Not part of `make test`.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from benchlib import (
    ROOT,
    LoadWatch,
    Outcome,
    cpu_seconds,
    machine,
    melding_for,
    melding_tenant,
    peak_rss_mb,
    run_tenants,
    scripted_tenant,
    wait_for_no_training,
    write_section,
)
from benchreport import report

from devstack.stack import BIN, MODEL, Stack, free_port, wait_for

#: What a tenant of the template bot says, block after block, along its stories and rules
#: (greet, mood, affirm/deny after "did that help", bot challenge, goodbye): every message
#: gets an answer, also when a conversation is cut off after any message.
BASELINE_BLOCKS = [
    ["hello", "I am sad", "yes"],
    ["hi", "I am feeling very good"],
    ["are you a bot?"],
    ["hey", "I am sad", "no"],
    ["goodbye"],
]


def baseline_conversation(length: int) -> list[str]:
    cycle = itertools.cycle([m for block in BASELINE_BLOCKS for m in block])
    return [next(cycle) for _ in range(length)]


# --- training ---------------------------------------------------------------------------


def train(cwd: Path, out: Path, extra: list[str]) -> float:
    """``rasa train --force`` into ``out`` from scratch; the seconds it took.

    ``--force`` alone still restores unchanged components from Rasa's training cache
    (``.rasa/cache``); an empty cache of its own makes it train every component, as
    ``rasa init`` does in its fresh folder.
    """
    wait_for_no_training()
    cache = out.parent / "rasa-cache"
    cache.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    subprocess.run(
        [str(BIN / "rasa"), "train", "--force", "--out", str(out), *extra],
        cwd=cwd,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "RASA_CACHE_DIRECTORY": str(cache)},
    )
    return time.perf_counter() - started


def init_baseline(folder: Path) -> float:
    """``rasa init --no-prompt`` (which trains the template bot); the seconds it took."""
    wait_for_no_training()
    started = time.perf_counter()
    subprocess.run(
        [str(BIN / "rasa"), "init", "--no-prompt", "--init-dir", str(folder)],
        cwd=folder,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": ""},
    )
    return time.perf_counter() - started


# --- servers ----------------------------------------------------------------------------


def first_answer(url: str, sender: str, text: str, timeout: float = 300) -> None:
    body = json.dumps({"sender": sender, "message": text}).encode()
    deadline = time.monotonic() + timeout
    while True:
        try:
            request = urllib.request.Request(
                f"{url}/webhooks/rest/webhook", body, {"Content-Type": "application/json"}
            )
            with urllib.request.urlopen(request, timeout=60) as reply:
                if reply.status == 200 and json.loads(reply.read()):
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"no answer from {url} in {timeout} s")
        time.sleep(0.2)


class Baseline:
    """The template bot's Rasa server (REST, in-memory tracker store, no action server)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> float:
        log = self.folder / "rasa.log"
        started = time.perf_counter()
        self.process = subprocess.Popen(
            [
                str(BIN / "rasa"),
                "run",
                "--enable-api",
                "--port",
                str(self.port),
                "--model",
                str(self.folder / "models"),
                "--endpoints",
                str(self.folder / "endpoints.yml"),
                "--credentials",
                str(self.folder / "credentials.yml"),
            ],
            cwd=self.folder,
            env={**os.environ, "PYTHONPATH": ""},
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
        )
        wait_for(f"{self.url}/status", self.process, log, timeout=300)
        first_answer(self.url, "start-up", "hello")
        return time.perf_counter() - started

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()


# --- load -------------------------------------------------------------------------------


def drive_meldingen(url: str, at_once: int, per_tenant: int, tag: str) -> Outcome:
    outcome = Outcome()

    def tenant(index: int) -> Any:
        async def play(client: Any) -> None:
            for round_ in range(per_tenant):
                first, answers = melding_for(index + round_)
                sender = f"bench-{tag}-{index}-{round_}-{os.getpid()}"
                await melding_tenant(client, lambda _turn: url, sender, first, answers, outcome)

        return play

    tenants = [tenant(i) for i in range(at_once)]
    return asyncio.run(run_tenants(tenants, at_once=at_once, outcome=outcome))


def drive_baseline(url: str, at_once: int, per_tenant: int, length: int, tag: str) -> Outcome:
    outcome = Outcome()

    def tenant(index: int) -> Any:
        async def play(client: Any) -> None:
            for round_ in range(per_tenant):
                sender = f"base-{tag}-{index}-{round_}-{os.getpid()}"
                messages = baseline_conversation(length)
                await scripted_tenant(client, lambda _turn: url, sender, messages, outcome)

        return play

    tenants = [tenant(i) for i in range(at_once)]
    return asyncio.run(run_tenants(tenants, at_once=at_once, outcome=outcome))


def drive_level(
    stack: Stack, baseline: Baseline, at_once: int, per_tenant: int
) -> tuple[Outcome, Outcome, dict[str, float]]:
    """Our meldingen, then the baseline's conversations as long; each server's CPU ms/message."""
    rasa, actions = stack.processes[1].pid, stack.processes[0].pid
    before = cpu_seconds(rasa), cpu_seconds(actions)
    ours = drive_meldingen(stack.url, at_once, per_tenant, f"l{at_once}")
    used = cpu_seconds(rasa) - before[0], cpu_seconds(actions) - before[1]
    length = max(1, round(ours.messages / max(1, ours.conversations)))
    base_pid = baseline.process.pid if baseline.process else None
    base_before = cpu_seconds(base_pid) if base_pid else float("nan")
    base = drive_baseline(baseline.url, at_once, per_tenant, length, f"l{at_once}")
    base_used = cpu_seconds(base_pid) - base_before if base_pid else float("nan")
    ms = 1000 / max(1, ours.messages)
    return (
        ours,
        base,
        {
            "meldkamer_rasa": used[0] * ms,
            "meldkamer_actions": used[1] * ms,
            "baseline_rasa": base_used * 1000 / max(1, base.messages),
        },
    )


def goal(levels: list[dict[str, Any]]) -> dict[str, Any]:
    """Whether issue 15's reply-time goal is met, and the ratios it was judged on.

    At 1 and at 10 at once: median and p95 at most 1.3x the baseline's, messages per
    second at least 0.8x, no errors.
    """
    checked = [lv for lv in levels if lv["at_once"] in (1, 10)]
    found = []
    met = len(checked) == 2
    for level in checked:
        ours, base = level["meldkamer"], level["baseline"]
        median = ours["median_ms"] / base["median_ms"]
        p95 = ours["p95_ms"] / base["p95_ms"]
        rate = ours["messages_per_s"] / base["messages_per_s"]
        errors = ours["errors"] + base["errors"]
        met = met and median <= 1.3 and p95 <= 1.3 and rate >= 0.8 and errors == 0
        found.append(
            f"{level['at_once']} at once: median {median:.1f}x, p95 {p95:.1f}x, "
            f"messages/s {rate:.1f}x, errors {errors}"
        )
    return {"met": met, "found": "; ".join(found) or "not measured"}


# --- main -------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--skip-train", action="store_true", help="do not time `rasa train --force` of our model"
    )
    parser.add_argument(
        "--levels", default="1,10,50", help="tenants at once, comma-separated (default 1,10,50)"
    )
    parser.add_argument(
        "--meldingen",
        type=int,
        default=20,
        help="at least this many meldingen per level (default 20)",
    )
    parser.add_argument(
        "--no-docs", action="store_true", help="print only; leave docs/BENCHMARKS.md alone"
    )
    args = parser.parse_args()
    levels = [int(x) for x in args.levels.split(",") if x.strip()]
    if not MODEL.exists():
        print(f"no trained model at {MODEL}: run `make model` first", file=sys.stderr)
        return 2

    from meldkamer.db import upgrade
    from tests.conftest import create_pg_database

    results: dict[str, Any] = {"machine": machine(), "levels": []}
    scratch = Path(tempfile.mkdtemp(prefix="meldkamer-bench-"))
    print(f"work folder {scratch}", flush=True)
    training = {"meldkamer": float("nan"), "baseline": float("nan")}
    try:
        with LoadWatch() as watch:
            # The baseline: `rasa init` copies the template (well under a second) and
            # trains it from scratch, so its duration is the template's training time.
            base_dir = scratch / "baseline"
            base_dir.mkdir()
            print("rasa init --no-prompt (template assistant, trains it) ...", flush=True)
            training["baseline"] = init_baseline(base_dir)
            if not args.skip_train:
                print("training Meldkamer (rasa train --force) ...", flush=True)
                training["meldkamer"] = train(
                    ROOT,
                    scratch / "models",
                    ["--domain", "domain.yml", "--data", "data", "--config", "config.yml"],
                )

            url, drop = create_pg_database()
            upgrade(url)
            stack = Stack(database_url=url, workdir=scratch)
            baseline = Baseline(base_dir)
            try:
                started = time.perf_counter()
                stack.start()
                first_answer(stack.url, "start-up", "hallo")
                startup = time.perf_counter() - started
                baseline_startup = baseline.start()
                results["startup"] = {"meldkamer": startup, "baseline": baseline_startup}
                print(
                    f"start-up to first answer: {startup:.1f} s, baseline {baseline_startup:.1f} s",
                    flush=True,
                )
                examples: list[str] = []
                for at_once in levels:
                    per_tenant = max(1, math.ceil(args.meldingen / at_once))
                    print(f"{at_once} at once, {per_tenant} melding(en) each ...", flush=True)
                    ours, base, cpu = drive_level(stack, baseline, at_once, per_tenant)
                    examples += ours.errors[:3] + base.errors[:3]
                    results["levels"].append(
                        {
                            "at_once": at_once,
                            "meldkamer": ours.summary(),
                            "baseline": base.summary(),
                            "cpu_ms": cpu,
                        }
                    )
                    o, b = ours.summary(), base.summary()
                    print(
                        f"  meldkamer: {o['messages']} messages, median {o['median_ms']:.0f} ms, "
                        f"p95 {o['p95_ms']:.0f} ms, {o['errors']} errors; baseline: median "
                        f"{b['median_ms']:.0f} ms, p95 {b['p95_ms']:.0f} ms, {b['errors']} errors",
                        flush=True,
                    )
                results["rss"] = {
                    "meldkamer_rasa": peak_rss_mb(stack.processes[1].pid),
                    "meldkamer_actions": peak_rss_mb(stack.processes[0].pid),
                    "baseline_rasa": peak_rss_mb(baseline.process.pid)
                    if baseline.process
                    else float("nan"),
                }
                results["error_examples"] = examples[:8]
            finally:
                stack.stop()
                baseline.stop()
                drop()
        results["training"] = training
        results["load"] = watch.describe()
        results["goal"] = goal(results["levels"])
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    text = report(results)
    print()
    print(text)
    out = ROOT / "results" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / "latest.json").write_text(json.dumps(results, indent=1, default=str))
    if not args.no_docs:
        write_section("bench", text)
        print(f"\nwritten to {Path('docs/BENCHMARKS.md')}")
    total_errors = sum(
        lv["meldkamer"]["errors"] + lv["baseline"]["errors"] for lv in results["levels"]
    )
    return 1 if total_errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
