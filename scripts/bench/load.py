"""Load: 200 tenants at once, each through a complete melding, on two Rasa servers.

Starts the real stack on a fresh PostgreSQL database with Redis (REDIS_URL: shared
conversation locks and web chat streams), adds a second Rasa server on the same
database, locks and action server, and lets simulated tenants send their messages to
the two servers in turn (round-robin per message, as a load balancer without sticky
sessions would). Checks that every message got an answer, that no request failed
(no 5xx), and in the database that every melding is exactly one ticket (tickets counted
by conversation id, and the number the tenant was told). Reports counts, latency
percentiles and errors, and writes them to docs/BENCHMARKS.md.

    .venv/bin/python scripts/bench/load.py [--tenants 200] [--ramp 5] [--no-docs]

Bounded: each reply may take at most 120 s, the whole run at most --deadline seconds.
Not part of `make test`. Exit code 1 when anything was lost or failed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from benchlib import (
    LoadWatch,
    Outcome,
    fmt,
    machine,
    melding_for,
    melding_tenant,
    peak_rss_mb,
    run_tenants,
    write_section,
)

from devstack.stack import MODEL, Stack

REDIS_URL = os.environ.get("MELDKAMER_LOAD_REDIS_URL", "redis://127.0.0.1:6379/7")


def tickets_by_conversation(database_url: str, prefix: str) -> dict[str, list[str]]:
    from sqlalchemy import select

    from devstack.stored import database
    from meldkamer.tickets import Ticket

    found: dict[str, list[str]] = {}
    with database(database_url) as session:
        rows = session.execute(
            select(Ticket.conversation_id, Ticket.number).where(
                Ticket.conversation_id.like(f"{prefix}%")
            )
        ).all()
    for conversation_id, number in rows:
        found.setdefault(conversation_id, []).append(number)
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenants", type=int, default=200, help="tenants at once (default 200)")
    parser.add_argument(
        "--ramp", type=float, default=5.0, help="seconds over which they start (default 5)"
    )
    parser.add_argument(
        "--deadline", type=float, default=1200.0, help="stop after this many seconds (1200)"
    )
    parser.add_argument("--no-docs", action="store_true", help="leave docs/BENCHMARKS.md alone")
    args = parser.parse_args()
    if not MODEL.exists():
        print(f"no trained model at {MODEL}: run `make model` first", file=sys.stderr)
        return 2

    import redis

    from meldkamer.db import upgrade
    from tests.conftest import create_pg_database

    redis.Redis.from_url(REDIS_URL).ping()
    url, drop = create_pg_database()
    upgrade(url)
    prefix = f"load-{os.getpid()}-"
    info = machine()
    with tempfile.TemporaryDirectory(prefix="meldkamer-load-") as workdir, LoadWatch() as watch:
        stack = Stack(database_url=url, workdir=Path(workdir), env={"REDIS_URL": REDIS_URL})
        try:
            stack.start()
            second = stack.add_rasa_server()
            servers = [stack.url, second]
            print(f"two Rasa servers: {servers}; {args.tenants} tenants", flush=True)
            outcome = Outcome()

            def tenant(index: int) -> Any:
                first, answers = melding_for(index)
                sender = f"{prefix}{index}"

                async def play(client: Any) -> None:
                    # Round-robin per message, starting on alternate servers.
                    await melding_tenant(
                        client,
                        lambda turn: servers[(index + turn) % 2],
                        sender,
                        first,
                        answers,
                        outcome,
                    )

                return play

            asyncio.run(
                run_tenants(
                    [tenant(i) for i in range(args.tenants)],
                    at_once=args.tenants,
                    ramp_seconds=args.ramp,
                    deadline=args.deadline,
                    outcome=outcome,
                )
            )
            rss = {
                "rasa A": peak_rss_mb(stack.processes[1].pid),
                "rasa B": peak_rss_mb(stack.processes[2].pid),
                "actions": peak_rss_mb(stack.processes[0].pid),
            }
            stored = tickets_by_conversation(url, prefix)
        finally:
            stack.stop()
            drop()

    summary = outcome.summary()
    problems: list[str] = []
    senders = [f"{prefix}{i}" for i in range(args.tenants)]
    per_conversation = Counter({s: len(stored.get(s, [])) for s in senders})
    none = [s for s in senders if per_conversation[s] == 0]
    several = [s for s in senders if per_conversation[s] > 1]
    mismatched = [
        s for s, told in outcome.tickets.items() if stored.get(s) and told not in stored[s]
    ]
    if none:
        problems.append(f"{len(none)} meldingen without a ticket (e.g. {none[0]})")
    if several:
        problems.append(f"{len(several)} meldingen with more than one ticket (e.g. {several[0]})")
    if mismatched:
        problems.append(f"{len(mismatched)} tenants told another number than stored")
    server_errors = [e for e in outcome.errors if "HTTP 5" in e]
    lines = [
        f"Last run: {info['date']} on {info['cpu']}, {info['cores']} cores, {info['ram']} RAM, "
        f"Python {info['python']}, Rasa {info['rasa']}; two Rasa servers, one action server, "
        "PostgreSQL and Redis on the same machine.",
        f"Load on the machine: {watch.describe()}.",
        "",
        "| | |",
        "|---|---:|",
        f"| tenants (started over {args.ramp:.0f} s) / most in a conversation at once | "
        f"{args.tenants} / {outcome.peak_in_flight} |",
        f"| meldingen completed with a ticket number | {outcome.completed} |",
        f"| messages sent / answered | {summary['messages']} / "
        f"{summary['messages'] - sum(1 for s in outcome.samples if s.error)} |",
        f"| errors (all kinds) / of which 5xx | {len(outcome.errors)} / {len(server_errors)} |",
        f"| tickets in the database for these conversations | {sum(per_conversation.values())} |",
        f"| meldingen with exactly one ticket | "
        f"{sum(1 for s in senders if per_conversation[s] == 1)} |",
        f"| reply latency median / p95 / p99 / max (ms) | {fmt(summary['median_ms'])} / "
        f"{fmt(summary['p95_ms'])} / {fmt(summary['p99_ms'])} / {fmt(summary['max_ms'])} |",
        f"| messages per second (both servers) | {fmt(summary['messages_per_s'], 1)} |",
        f"| wall time (s) | {fmt(summary['wall_s'])} |",
        "| peak RSS Rasa A / Rasa B / action server (MiB) | "
        + " / ".join(fmt(rss[k]) for k in ("rasa A", "rasa B", "actions"))
        + " |",
        "",
        "Result: "
        + (
            "**nothing lost, no errors**."
            if not problems and not outcome.errors
            else "**problems**:"
        ),
    ]
    lines += [f"- {p}" for p in problems]
    lines += [f"- `{e[:200]}`" for e in outcome.errors[:8]]
    text = "\n".join(lines)
    print(text)
    if not args.no_docs:
        write_section("load", text)
    return 1 if problems or outcome.errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
