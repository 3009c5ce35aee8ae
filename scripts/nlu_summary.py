"""Summarise Rasa's NLU test reports as Markdown tables (for docs/NLU.md)."""

from __future__ import annotations

import json
import sys
from pathlib import Path


def table(report_path: Path, title: str) -> str:
    report = json.loads(report_path.read_text())
    lines = [
        f"### {title}",
        "",
        f"Accuracy: **{report['accuracy']:.3f}**",
        "",
        "| intent | precision | recall | f1 | n |",
        "|---|---|---|---|---|",
    ]
    for name, row in sorted(report.items()):
        if isinstance(row, dict) and "support" in row and not name.endswith("avg"):
            lines.append(
                f"| {name} | {row['precision']:.3f} | {row['recall']:.3f} | {row['f1-score']:.3f} | {row['support']} |"
            )
    for name in ("macro avg", "weighted avg"):
        if name in report:
            row = report[name]
            scores = f"{row['precision']:.3f} | {row['recall']:.3f} | {row['f1-score']:.3f}"
            lines.append(f"| *{name}* | {scores} | {row['support']} |")
    return "\n".join(lines)


def main() -> int:
    out = Path(sys.argv[1])
    for sub, title in (
        ("cross-validation", "5-fold cross-validation (training data)"),
        ("holdout", "Held-out set"),
    ):
        path = out / sub / "intent_report.json"
        if path.exists():
            print(table(path, title))
            print()
        errors = out / sub / "intent_errors.json"
        if sub == "holdout" and errors.exists():
            print("Errors on the held-out set:")
            print()
            for e in json.loads(errors.read_text()):
                print(
                    f"- `{e['intent']}` read as `{e['intent_prediction']['name']}` "
                    f"({e['intent_prediction']['confidence']:.2f}): {e['text'][:100]}"
                )
            print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
