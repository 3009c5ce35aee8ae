"""``meldkamer triage`` as triage.md specifies it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from meldkamer.cli import main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["triage", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_gaslek_json_prints_acuut(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--topic", "gaslek", "--json")
    assert code == 0
    outcome = json.loads(out)
    assert outcome["urgency"] == "acuut"
    assert set(outcome) >= {
        "urgency",
        "inform_client",
        "needs_assessment",
        "reasons",
        "next_office_day",
    }


def test_facts_and_moment(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "--topic",
        "lekkage_waterleiding",
        "--fact",
        "leiding_gesprongen=true",
        "--fact",
        "leiding_afsluitbaar=false",
        "--at",
        "2026-12-25T03:00",
        "--json",
    )
    assert code == 0
    assert json.loads(out)["urgency"] == "acuut"


def test_niet_urgent_gives_the_next_office_day(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--topic", "overig", "--at", "2026-12-24T20:00", "--json")
    assert json.loads(out)["next_office_day"] == "2026-12-28"


def test_readable_output(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--topic", "buitensluiting", "--at", "2026-12-24T20:00+01:00")
    assert code == 0
    assert "Urgentie:   acuut" in out
    assert "kosten" in out


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--topic", "cv"], "'cv'"),
        (["--topic", "cv_storing", "--fact", "geen_warmte=true"], "'geen_warmte'"),
        (["--topic", "cv_storing", "--fact", "geen_verwarming=misschien"], "'misschien'"),
        (["--topic", "elektra", "--fact", "stroomuitval=half"], "'half'"),
        (["--topic", "cv_storing", "--fact", "geen_verwarming"], "NAME=VALUE"),
        (["--topic", "overig", "--at", "gisteren"], "'gisteren'"),
    ],
)
def test_bad_input_exits_nonzero_naming_it(
    capsys: pytest.CaptureFixture[str], args: list[str], named: str
) -> None:
    code, out, err = run(capsys, *args)
    assert code == 2
    assert out == ""
    assert named in err


def test_client_settings_apply(
    capsys: pytest.CaptureFixture[str], monkeypatch, demo_sessions, database_url
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    # De Linde owns no regular boilers (its protocol): niet urgent instead of acuut.
    code, out, err = run(capsys, "--topic", "boiler", "--client", "de-linde", "--json")
    assert code == 0, err
    assert json.loads(out)["urgency"] == "niet_urgent"
    code, out, err = run(capsys, "--topic", "boiler", "--client", "nergens", "--json")
    assert code == 2 and "'nergens'" in err


def test_console_script_runs() -> None:
    # the real entry point, as agents and scripts call it
    script = Path(sys.executable).with_name("meldkamer")
    result = subprocess.run(
        [str(script), "triage", "--topic", "gaslek", "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["urgency"] == "acuut"
