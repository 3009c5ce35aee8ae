"""Summarise Rasa's NLU test reports and the safety check as Markdown (for docs/NLU.md).

.venv/bin/python scripts/nlu_summary.py results/nlu
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

CROSS_VALIDATION = "cross-validation"
#: The former held-out sets, each left out of the training data in turn (nlu_sets_out.py).
SETS_OUT = "sets-out.md"


def set_number(sub: str) -> int:
    """The number of a held-out set's folder: topic_holdout_N is N."""
    return int(sub.rsplit("_", 1)[1])


def title(sub: str) -> str:
    """The heading of a report folder."""
    if sub == CROSS_VALIDATION:
        return "Cross-validation on the training data"
    return f"Held-out set {set_number(sub)} (tests/nlu/{sub}.yml, written blind, all styles)"


def folders(out: Path) -> list[str]:
    """The report folders in the order of the summary: the sets by number, then the CV."""
    sets = sorted((p.name for p in out.glob("topic_holdout_*") if p.is_dir()), key=set_number)
    return [*sets, CROSS_VALIDATION]


def report_of(folder: Path) -> dict[str, Any] | None:
    # rasa test nlu --cross-validation writes the test folds' report under test/
    for path in (folder / "intent_report.json", folder / "test" / "intent_report.json"):
        if path.exists():
            report: dict[str, Any] = json.loads(path.read_text())
            return report
    return None


def messages(report: dict[str, Any]) -> int:
    return int(report["weighted avg"]["support"])


def table(report: dict[str, Any], title: str) -> list[str]:
    accuracy = f"Accuracy: **{float(report['accuracy']):.3f}** ({messages(report)} messages)"
    lines = [f"### {title}", "", accuracy, ""]
    lines += ["| intent | precision | recall | f1 | n |", "|---|---|---|---|---|"]
    for name, row in sorted(report.items()):
        if isinstance(row, dict) and "support" in row and name.startswith("melding_"):
            scores = f"{row['precision']:.3f} | {row['recall']:.3f} | {row['f1-score']:.3f}"
            lines.append(f"| {name} | {scores} | {row['support']} |")
    return lines


def errors(path: Path) -> list[str]:
    if not path.exists():
        return []
    lines = ["", "Misread messages:", ""]
    for e in json.loads(path.read_text()):
        predicted = e["intent_prediction"]
        lines.append(
            f"- `{e['intent']}` read as `{predicted['name']}` ({predicted['confidence']:.2f}): "
            f"{e['text'][:110]}"
        )
    return lines


def overview(reports: dict[str, dict[str, Any]]) -> list[str]:
    lines = ["| set | messages | accuracy | errors |", "|---|---|---|---|"]
    for sub, report in reports.items():
        n, accuracy = messages(report), float(report["accuracy"])
        name = title(sub).split(" (")[0]
        lines.append(f"| {name} | {n} | {accuracy:.3f} | {round(n * (1 - accuracy))} |")
    return lines


def main() -> int:
    out = Path(sys.argv[1])
    reports = {sub: r for sub in folders(out) if (r := report_of(out / sub)) is not None}
    print("\n".join(overview(reports)), end="\n\n")
    for name in ("safety.md", SETS_OUT):
        if (out / name).exists():
            print((out / name).read_text().strip(), end="\n\n")
    for sub, report in reports.items():
        print("\n".join(table(report, title(sub))))
        if sub != CROSS_VALIDATION:
            print("\n".join(errors(out / sub / "intent_errors.json")))
        print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
