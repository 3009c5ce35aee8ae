"""Accounts: scrypt hashes, sign-in, the ``meldkamer agents`` command, no plain passwords."""

from __future__ import annotations

import io
import logging
import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text

from meldkamer.agents import accounts
from meldkamer.agents.accounts import (
    MIN_PASSWORD_LENGTH,
    AccountError,
    ScryptParameters,
    authenticate,
    create_agent,
    hash_password,
    is_present,
    needs_rehash,
    set_password,
    verify_password,
)
from meldkamer.agents.models import Agent
from meldkamer.cli import main
from meldkamer.tickets.models import metadata
from tests.console.conftest import NOW

SECRET = "Correct-Paard-Batterij-Niet"


@pytest.fixture
def production_cost(monkeypatch: pytest.MonkeyPatch) -> None:
    """The cost outside the test suite (tests/conftest.py lowers it for speed)."""
    monkeypatch.setattr(accounts, "PARAMETERS", accounts.DEFAULT_PARAMETERS)


def test_hash_is_salted_and_self_describing(production_cost: None) -> None:
    first, second = hash_password(SECRET), hash_password(SECRET)
    assert first != second  # a random salt each time
    assert re.fullmatch(r"scrypt:n=32768,r=8,p=1\$[\w-]{22}\$[\w-]{43}", first)
    assert SECRET not in first
    assert verify_password(SECRET, first) and verify_password(SECRET, second)
    assert not verify_password(SECRET + "x", first)
    assert not verify_password(SECRET, "")
    assert not verify_password(SECRET, "scrypt:n=3,r=8,p=1$AAAA$AAAA")  # not a power of two
    assert not verify_password(SECRET, "scrypt:n=1073741824,r=8,p=1$AAAA$AAAA")  # absurd cost
    assert not verify_password(SECRET, "md5$abc")


def test_old_parameters_are_upgraded_at_sign_in(session) -> None:
    create_agent(session, username="sanne", display_name="Sanne", password=SECRET, now=NOW)
    agent = session.execute(select(Agent)).scalar_one()
    agent.password_hash = hash_password(SECRET, ScryptParameters(n=2**14))
    assert needs_rehash(agent.password_hash)
    assert authenticate(session, "sanne", SECRET) is agent
    assert not needs_rehash(agent.password_hash) and verify_password(SECRET, agent.password_hash)


def test_minimum_length(session) -> None:
    with pytest.raises(AccountError, match="minstens 10"):
        create_agent(
            session,
            username="kort",
            display_name="K",
            password="x" * (MIN_PASSWORD_LENGTH - 1),
            now=NOW,
        )
    create_agent(
        session, username="lang", display_name="L", password="x" * MIN_PASSWORD_LENGTH, now=NOW
    )
    with pytest.raises(AccountError, match="minstens 10"):
        set_password(session, "lang", "123456789")


@pytest.mark.parametrize("username", ["", "a", "Met Spatie", "-begin", "x" * 101, "é"])
def test_bad_usernames_are_refused(session, username: str) -> None:
    with pytest.raises(AccountError):
        create_agent(session, username=username, display_name="X", password=SECRET, now=NOW)


def test_usernames_are_unique_regardless_of_case(session) -> None:
    create_agent(session, username="Sanne", display_name="Sanne", password=SECRET, now=NOW)
    with pytest.raises(AccountError, match="bestaat al"):
        create_agent(session, username="sanne", display_name="Sanne 2", password=SECRET, now=NOW)
    assert authenticate(session, "SANNE", SECRET) is not None


def test_authenticate_says_nothing_about_why(session) -> None:
    create_agent(
        session, username="sanne", display_name="Sanne", password=SECRET, now=NOW, role="supervisor"
    )
    assert authenticate(session, "niemand", SECRET) is None
    assert authenticate(session, "sanne", "fout-wachtwoord") is None
    agent = authenticate(session, "sanne", SECRET)
    assert agent is not None and agent.role == "supervisor"
    agent.active = False
    assert authenticate(session, "sanne", SECRET) is None


def test_presence_is_the_last_two_minutes(session) -> None:
    agent = create_agent(session, username="sanne", display_name="Sanne", password=SECRET, now=NOW)
    assert not is_present(agent, NOW)
    agent.last_seen_at = NOW - timedelta(minutes=1)
    assert is_present(agent, NOW)
    assert not is_present(agent, NOW + timedelta(minutes=2))


# --- the command line ---------------------------------------------------------------------


