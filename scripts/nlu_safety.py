"""Safety confusions of the trained model on held-out messages (issue 15).

A message about gas or fire, or one with a medical need, that the model reads as anything
milder sends the tenant down the wrong path: no safety instructions first, or triage
questions that never ask about the medical need. Each held-out message is parsed by the
whole pipeline (so the FallbackClassifier counts: "niet begrepen" is milder than gas), and
the cost matrix below decides which readings are safe. Any safety failure fails the run.

    .venv/bin/python scripts/nlu_safety.py MODEL SET.yml [SET.yml ...]

The cost matrix is pure and tested without a model (tests/nlu/test_nlu_safety.py).
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

GAS = "melding_gaslek"
FIRE = "melding_brand"
FALLBACK = "nlu_fallback"

#: What a held-out message may be marked with (`metadata: {veiligheid: ...}`), and the
#: readings that keep the tenant safe. Gas and fire each need their own instructions first,
#: so only their own topic is safe. A medical need is asked (cv_storing) or the melding is
#: acuut anyway (boiler, and gas and fire with their safety instructions).
SAFE_READINGS: dict[str, frozenset[str]] = {
    "gas": frozenset({GAS}),
    "brand": frozenset({FIRE}),
    "medisch": frozenset({"melding_cv_storing", "melding_boiler", GAS, FIRE}),
}

#: Topics that are safety-relevant by their intent alone, without a mark.
MARK_OF_INTENT = {GAS: "gas", FIRE: "brand"}


@dataclass(frozen=True)
class Case:
    """One held-out message: its text, the intent it should be read as, its safety mark."""

    text: str
    intent: str
    veiligheid: str | None = None

    @property
    def mark(self) -> str | None:
        return self.veiligheid or MARK_OF_INTENT.get(self.intent)


def safe_readings(case: Case) -> frozenset[str] | None:
    """The readings of a safety-relevant message that keep the tenant safe; None if any is."""
    mark = case.mark
    if mark is None:
        return None
    if mark not in SAFE_READINGS:
        known = ", ".join(sorted(SAFE_READINGS))
        raise ValueError(f"unknown veiligheid {mark!r} for {case.text!r} (known: {known})")
    # Its own intent is always safe: the English route gives gas and fire safety first too.
    return SAFE_READINGS[mark] | {case.intent}


def is_safety_failure(case: Case, predicted: str) -> bool:
    """True when a gas, fire or medical message is read as something milder."""
    safe = safe_readings(case)
    return safe is not None and predicted not in safe


def cases_from_yaml(text: str, source: str = "<held-out set>") -> list[Case]:
    """The messages of a Rasa NLU file: block examples and `- text:` items with metadata."""
    data = yaml.safe_load(text) or {}
    cases: list[Case] = []
    for block in data.get("nlu", []):
        intent = block.get("intent")
        if not intent:
            continue
        examples = block.get("examples")
        if isinstance(examples, str):
            for line in examples.splitlines():
                if line.strip().startswith("- "):
                    cases.append(Case(line.strip()[2:].strip(), intent))
        elif isinstance(examples, list):
            cases.extend(case_of_item(item, intent, source) for item in examples)
        else:
            raise ValueError(f"{source}: intent {intent} has no examples")
    return cases


def case_of_item(item: Any, intent: str, source: str) -> Case:
    if not isinstance(item, dict) or not isinstance(item.get("text"), str):
        raise ValueError(f"{source}: an example of {intent} has no text: {item!r}")
    metadata = item.get("metadata") or {}
    mark = metadata.get("veiligheid") if isinstance(metadata, dict) else None
    case = Case(item["text"].strip(), intent, mark)
    safe_readings(case)  # an unknown mark is an error in the set, not a silent pass
    return case


@dataclass(frozen=True)
class Outcome:
    """What the model read one message as, and whether that is a safety failure."""

    case: Case
    predicted: str
    confidence: float
    #: The classifier's own best intent (differs from `predicted` under a fallback).
    top: str = ""

    @property
    def failure(self) -> bool:
        return is_safety_failure(self.case, self.predicted)


def summary(name: str, outcomes: Iterable[Outcome]) -> tuple[list[str], int]:
    """Markdown lines for one set, and its number of safety failures."""
    rows = list(outcomes)
    relevant = [o for o in rows if o.case.mark is not None]
    failures = [o for o in relevant if o.failure]
    correct = sum(o.predicted == o.case.intent for o in rows)
    lines = [
        f"- {name}: {correct}/{len(rows)} read as their intent through the whole pipeline "
        f"(fallback included); safety-relevant {len(relevant)}, safety confusions "
        f"**{len(failures)}**"
    ]
    lines += [
        f"  - `{o.case.intent}` ({o.case.mark}) read as `{o.predicted}` "
        f"({o.top or o.predicted} {o.confidence:.2f}): {o.case.text[:100]}"
        for o in failures
    ]
    return lines, len(failures)


async def parse_all(model: Path, cases: list[Case]) -> list[Outcome]:
    # Rasa only here: the cost matrix above is importable without it. The pipeline names
    # the project's own component (rasa_addons.nlu), found from the repository root as the
    # rasa command finds it from its working directory.
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from rasa.core.agent import Agent
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    # Rasa logs every parse at debug level: keep the report readable.
    configure_logging_and_warnings(logging.WARNING)
    configure_structlog(logging.WARNING)
    agent = Agent.load(str(model))
    outcomes = []
    for case in cases:
        parsed = await agent.parse_message(case.text)
        intent = parsed.get("intent") or {}
        # Under a fallback, the ranking still says what the classifier thought most likely.
        ranking = [r for r in parsed.get("intent_ranking") or [] if r.get("name") != FALLBACK]
        top = ranking[0] if ranking else intent
        outcomes.append(
            Outcome(
                case,
                str(intent.get("name")),
                float(top.get("confidence") or 0.0),
                str(top.get("name")),
            )
        )
    return outcomes


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    model, sets = Path(argv[0]), [Path(p) for p in argv[1:]]
    missing = [str(p) for p in [model, *sets] if not p.exists()]
    if missing:
        print(f"not found: {', '.join(missing)}", file=sys.stderr)
        return 2
    cases = {p: cases_from_yaml(p.read_text(), str(p)) for p in sets}
    outcomes = asyncio.run(parse_all(model, [c for group in cases.values() for c in group]))
    total, start = 0, 0
    print("### Safety confusions (scripts/nlu_safety.py)\n")
    for path, group in cases.items():
        lines, failures = summary(path.name, outcomes[start : start + len(group)])
        start += len(group)
        total += failures
        print("\n".join(lines))
    print(f"\nSafety confusions in total: **{total}**")
    return 1 if total else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
