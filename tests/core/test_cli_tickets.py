"""``meldkamer tickets`` and ``meldkamer db`` against a temporary SQLite database."""

from __future__ import annotations

import argparse
import importlib.util
import json
from datetime import datetime, timedelta, timezone

import pytest

from meldkamer import db
from meldkamer.cli import db as db_cli
from meldkamer.cli import tickets as tickets_cli
from meldkamer.tickets import NewTicket, change_status, create_ticket

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)  # 13:00 in Amsterdam


def run(argv: list[str]) -> int:
    """Run a command through a parser with only this module's groups registered."""
    parser = argparse.ArgumentParser(prog="meldkamer")
    groups = parser.add_subparsers(dest="group", required=True)
    tickets_cli.register(groups)
    db_cli.register(groups)
    args = parser.parse_args(argv)
    return args.handler(args)


def melding(key: str, **changes: object) -> NewTicket:
    fields: dict[str, object] = {
        "melding_id": key,
        "conversation_id": f"conv-{key}",
        "channel": "webchat",
        "topic": "cv_storing",
        "facts": {"warm_water": False},
        "outcome": {
            "urgency": "acuut",
            "inform_client": False,
            "needs_assessment": False,
            "reasons": ["Geen verwarming in de winter"],
        },
        "postcode": "1012 AB",
        "huisnummer": 5,
        "huisnummer_toevoeging": "2",
        "naam": "Fatima el Amrani",
        "telefoon": "+31687654321",
        "beschrijving": "De cv-ketel geeft storing E10.\nRadiatoren blijven koud.",
    }
    fields.update(changes)
    return NewTicket(**fields)  # type: ignore[arg-type]


@pytest.fixture
def url(tmp_path, monkeypatch) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    return url


@pytest.fixture
def filled(url: str) -> str:
    """The database with two tickets: MK-2026-000001 (doorgezet) and MK-2026-000002 (nieuw)."""
    db.upgrade(url)
    engine = db.make_engine(url)
    try:
        with db.make_sessionmaker(engine)() as session:
            first = create_ticket(session, melding("a"), NOW)
            change_status(session, first, "doorgezet", by="planner", reason="naar monteur", now=NOW)
            create_ticket(
                session,
                melding(
                    "b", topic="lekkage_woning", huisnummer_toevoeging=None, email="b@example.nl"
                ),
                NOW + timedelta(hours=1),
            )
            session.commit()
    finally:
        engine.dispose()
    return url


def test_db_upgrade_names_the_database_without_password(url, capsys) -> None:
    assert run(["db", "upgrade"]) == 0
    out = capsys.readouterr().out
    assert url in out
    assert run(["db", "upgrade"]) == 0  # again: nothing to do


def test_db_upgrade_hides_the_password(monkeypatch, capsys) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgres://mk:geheim@127.0.0.1:1/nergens")
    assert run(["db", "upgrade"]) == 1
    captured = capsys.readouterr()
    assert "postgresql://mk:***@127.0.0.1:1/nergens" in captured.out
    assert "geheim" not in captured.out + captured.err
    assert "Bijwerken mislukt" in captured.err


def test_list_shows_a_table_newest_first(filled, capsys) -> None:
    assert run(["tickets", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["NUMMER", "AANGEMAAKT", "ONDERWERP", "URGENTIE", "STATUS", "ADRES"]
    assert lines[1].split() == [
        "MK-2026-000002",
        "2026-03-01",
        "14:00",
        "lekkage_woning",
        "acuut",
        "nieuw",
        "1012",
        "AB",
        "5",
    ]
    assert lines[2].split()[:6] == [
        "MK-2026-000001",
        "2026-03-01",
        "13:00",
        "cv_storing",
        "acuut",
        "doorgezet",
    ]
    assert lines[2].endswith("1012 AB 5-2")
    assert len(lines) == 3


def test_list_filters_and_limits(filled, capsys) -> None:
    assert run(["tickets", "list", "--status", "doorgezet"]) == 0
    out = capsys.readouterr().out
    assert "MK-2026-000001" in out and "MK-2026-000002" not in out
    assert run(["tickets", "list", "--limit", "1"]) == 0
    out = capsys.readouterr().out
    assert "MK-2026-000002" in out and "MK-2026-000001" not in out
    assert run(["tickets", "list", "--status", "afgerond"]) == 0
    assert capsys.readouterr().out.strip() == "Geen tickets gevonden."


def test_list_refuses_bad_options(filled, capsys) -> None:
    with pytest.raises(SystemExit) as raised:
        run(["tickets", "list", "--status", "kwijt"])
    assert raised.value.code == 2
    with pytest.raises(SystemExit) as raised:
        run(["tickets", "list", "--limit", "0"])
    assert raised.value.code == 2
    assert "groter dan 0" in capsys.readouterr().err


def test_list_json(filled, capsys) -> None:
    assert run(["tickets", "list", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [t["number"] for t in data] == ["MK-2026-000002", "MK-2026-000001"]
    assert data[1]["status_history"][1]["status_to"] == "doorgezet"
    assert data[1]["created_at"] == "2026-03-01T12:00:00+00:00"


def test_list_on_a_database_that_was_never_upgraded(url, capsys) -> None:
    assert run(["tickets", "list"]) == 1
    assert "meldkamer db upgrade" in capsys.readouterr().err


def test_show_in_dutch(filled, capsys) -> None:
    assert run(["tickets", "show", "MK-2026-000001"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Ticket MK-2026-000001\n")
    for expected in [
        "Status:             doorgezet",
        "Aangemaakt:         2026-03-01 13:00",
        "Onderwerp:          cv_storing",
        "Klant informeren:   nee",
        "- Geen verwarming in de winter",
        "warm_water: False",
        "Naam:               Fatima el Amrani",
        "Adres:              1012 AB 5-2",
        "Telefoon:           +31687654321",
        "E-mail:             -",
        "    De cv-ketel geeft storing E10.\n    Radiatoren blijven koud.",
        "2026-03-01 13:00  - -> nieuw  (assistent)",
        "2026-03-01 13:00  nieuw -> doorgezet  (planner): naar monteur",
    ]:
        assert expected in out


def test_show_json(filled, capsys) -> None:
    assert run(["tickets", "show", "mk-2026-000002", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["number"] == "MK-2026-000002"
    assert data["email"] == "b@example.nl"
    assert data["huisnummer_toevoeging"] is None


def test_show_unknown_ticket(filled, capsys) -> None:
    assert run(["tickets", "show", "MK-2026-000099"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "MK-2026-000099" in captured.err and "niet gevonden" in captured.err


@pytest.mark.parametrize("number", ["MK-26-1", "2026-000001", "MK-2026-00001x", "''"])
def test_show_malformed_number(filled, capsys, number) -> None:
    assert run(["tickets", "show", number]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert repr(number) in captured.err and "MK-JJJJ-NNNNNN" in captured.err


@pytest.mark.skipif(
    importlib.util.find_spec("meldkamer.cli.triage") is None,
    reason="meldkamer/cli/triage.py does not exist yet",
)
def test_through_the_meldkamer_command(url, capsys) -> None:
    from meldkamer.cli import main

    assert main(["db", "upgrade"]) == 0
    assert main(["tickets", "list", "--json"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "[]"
    assert main(["tickets", "show", "MK-2026-000001"]) == 1
    assert main(["tickets", "show", "nummer"]) == 2
