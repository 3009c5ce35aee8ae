"""Summarise Rasa's NLU test reports as Markdown (for docs/NLU.md).

.venv/bin/python scripts/nlu_summary.py results/nlu
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

TITLES = {
    "topic_holdout": "Held-out set 1 (tests/nlu/topic_holdout.yml, 280 messages)",
    "topic_holdout_2": "Held-out set 2 (tests/nlu/topic_holdout_2.yml, 210 messages, written blind)",
    "cross-validation": "Cross-validation on the training data",
}


def table(report: dict[str, object], title: str) -> list[str]:
    lines = [f"### {title}", "", f"Accuracy: **{float(report['accuracy']):.3f}**", ""]  # type: ignore[arg-type]
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
            f"- `{e['intent']}` read as `{predicted['name']}` ({predicted['confidence']:.2f}): {e['text'][:110]}"
        )
    return lines


def main() -> int:
    out = Path(sys.argv[1])
    for sub, title in TITLES.items():
        folder = out / sub
        report_path = folder / "intent_report.json"
        if not report_path.exists():
            # rasa test nlu --cross-validation writes the test folds' report here
            report_path = (
                folder / "test" / "intent_report.json"
                if (folder / "test").exists()
                else report_path
            )
        if not report_path.exists():
            continue
        print("\n".join(table(json.loads(report_path.read_text()), title)))
        if sub != "cross-validation":
            print("\n".join(errors(folder / "intent_errors.json")))
        print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
