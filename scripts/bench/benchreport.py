"""The benchmark's report: the tables scripts/bench/run.py prints and writes to docs/BENCHMARKS.md."""

from __future__ import annotations

from typing import Any

from benchlib import fmt


def cpu_rows(levels: list[dict[str, Any]]) -> list[str]:
    """The table of CPU time per message (the ratios hardly depend on the machine's load)."""
    lines = [
        "",
        "CPU time per message (ms, user + system, of each server process while the level ran):",
        "",
        "| at once | Meldkamer Rasa server | action server | together | baseline Rasa server "
        "| ratio Rasa servers | ratio together |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for level in levels:
        c = level.get("cpu_ms")
        if not c:
            continue
        together = c["meldkamer_rasa"] + c["meldkamer_actions"]
        lines.append(
            f"| {level['at_once']} | {fmt(c['meldkamer_rasa'], 1)} | {fmt(c['meldkamer_actions'], 1)} "
            f"| {fmt(together, 1)} | {fmt(c['baseline_rasa'], 1)} "
            f"| {ratio(c['meldkamer_rasa'], c['baseline_rasa'])} | {ratio(together, c['baseline_rasa'])} |"
        )
    return lines


def ratio(ours: float, theirs: float) -> str:
    if not theirs or theirs != theirs or ours != ours:
        return "n/a"
    return f"{ours / theirs:.1f}x"


def report(results: dict[str, Any]) -> str:
    m = results["machine"]
    lines = [
        f"Last run: {m['date']} on {m['cpu']}, {m['cores']} cores, {m['ram']} RAM, "
        f"{m['os']}, Python {m['python']}, Rasa {m['rasa']}.",
        f"Load on the machine (shared with other work): {results['load']}.",
        "",
        "Per-message reply latency over the REST channel (client side, the whole round trip),",
        "complete meldingen by simulated tenants; the baseline is the assistant",
        "`rasa init --no-prompt` makes, driven with its own conversations of the same length.",
        "",
        "| at once | who | conversations (done) | messages | errors | median ms | p95 ms | p99 ms | messages/s |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for level in results["levels"]:
        for who in ("meldkamer", "baseline"):
            s = level[who]
            lines.append(
                f"| {level['at_once']} | {who} | {s['conversations']} ({s['completed']}) | "
                f"{s['messages']} | {s['errors']} | {fmt(s['median_ms'])} | {fmt(s['p95_ms'])} | "
                f"{fmt(s['p99_ms'])} | {fmt(s['messages_per_s'], 1)} |"
            )
        ours, base = level["meldkamer"], level["baseline"]
        lines.append(
            f"| {level['at_once']} | **ratio** | | | | **{ratio(ours['median_ms'], base['median_ms'])}** | "
            f"**{ratio(ours['p95_ms'], base['p95_ms'])}** | **{ratio(ours['p99_ms'], base['p99_ms'])}** | "
            f"**{ratio(ours['messages_per_s'], base['messages_per_s'])}** |"
        )
    lines += cpu_rows(results["levels"])
    s, t, r = results["startup"], results["training"], results["rss"]

    def row(name: str, ours: float, theirs: float, digits: int = 0) -> str:
        return f"| {name} | {fmt(ours, digits)} | {fmt(theirs, digits)} | {ratio(ours, theirs)} |"

    lines += [
        "",
        "| | Meldkamer | baseline | ratio |",
        "|---|---:|---:|---:|",
        row("start of the processes to the first answer (s)", s["meldkamer"], s["baseline"], 1),
        row("training from scratch (s)¹", t["meldkamer"], t["baseline"]),
        row("peak RSS of the Rasa server (MiB)", r["meldkamer_rasa"], r["baseline_rasa"]),
        f"| peak RSS of the action server (MiB) | {fmt(r['meldkamer_actions'])} | "
        "none: the template has no custom actions | |",
    ]
    lines += [
        "",
        "¹ Meldkamer: `rasa train --force` into a temporary folder; baseline: `rasa init "
        "--no-prompt`, which copies the template and trains it from scratch. "
        "n/a: run with --skip-train.",
    ]
    goal = results["goal"]
    lines += [
        "",
        "Goal (issue 15): at 1 and at 10 at once, median and p95 at most 1.3x the baseline's "
        f"and messages/s at least 0.8x, no errors: **{'met' if goal['met'] else 'not met'}** "
        f"({goal['found']}).",
    ]
    if results.get("error_examples"):
        lines += ["", "First errors:", ""] + [f"- `{e[:200]}`" for e in results["error_examples"]]
    return "\n".join(lines)
