"""Export and erasure of one person, through the ``meldkamer privacy`` command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from meldkamer.cli import main
from meldkamer.privacy.models import PrivacyAction
from tests.privacy.conftest import ANNA, BART, CEES, World, dump


@pytest.fixture
def env(world: World, monkeypatch: pytest.MonkeyPatch) -> World:
    monkeypatch.setenv("DATABASE_URL", world.database_url)
    monkeypatch.setenv("MELDKAMER_UPLOAD_DIR", str(world.photos))
    monkeypatch.setenv("MELDKAMER_SPOOL_DIR", str(world.spool))
    return world


def exported(out: Path) -> dict[str, list[object]]:
    data: dict[str, list[object]] = json.loads((out / "gegevens.json").read_text("utf-8"))
    return data


def test_export_holds_everything_about_the_person_and_nothing_of_others(
    env: World, tmp_path: Path
) -> None:
    out = tmp_path / "anna"
    assert main(["privacy", "export", "--phone", "06 1234 5678", "--out", str(out)]) == 0
    data = exported(out)
    text = json.dumps(data)
    assert ANNA.name in text and BART.name not in text and CEES.name not in text
    assert [t["naam"] for t in data["tickets"]] == [ANNA.name + " jr"]  # as edited
    assert data["tickets"][0]["wijzigingen"][0]["old"] == ANNA.name
    assert any(ANNA.phone in json.dumps(e) for e in data["gesprekken"])
    assert len(data["fotos"]) == 1 and (out / data["fotos"][0]["bestand"]).is_file()
    assert len(data["notities"]) == len(data["overdrachten"]) == len(data["berichten"]) == 1
    assert len(data["spool"]) == 1  # the melding set aside during an outage


def test_erase_then_export_finds_nothing(env: World, tmp_path: Path, capsys) -> None:
    with env.sessions() as session:
        others = {name: dump(session).count(name) for name in (BART.name, CEES.name)}
    assert main(["privacy", "erase", "--email", "Anna@Example.nl", "--by", "J. de Vries"]) == 1
    assert "--ja" in capsys.readouterr().out  # shown, not erased
    code = main(["privacy", "erase", "--email", "anna@example.nl", "--by", "J. de Vries", "--ja"])
    assert code == 0
    assert "geanonimiseerd" in capsys.readouterr().out
    for selector in (["--phone", ANNA.phone], ["--email", ANNA.email]):
        out = tmp_path / selector[0].strip("-")
        assert main(["privacy", "export", *selector, "--out", str(out)]) == 0
        assert not out.exists()
        assert "Niets gevonden" in capsys.readouterr().out
    with env.sessions() as session:
        everything = dump(session)
        assert ANNA.name not in everything and ANNA.phone not in everything
        assert {name: everything.count(name) for name in others} == others
        record = session.execute(select(PrivacyAction)).scalar_one()
    assert record.by == "J. de Vries" and record.kind == "wissen"
    assert ANNA.email not in json.dumps(record.counts)
    assert list(env.spool.iterdir()) == []
    assert len([p for p in env.photos.rglob("*") if p.is_file()]) == 3  # Bart, Cees, no ticket


def test_an_open_ticket_is_not_erased(env: World, capsys) -> None:
    code = main(["privacy", "erase", "--phone", CEES.phone, "--by", "J. de Vries", "--ja"])
    assert code == 1
    assert "nog open" in capsys.readouterr().err
    with env.sessions() as session:
        assert CEES.phone in dump(session)


@pytest.mark.parametrize(
    "selector",
    [["--phone", "abc"], ["--phone", "12345"], ["--email", "geen-adres"], ["--ticket", "MK-1"]],
)
def test_malformed_input_is_refused_with_a_reason(
    env: World, tmp_path: Path, capsys, selector: list[str]
) -> None:
    assert main(["privacy", "export", *selector, "--out", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err
    assert repr(selector[1]) in err and " geen " in err
    assert not (tmp_path / "x").exists()


def test_an_unknown_ticket_is_refused(env: World, tmp_path: Path, capsys) -> None:
    assert main(["privacy", "export", "--ticket", "MK-2020-999999", "--out", str(tmp_path)]) == 2
    assert "bestaat niet" in capsys.readouterr().err
