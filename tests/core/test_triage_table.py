"""The decision table file: a malformed table is refused with a message naming the place."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from meldkamer.triage import TableError, load_table
from meldkamer.triage.render import render

ROOT = Path(__file__).resolve().parents[2]
CONTRACT_TOPICS = {
    "cv_storing",
    "lekkage_woning",
    "lekkage_waterleiding",
    "gaslek",
    "lekkage_afvoer",
    "elektra",
    "inbraak",
    "brand",
    "storm",
    "calamiteit_overig",
    "boiler",
    "buitensluiting",
    "glasschade",
    "overig",
}
CONTRACT_FACTS = {
    "geen_warm_water",
    "geen_verwarming",
    "medische_noodzaak",
    "groot_gevolgschade_risico",
    "te_beperken",
    "leiding_gesprongen",
    "leiding_afsluitbaar",
    "belemmering_bewoning",
    "stroomuitval",
    "woning_afsluitbaar",
    "volledige_breuk",
    "noodvoorziening_mogelijk",
    "zonneboiler",
    "bewoonbaarheid_in_gevaar",
}


def test_table_keeps_the_contract() -> None:
    table = load_table()
    # triage.md: the project may add topics and facts, never rename or drop them
    assert CONTRACT_TOPICS <= set(table.topics)
    assert CONTRACT_FACTS <= set(table.facts)
    assert set(table.facts["stroomuitval"].values) >= {
        "algeheel",
        "gedeeltelijk_met_cv",
        "gedeeltelijk_zonder_cv",
    }


def test_every_question_has_buttons_for_every_value() -> None:
    for fact in load_table().facts.values():
        assert len(fact.options) >= 2
        assert len({o.value for o in fact.options}) == len(fact.options)
        assert all(0 < len(o.label) <= 30 for o in fact.options), (
            fact.name
        )  # WhatsApp's button limit is 20-24


def _broken(tmp_path: Path, change: callable) -> Path:
    raw = yaml.safe_load((ROOT / "meldkamer/triage/urgentiematrix.yml").read_text("utf-8"))
    change(raw)
    path = tmp_path / "matrix.yml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), "utf-8")
    return path


@pytest.mark.parametrize(
    ("change", "message"),
    [
        # a typo in a fact name in a rule
        (
            lambda t: t["onderwerpen"]["inbraak"]["regels"][0]["als"].update(
                {"woning_afsluitbar": False}
            ),
            "woning_afsluitbar",
        ),
        # an urgency that does not exist
        (lambda t: t["onderwerpen"]["gaslek"]["regels"][0].update({"urgentie": "spoed"}), "spoed"),
        # a value the fact does not have
        (
            lambda t: t["onderwerpen"]["elektra"]["regels"][1]["als"].update(
                {"stroomuitval": "half"}
            ),
            "half",
        ),
        # a question about an unknown fact
        (lambda t: t["onderwerpen"]["storm"]["vragen"].append("dakpannen"), "dakpannen"),
        # a rule reading a fact the topic never asks
        (
            lambda t: t["onderwerpen"]["inbraak"]["regels"][0]["als"].update({"zonneboiler": True}),
            "zonneboiler",
        ),
        # no fallback outcome
        (lambda t: t["onderwerpen"]["overig"].pop("anders"), "anders"),
        # a broken recognition pattern
        (
            lambda t: t["feiten"]["zonneboiler"]["herkenning"].update({True: ["zonne(boiler"]}),
            "patroon",
        ),
    ],
)
def test_malformed_table_is_refused_with_its_place(
    tmp_path: Path, change: callable, message: str
) -> None:
    with pytest.raises(TableError, match=message):
        load_table(_broken(tmp_path, change))


def test_not_yaml(tmp_path: Path) -> None:
    path = tmp_path / "matrix.yml"
    path.write_text("feiten: [unclosed", "utf-8")
    with pytest.raises(TableError, match="geen geldige YAML"):
        load_table(path)


def test_docs_page_is_up_to_date() -> None:
    page = ROOT / "docs" / "urgentiematrix.md"
    assert page.read_text("utf-8") == render(load_table()), (
        "run `make docs` to regenerate docs/urgentiematrix.md"
    )
