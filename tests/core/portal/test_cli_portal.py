"""``meldkamer portal users add|list|disable`` against a temporary SQLite database."""

from __future__ import annotations

import io
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from meldkamer import db
from meldkamer.cli import main
from meldkamer.clients.loader import load_client
from meldkamer.clients.store import apply_all
from meldkamer.portal.accounts import authenticate
from meldkamer.portal.models import PortalSession, PortalUser
from meldkamer.portal.sessions import resolve, start_session

ROOT = Path(__file__).resolve().parents[3]
NOW = datetime(2026, 12, 2, 10, 0, tzinfo=timezone.utc)


@pytest.fixture
def url(tmp_path, monkeypatch) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    db.upgrade(url)
    engine = db.make_engine(url)
    with db.make_sessionmaker(engine).begin() as session:
        apply_all(session, [load_client(ROOT / "clients" / "de-linde.yml")], by="test", now=NOW)
    engine.dispose()
    return url


def _add(monkeypatch, *args: str, password: str = "Een-goed-wachtwoord\n") -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(password))
    return main(["portal", "users", "add", *args, "--password-stdin"])


def _sessions(url: str):
    return db.make_sessionmaker(db.make_engine(url))


def test_add_list_disable(url, monkeypatch, capsys) -> None:
    assert _add(monkeypatch, "Anna.Bakker", "--client", "de-linde", "--name", "Anna Bakker") == 0
    assert "anna.bakker (Anna Bakker) van de-linde" in capsys.readouterr().out
    with _sessions(url).begin() as session:
        user = authenticate(session, "anna.bakker", "Een-goed-wachtwoord")
        assert user is not None and user.client_id == "de-linde"
        token, _ = start_session(session, user, NOW)
    assert main(["portal", "users", "list", "--json"]) == 0
    [row] = json.loads(capsys.readouterr().out)
    assert (row["username"], row["client"], row["active"]) == ("anna.bakker", "de-linde", True)
    assert main(["portal", "users", "disable", "anna.bakker"]) == 0
    with _sessions(url)() as session:
        assert resolve(session, token, NOW) is None  # the open session ended with it
        assert session.query(PortalSession).count() == 0
        assert authenticate(session, "anna.bakker", "Een-goed-wachtwoord") is None


@pytest.mark.parametrize(
    ("args", "password", "message"),
    [
        (
            ["anna", "--client", "bestaat-niet", "--name", "Anna"],
            "Een-goed-wachtwoord\n",
            "bestaat niet",
        ),
        (["anna", "--client", "de-linde", "--name", "Anna"], "kort\n", "minstens 10"),
        (
            ["x!", "--client", "de-linde", "--name", "Anna"],
            "Een-goed-wachtwoord\n",
            "gebruikersnaam",
        ),
    ],
)
def test_bad_input_is_refused_with_exit_2(
    url, monkeypatch, capsys, args, password, message
) -> None:
    assert _add(monkeypatch, *args, password=password) == 2
    assert message in capsys.readouterr().err
    with _sessions(url)() as session:
        assert session.query(PortalUser).count() == 0


def test_a_taken_username_and_an_unknown_one(url, monkeypatch, capsys) -> None:
    assert _add(monkeypatch, "anna", "--client", "de-linde", "--name", "Anna") == 0
    assert _add(monkeypatch, "anna", "--client", "de-linde", "--name", "Anna") == 2
    assert "bestaat al" in capsys.readouterr().err
    assert main(["portal", "users", "disable", "niemand"]) == 1
