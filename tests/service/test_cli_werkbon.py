"""``meldkamer werkbon status`` and ``meldkamer tickets show --json``: the agent's command line."""

from __future__ import annotations

import json

import pytest

from meldkamer.cli import main
from meldkamer.service.confirm import confirm_melding
from meldkamer.service.context import Collaborators
from tests.service.conftest import burst_pipe


@pytest.fixture
def number(ctx: Collaborators, database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("DATABASE_URL", database_url)
    result = confirm_melding(ctx, burst_pipe())
    assert result.ticket_number
    return result.ticket_number


def _show(number: str, capsys: pytest.CaptureFixture[str]) -> dict:
    capsys.readouterr()
    assert main(["tickets", "show", number, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_an_agent_takes_the_order_through_its_steps(
    number: str, capsys: pytest.CaptureFixture[str]
) -> None:
    steps = [
        ["bevestigd"],
        ["onderweg", "--eta", "30"],
        ["ter_plaatse"],
        ["gereed", "--note", "leiding vervangen"],
    ]
    for step in steps:
        assert main(["werkbon", "status", number, *step, "--by", "Sanne"]) == 0
    out = capsys.readouterr().out
    assert "nu onderweg" in out and "Verwachte aankomst" in out and "nu gereed" in out
    shown = _show(number, capsys)
    (order,) = shown["workorders"]
    assert order["status"] == "gereed" and order["report"] == "leiding vervangen"
    assert [e["status_to"] for e in order["history"]] == [
        "bevestigd",
        "onderweg",
        "ter_plaatse",
        "gereed",
    ]
    assert {(e["by"], e["via"]) for e in order["history"]} == {("Sanne", "cli")}
    assert shown["status"] == "afgerond"
    assert isinstance(shown["sla"], list)
    statuses = [c for c in shown["contacts"] if c["kind"] == "status"]
    assert len(statuses) == 4 and all(c["by"] == "Sanne" for c in statuses)
    assert main(["tickets", "show", number]) == 0
    assert "ter plaatse (Sanne, telefoon (opdrachtregel))" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["onderweg", "--by", "Sanne"], 2, "aankomsttijd"),
        (["niet_gelukt", "--by", "Sanne"], 2, "reden"),
        (["bevestigd", "--by", "  "], 2, "--by"),
    ],
)
def test_refused_steps_say_why(
    number: str, capsys: pytest.CaptureFixture[str], argv: list[str], code: int, message: str
) -> None:
    assert main(["werkbon", "status", number, *argv]) == code
    assert message in capsys.readouterr().err
    assert _show(number, capsys)["workorders"][0]["status"] == "verstuurd"


def test_unknown_and_malformed_tickets(number: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["werkbon", "status", "MK-2026-999999", "gereed", "--by", "S"]) == 1
    assert "niet gevonden" in capsys.readouterr().err
    assert main(["werkbon", "status", "MK-26-1", "gereed", "--by", "S"]) == 2
    with pytest.raises(SystemExit):
        main(["werkbon", "status", number, "klaar", "--by", "S"])
