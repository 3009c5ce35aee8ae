"""Tenant turns per melding (issue 15), before and after its work, on one fixed scenario set.

Every topic of devstack/tenant.py's MELDINGEN told by every persona of devstack/scenarios.py
(postcode, street + number only, name and phone in one message, WhatsApp, the e-mail
mistyped twice, the facts in the first message): 30 scenarios. A scenario tenant answers
the bot's questions as a person would, from its first message until the ticket number
(or no ticket: it is stuck, or gives up after 20 messages); its messages are counted.

"Before" is commit 92446a2, the last one before issue 15's work: a checkout of it with
its own trained model (``--before``, default results/bench/turns-before; made, and its
model trained, when missing) and the endpoints.yml fix that followed it (ENDPOINTS_FIX).
"After" is this checkout with models/meldkamer.tar.gz (``--model``). Each side runs its
own Rasa and action servers (devstack/stack.py's Stack, started from that side's code)
on a fresh SQLite database with the demo clients, the REST channel and WhatsApp against
the fake Graph API (tests/fakes/graph_api.py).
The scenarios and their tenant are this checkout's, the same for both sides.

    .venv/bin/python scripts/bench/turns.py [--only before|after] [--no-docs]

Writes results/bench/turns-<side>.json (every scenario with its transcript) and, from
both files, the section between the ``turns`` markers of docs/BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from benchlib import machine, wait_for_no_training, write_section

import devstack.stack as stack_module
from devstack.scenarios import GIVE_UP, PERSONAS, Scenario, ScenarioTenant, scenarios
from devstack.stack import BIN, ROOT, Stack
from devstack.tenant import Stuck, said, ticket_in
from tests.e2e.test_whatsapp_e2e import WhatsAppTenant
from tests.e2e.whatsappstack import Running
from tests.fakes.graph_api import MetaWebhooks, running_graph_api

#: The last commit before issue 15's "fewer turns" work (2026-12-01 20:02).
BEFORE_COMMIT = "92446a2"
#: Its endpoints.yml quoted ${MELDKAMER_ACTION_URL}, which Rasa does not expand: no action
#: ran. The before checkout takes endpoints.yml from the fix three minutes later (24490df).
ENDPOINTS_FIX = "24490df"
OUT = ROOT / "results" / "bench"
Replies = list[dict[str, Any]]


@dataclass
class Result:
    """One scenario played: the tenant's messages and the ticket number, if any."""

    scenario: str
    kind: str
    turns: int
    ticket: str | None
    why: str = ""
    transcript: list[str] = field(default_factory=list)


def play(scenario: Scenario, say: Callable[[str], Replies]) -> Result:
    """The tenant's messages from the first to the ticket number (or to giving up)."""
    tenant = ScenarioTenant(scenario)
    transcript: list[str] = []
    message = scenario.first
    for turn in range(1, GIVE_UP + 1):
        transcript.append(f"huurder: {message}")
        replies = say(message)
        transcript += [f"bot: {line}" for line in said(replies).splitlines() if line]
        ticket = ticket_in(replies)
        if ticket:
            return Result(scenario.name, scenario.persona.kind, turn, ticket, "", transcript)
        try:
            message = tenant.answer(replies)
        except Stuck as stuck:
            return Result(scenario.name, scenario.persona.kind, turn, None, str(stuck), transcript)
    why = f"gave up after {GIVE_UP} messages"
    return Result(scenario.name, scenario.persona.kind, GIVE_UP, None, why, transcript)


@contextmanager
def code_of(root: Path, model: Path) -> Iterator[None]:
    """Stack starts its servers from ``root`` (code, endpoints.yml) with ``model``."""
    saved = stack_module.ROOT, stack_module.MODEL
    stack_module.ROOT, stack_module.MODEL = root, model
    try:
        yield
    finally:
        stack_module.ROOT, stack_module.MODEL = saved


def apply_clients(root: Path, database_url: str) -> None:
    """Migrate and apply the demo clients with ``root``'s own code, as its `make run` does."""
    code = "import sys; from devstack.stack import apply_demo_clients as a; a(sys.argv[1])"
    subprocess.run(
        [str(BIN / "python"), "-c", code, database_url],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
        check=True,
    )


def measure(root: Path, model: Path) -> list[Result]:
    """Play every scenario against the servers of ``root`` with ``model``."""
    workdir = Path(tempfile.mkdtemp(prefix="meldkamer-turns-"))
    database_url = f"sqlite:///{workdir / 'meldkamer.db'}"
    apply_clients(root, database_url)
    results = []
    with running_graph_api() as graph, code_of(root, model):
        stack = Stack(
            database_url=database_url,
            workdir=workdir,
            demo_clients=False,
            channels=("rest", "channels.whatsapp.WhatsAppInput"),
            unset=("REDIS_URL", "WHATSAPP_*"),
            env=graph.env(),
        )
        stack.start()
        try:
            running = Running(stack, graph, MetaWebhooks(graph=graph))
            for scenario in scenarios():
                result = play(scenario, talker(scenario, running))
                print(f"  {result.scenario}: {result.turns} {result.ticket or result.why}")
                results.append(result)
        finally:
            stack.stop()
    print(f"  (servers' logs in {workdir})", flush=True)
    return results


def talker(scenario: Scenario, running: Running) -> Callable[[str], Replies]:
    """How this scenario's tenant sends a message: REST, or WhatsApp through Meta's webhooks."""
    if scenario.persona.channel == "whatsapp":
        # The profile name Meta sends with every message: the tenant's own.
        whatsapp = WhatsAppTenant(running, name=scenario.persona.naam)
        return lambda message: whatsapp.say(whatsapp.sender, message)
    sender = f"turns-{uuid.uuid4().hex[:8]}"
    return lambda message: running.stack.say(sender, message)