@pytest.fixture
def cli_db(session, database_url, monkeypatch) -> str:
    """The CLI on the test database (upgraded by the ``session`` fixture)."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    return database_url


def run(monkeypatch, argv: list[str], stdin: str = "") -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return main(argv)


def test_cli_add_list_passwd(cli_db, session, monkeypatch, capsys) -> None:
    code = run(
        monkeypatch,
        [
            "agents",
            "add",
            "chef",
            "--name",
            "Chantal de Boer",
            "--role",
            "supervisor",
            "--password-stdin",
        ],
        SECRET + "\n",
    )
    assert (
        code == 0
        and "Account aangemaakt: chef (Chantal de Boer, supervisor)" in capsys.readouterr().out
    )
    assert (
        run(
            monkeypatch, ["agents", "add", "sanne", "--name", "Sanne", "--password-stdin"], "kort\n"
        )
        == 2
    )
    assert "minstens 10" in capsys.readouterr().err
    assert (
        run(monkeypatch, ["agents", "add", "chef", "--name", "X", "--password-stdin"], SECRET) == 2
    )
    assert "bestaat al" in capsys.readouterr().err

    assert run(monkeypatch, ["agents", "list"]) == 0
    listing = capsys.readouterr().out
    assert "chef" in listing and "Chantal de Boer" in listing and "supervisor" in listing

    assert (
        run(monkeypatch, ["agents", "passwd", "chef", "--password-stdin"], "Nieuw-wachtwoord-1\n")
        == 0
    )
    assert (
        run(
            monkeypatch, ["agents", "passwd", "niemand", "--password-stdin"], "Nieuw-wachtwoord-1\n"
        )
        == 1
    )
    session.expire_all()
    assert authenticate(session, "chef", "Nieuw-wachtwoord-1") is not None
    assert authenticate(session, "chef", SECRET) is None


def test_cli_disable_and_enable(cli_db, session, monkeypatch, capsys) -> None:
    assert (
        run(monkeypatch, ["agents", "add", "kees", "--name", "Kees", "--password-stdin"], SECRET)
        == 0
    )
    assert run(monkeypatch, ["agents", "disable", "kees"]) == 0
    assert "kees is uitgeschakeld." in capsys.readouterr().out
    session.expire_all()
    assert authenticate(session, "kees", SECRET) is None
    assert run(monkeypatch, ["agents", "enable", "kees"]) == 0
    session.expire_all()
    assert authenticate(session, "kees", SECRET) is not None
    assert run(monkeypatch, ["agents", "disable", "niemand"]) == 1
    assert "Geen account met gebruikersnaam 'niemand'" in capsys.readouterr().err


def test_cli_prompts_twice_without_echo(cli_db, monkeypatch, capsys) -> None:
    answers = iter([SECRET, SECRET + "anders"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    assert run(monkeypatch, ["agents", "add", "sanne", "--name", "Sanne"]) == 2
    assert "niet gelijk" in capsys.readouterr().err
    answers = iter([SECRET, SECRET])
    assert run(monkeypatch, ["agents", "add", "sanne", "--name", "Sanne"]) == 0


def test_the_password_is_no_argument() -> None:
    with pytest.raises(SystemExit):
        main(["agents", "add", "sanne", "--name", "Sanne", "--password", SECRET])


# --- never stored or logged in plain text ------------------------------------------------------


def _all_rows_as_text(session) -> str:
    parts = []
    for table in metadata.sorted_tables:
        for row in session.execute(select(table)):
            parts.append(repr(tuple(row)))
    for name in ("medewerkers", "console_sessies"):
        parts.append(repr(session.execute(text(f"SELECT * FROM {name}")).all()))
    return "\n".join(parts)


async def test_passwords_are_never_stored_or_logged_in_plain_text(
    cli_db, session, monkeypatch, capsys, caplog, aiohttp_client, tmp_path
) -> None:
    from console.app import ConsoleSettings, init_app
    from meldkamer.db import make_engine, make_sessionmaker
    from tests.console.conftest import login

    caplog.set_level(logging.DEBUG)  # everything any logger says, aiohttp's access log too
    assert (
        run(
            monkeypatch,
            ["agents", "add", "sanne", "--name", "Sanne", "--password-stdin"],
            SECRET + "\n",
        )
        == 0
    )
    engine = make_engine(cli_db)
    app = init_app(
        ConsoleSettings(database_url=cli_db, rasa_url="http://127.0.0.1:9"),
        sessions=make_sessionmaker(engine),
    )
    client = await aiohttp_client(app)
    await login(client, "sanne", SECRET)  # a successful sign-in
    form = await client.get("/logout")  # (a GET: refused by the router, logged)
    stranger = await aiohttp_client(client.server)
    for wrong in ("Bijna-" + SECRET, SECRET.upper()):  # failed sign-ins
        page = await (await stranger.get("/login")).text()
        token = re.search(r'name="login_token" value="([^"]+)"', page).group(1)
        failed = await stranger.post(
            "/login", data={"login_token": token, "username": "sanne", "password": wrong}
        )
        assert failed.status == 401
    assert (
        run(
            monkeypatch,
            ["agents", "passwd", "sanne", "--password-stdin"],
            "Tweede-" + SECRET + "\n",
        )
        == 0
    )
    assert form.status in (405, 303)
    engine.dispose()

    secrets_typed = [SECRET, "Bijna-" + SECRET, SECRET.upper(), "Tweede-" + SECRET]
    out = capsys.readouterr()
    logged = caplog.text + out.out + out.err
    assert "signed in: sanne" in caplog.text  # the log works, and says who
    session.expire_all()
    stored = _all_rows_as_text(session)
    for typed in secrets_typed:
        assert typed not in logged
        assert typed not in stored
    if cli_db.startswith("sqlite"):
        path = Path(cli_db.removeprefix("sqlite:///"))
        raw = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))  # with the WAL
        for typed in secrets_typed:
            assert typed.encode() not in raw and typed.encode("utf-16-le") not in raw
