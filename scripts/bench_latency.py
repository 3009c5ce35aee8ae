"""Reply latency of the assistant over complete meldingen, and training time.

Starts the real stack (Rasa server + action server, SQLite in a temporary folder), plays
tenants through full meldingen over the REST channel one after another, and prints the
median and p95 reply time per message. Timings vary with the machine's load: compare runs
on one machine, never assert them in tests.

    .venv/bin/python scripts/bench_latency.py [--meldingen 20] [--train]
"""

from __future__ import annotations

import argparse
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.stack import BIN, Stack  # noqa: E402
from tests.e2e.tenant import converse  # noqa: E402

MELDINGEN = [
    (
        "de leiding onder de gootsteen is gesprongen",
        {"leiding_gesprongen": True, "leiding_afsluitbaar": False},
    ),
    (
        "de cv doet het niet, geen verwarming",
        {"geen_verwarming": True, "geen_warm_water": False, "medische_noodzaak": False},
    ),
    ("ik ruik gas in de keuken", {}),
    (
        "geen stroom in het hele huis",
        {"stroomuitval": "algeheel", "storing_in_straat": False, "belemmering_bewoning": True},
    ),
    ("ik ben buitengesloten", {}),
]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def train_seconds() -> float:
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        subprocess.run(
            [
                str(BIN / "rasa"),
                "train",
                "--domain",
                "domain.yml",
                "--data",
                "data",
                "--config",
                "config.yml",
                "--out",
                out,
                "--force",
            ],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--meldingen", type=int, default=20)
    parser.add_argument("--train", action="store_true", help="also measure a full training run")
    args = parser.parse_args()

    latencies: list[float] = []
    with tempfile.TemporaryDirectory() as workdir:
        started = time.perf_counter()
        stack = Stack(database_url=f"sqlite:///{workdir}/bench.db", workdir=Path(workdir)).start()
        startup = time.perf_counter() - started
        original_say = stack.say

        def timed_say(sender: str, message: str) -> list[dict[str, object]]:
            t0 = time.perf_counter()
            replies = original_say(sender, message)
            latencies.append(time.perf_counter() - t0)
            return replies

        stack.say = timed_say  # type: ignore[method-assign]
        try:
            for i in range(args.meldingen):
                first, answers = MELDINGEN[i % len(MELDINGEN)]
                converse(stack, first, answers, sender=f"bench-{i}")
        finally:
            stack.stop()

    ms = [v * 1000 for v in latencies]
    print(f"machine: {platform.node()} {platform.machine()}, {platform.python_version()}")
    print(f"meldingen: {args.meldingen}, messages: {len(ms)}")
    median, p95 = statistics.median(ms), percentile(ms, 0.95)
    print(
        f"reply latency per message: median {median:.0f} ms, p95 {p95:.0f} ms, max {max(ms):.0f} ms"
    )
    print(f"start-up of both servers: {startup:.1f} s")
    if args.train:
        print(f"training (rasa train --force): {train_seconds():.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
