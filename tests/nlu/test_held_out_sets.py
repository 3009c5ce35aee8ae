"""The held-out sets stay unseen: none of their messages is a training example."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from scripts.nlu_safety import cases_from_yaml

ROOT = Path(__file__).resolve().parents[2]
HELD_OUT = sorted((ROOT / "tests" / "nlu").glob("topic_holdout*.yml"))
#: Short messages of sets 1-3 that are also training examples, found on 2026-12-02 when this
#: test was added (they were there before; docs/NLU.md counts them): no new copy may join.
KNOWN_COPIES = {
    "topic_holdout.yml": {
        "dak lekt",
        "waterleiding lek",
        "wc verstopt",
        "geen stroom",
        "stormschade",
        "ruit kapot",
    },
    "topic_holdout_2.yml": {
        "lekkage plafond",
        "ruik gas wat moet ik doen",
        "wc verstopt",
        "stormschade",
        "buitengesloten",
    },
    "topic_holdout_3.yml": {"er is brand in mijn keuken"},
}


def normalised(text: str) -> str:
    """Case, punctuation and spacing do not make a message new."""
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def training_texts() -> set[str]:
    texts: set[str] = set()
    for path in sorted((ROOT / "data" / "nlu").rglob("*.yml")):
        for block in (yaml.safe_load(path.read_text()) or {}).get("nlu", []):
            if block.get("intent") and isinstance(block.get("examples"), str):
                texts |= {
                    normalised(line.strip()[2:])
                    for line in block["examples"].splitlines()
                    if line.strip().startswith("- ")
                }
    return texts


@pytest.mark.parametrize("path", HELD_OUT, ids=lambda p: p.name)
def test_no_held_out_message_is_a_training_example(path: Path) -> None:
    seen = training_texts()
    copies = {c.text for c in cases_from_yaml(path.read_text()) if normalised(c.text) in seen}
    assert copies == KNOWN_COPIES.get(path.name, set())