def before_checkout(path: Path) -> Path:
    """A checkout of BEFORE_COMMIT at ``path`` with its trained model (made when missing)."""
    if not (path / ".git").exists():
        subprocess.run(["git", "clone", "-q", str(ROOT), str(path)], check=True)
        subprocess.run(["git", "-C", str(path), "checkout", "-q", BEFORE_COMMIT], check=True)
        (path / ".venv").symlink_to(ROOT / ".venv")
    fix = ["checkout", "-q", ENDPOINTS_FIX, "--", "endpoints.yml"]
    subprocess.run(["git", "-C", str(path), *fix], check=True)
    model = path / "models" / "meldkamer.tar.gz"
    if not model.exists():
        wait_for_no_training()
        print(f"training the model of {BEFORE_COMMIT} (several minutes) ...", flush=True)
        subprocess.run(
            ["nice", "-n", "10", str(BIN / "rasa"), "train", "--domain", "domain.yml"]
            + ["--data", "data", "--config", "config.yml", "--out", "models"]
            + ["--fixed-model-name", "meldkamer"],
            cwd=path,
            env={**os.environ, "PYTHONPATH": str(path)},
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return model


# --- report -----------------------------------------------------------------------------


def median_turns(results: list[dict[str, Any]]) -> str:
    """The median over the scenarios that reached a ticket."""
    turns = [r["turns"] for r in results if r["ticket"]]
    return f"{statistics.median(turns):g}" if turns else "n/a"


def tickets(results: list[dict[str, Any]]) -> str:
    return f"{sum(1 for r in results if r['ticket'])}/{len(results)}"


def kind_rows(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> list[str]:
    rows = [
        "| scenario kind | before: median turns | after: median turns "
        "| tickets before | tickets after |",
        "|---|---:|---:|---:|---:|",
    ]
    for persona in PERSONAS:
        b = [r for r in before if r["kind"] == persona.kind]
        a = [r for r in after if r["kind"] == persona.kind]
        rows.append(
            f"| {persona.label} | {median_turns(b)} | {median_turns(a)} "
            f"| {tickets(b)} | {tickets(a)} |"
        )
    rows.append(
        f"| **all {len(after)} scenarios** | **{median_turns(before)}** "
        f"| **{median_turns(after)}** | **{tickets(before)}** | **{tickets(after)}** |"
    )
    return rows


def cell(result: dict[str, Any] | None) -> str:
    if result is None:
        return "not run"
    return str(result["turns"]) if result["ticket"] else f"{result['turns']}, no ticket"


def scenario_rows(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> list[str]:
    """Per scenario, before -> after: topics down, kinds across."""
    by_name = {side: {r["scenario"]: r for r in rs} for side, rs in (("b", before), ("a", after))}
    topics = list(dict.fromkeys(s.topic for s in scenarios()))
    rows = [
        "| topic | " + " | ".join(p.kind for p in PERSONAS) + " |",
        "|---|" + "---:|" * len(PERSONAS),
    ]
    for topic in topics:
        cells = [
            f"{cell(by_name['b'].get(f'{topic}/{p.kind}'))} → "
            f"{cell(by_name['a'].get(f'{topic}/{p.kind}'))}"
            for p in PERSONAS
        ]
        rows.append(f"| {topic} | " + " | ".join(cells) + " |")
    return rows


def report(before: dict[str, Any], after: dict[str, Any]) -> str:
    b, a = before["results"], after["results"]
    lines = [
        f"Last run: before {before['date']} (commit {BEFORE_COMMIT}, its own model), "
        f"after {after['date']} (commit {after['commit']}, models/meldkamer.tar.gz).",
        "",
        *kind_rows(b, a),
        "",
        "Per scenario, tenant messages before → after (no ticket: stuck or gave up):",
        "",
        *scenario_rows(b, a),
    ]
    stuck = [f"- after, {r['scenario']}: {r['why'][:160]}" for r in a if not r["ticket"]]
    stuck += [f"- before, {r['scenario']}: {r['why'][:160]}" for r in b if not r["ticket"]]
    if stuck:
        lines += ["", "Without a ticket:", "", *stuck]
    return "\n".join(lines)


def commit_of(root: Path) -> str:
    found = subprocess.run(
        ["git", "-C", str(root), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
    )
    return found.stdout.strip() or "?"


def run_side(side: str, root: Path, model: Path) -> None:
    print(f"{side}: {root} with {model}", flush=True)
    results = measure(root, model)
    record = {
        "side": side,
        "commit": commit_of(root),
        "date": machine()["date"],
        "results": [asdict(r) for r in results],
    }
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"turns-{side}.json").write_text(json.dumps(record, indent=1, ensure_ascii=False))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("before", "after"), help="measure one side only")
    parser.add_argument("--before", type=Path, default=OUT / "turns-before")
    parser.add_argument("--model", type=Path, default=stack_module.MODEL)
    parser.add_argument("--no-docs", action="store_true", help="leave docs/BENCHMARKS.md alone")
    args = parser.parse_args()
    if args.only != "after":
        root = args.before.resolve()
        run_side("before", root, before_checkout(root))
    if args.only != "before":
        run_side("after", ROOT, args.model.resolve())
    files = [OUT / "turns-before.json", OUT / "turns-after.json"]
    if not all(f.exists() for f in files):
        print("one side was never measured: no report", file=sys.stderr)
        return 1
    text = report(*(json.loads(f.read_text()) for f in files))
    print("\n" + text)
    if not args.no_docs:
        write_section("turns", text)
        print("\nwritten to docs/BENCHMARKS.md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
