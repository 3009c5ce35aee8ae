"""Each former held-out set in turn left out of the training data and read (issue 15).

The sets of data/nlu/huurders were written blind and scored once each as held-out sets
(docs/NLU.md); since then they are training data. Their held-out figure now comes from
leaving one set out: the TopicModel is fitted on all other training data, with the settings
of config.yml, and the set is read through the pipeline's decisions (fallback, safety
first, safety words: scripts/nlu_grouped.py). A gas, fire or medical message read as
anything milder is a safety confusion, and any confusion fails this script.

    .venv/bin/python scripts/nlu_sets_out.py [OUT.md]
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.training_data import TrainingData

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
from nlu_grouped import pipeline_config, reading  # noqa: E402
from nlu_safety import Outcome, cases_from_yaml, summary  # noqa: E402

from rasa_addons.nlu import safety_words_topic  # noqa: E402
from rasa_addons.topic_classifier import TopicModel  # noqa: E402

SETS = ROOT / "data" / "nlu" / "huurders"


def examples(data: TrainingData) -> tuple[list[str], list[str]]:
    chosen = [e for e in data.intent_examples if e.get("intent") and e.get("text")]
    return [str(e.get("text")) for e in chosen], [str(e.get("intent")) for e in chosen]


def read_set(
    config: dict[str, Any], files: dict[Path, TrainingData], left_out: Path
) -> list[Outcome]:
    """Fit on every file but `left_out`, then read `left_out` as the pipeline would."""
    data = TrainingData().merge(*(d for f, d in files.items() if f != left_out))
    texts, intents = examples(data)
    patterns = [str(r["pattern"]) for r in data.regex_features]
    model = TopicModel(config, patterns).fit(texts, intents)
    cases = cases_from_yaml(left_out.read_text(), str(left_out))
    outcomes = []
    for case, ranking in zip(cases, model.rank([c.text for c in cases], 10), strict=True):
        read = reading(ranking, config)
        read = safety_words_topic(read, case.text) or read
        outcomes.append(Outcome(case, read, ranking[0][1], ranking[0][0]))
    return outcomes


def main(argv: list[str]) -> int:
    config = pipeline_config()
    files = {f: load_data(str(f)) for f in sorted((ROOT / "data" / "nlu").rglob("*.yml"))}
    lines = ["### Former held-out sets, each left out in turn (scripts/nlu_sets_out.py)", ""]
    right = total = unsafe = 0
    for left_out in sorted(SETS.glob("*.yml")):
        print(f"leaving out {left_out.name} ...", file=sys.stderr)
        outcomes = read_set(config, files, left_out)
        set_lines, failures = summary(left_out.stem, outcomes)
        lines += set_lines
        right += sum(o.predicted == o.case.intent for o in outcomes)
        total, unsafe = total + len(outcomes), unsafe + failures
        for o in outcomes:
            if o.predicted != o.case.intent and not o.failure:
                lines.append(f"  - `{o.case.intent}` read as `{o.predicted}`: {o.case.text[:100]}")
    share = right / total if total else 0.0
    lines += ["", f"All sets: **{right}/{total}** ({share:.1%}); safety confusions **{unsafe}**"]
    text = "\n".join(lines) + "\n"
    if argv:
        Path(argv[0]).write_text(text)
    print(text)
    return 1 if unsafe else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
