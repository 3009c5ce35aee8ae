"""One source for the safety instructions: every kind the matrix names has the bot's text."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from meldkamer.intake.safety import (
    DOMAIN,
    SafetyTextError,
    response_name,
    safety_lines,
    safety_texts,
)
from meldkamer.triage import default_engine


def test_every_safety_kind_of_the_matrix_has_the_bots_response() -> None:
    kinds = {t.safety for t in default_engine().table.topics.values() if t.safety}
    assert kinds == {"gas", "brand"}
    responses = yaml.safe_load(DOMAIN.read_text("utf-8"))["responses"]
    for kind in kinds:
        assert safety_texts()[kind] == responses[response_name(kind)][0]["text"].strip()
        assert safety_lines(kind)


def test_a_missing_text_or_domain_is_a_clear_error(tmp_path: Path) -> None:
    domain = tmp_path / "domain.yml"
    domain.write_text("responses:\n  utter_veiligheid_gas:\n    - text: 'Ga naar buiten.'\n")
    assert safety_lines("gas", domain) == ("Ga naar buiten.",)
    with pytest.raises(SafetyTextError, match="utter_veiligheid_brand"):
        safety_lines("brand", domain)
    with pytest.raises(SafetyTextError):
        safety_texts(tmp_path / "weg.yml")
    assert safety_lines(None, domain) == ()
