"""Issue 14: one bad melding never blocks the outage spool; only a real outage spools.

On SQLite and PostgreSQL, with real outages: PostgreSQL through a TCP proxy that is cut,
SQLite by taking its file away (a folder stands where the database was).
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import (
    DataError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    StatementError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from devstack.stack import apply_demo_clients
from meldkamer.db import is_outage, make_engine, make_sessionmaker
from meldkamer.intake.melding import Melding
from meldkamer.intake.spool import set_aside, spool_melding, spooled
from meldkamer.service.confirm import Stored, confirm_melding
from meldkamer.service.context import Collaborators
from meldkamer.service.spool import resume_spooled
from meldkamer.tickets import Ticket
from meldkamer.triage.officehours import AMSTERDAM
from tests.conftest import create_pg_database
from tests.faults.proxy import TcpProxy
from tests.service.conftest import burst_pipe

NIGHT = datetime(2026, 12, 5, 3, 0, tzinfo=AMSTERDAM)
LONG_CHANNEL = "x" * 40  # PostgreSQL's column is String(32)


@dataclass
class Stack:
    """The use cases' collaborators on a database that a test can take away."""

    ctx: Collaborators
    down: Callable[[], None]
    up: Callable[[], None]


def _sqlite(tmp_path: Path) -> Iterator[Stack]:
    database = tmp_path / "meldkamer.db"
    url = f"sqlite:///{database}"
    apply_demo_clients(url, now=NIGHT)
    engine = make_engine(url)
    aside = tmp_path / "weg"
    aside.mkdir()

    def down() -> None:
        engine.dispose()
        for path in tmp_path.glob("meldkamer.db*"):
            path.rename(aside / path.name)
        database.mkdir()  # a folder where the file was: every connection fails

    def up() -> None:
        if database.is_dir():
            database.rmdir()
        for path in aside.iterdir():
            path.rename(tmp_path / path.name)

    ctx = Collaborators(sessions=make_sessionmaker(engine), clock=lambda: NIGHT)
    yield Stack(ctx, down, up)
    up()
    engine.dispose()


def _postgres(tmp_path: Path) -> Iterator[Stack]:
    direct, drop = create_pg_database()
    apply_demo_clients(direct, now=NIGHT)
    parsed = make_url(direct)
    proxy = TcpProxy(parsed.host or "127.0.0.1", parsed.port or 5432).up()
    url = parsed.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    engine = make_engine(url)
    ctx = Collaborators(sessions=make_sessionmaker(engine), clock=lambda: NIGHT)
    try:
        yield Stack(ctx, proxy.down, proxy.up)
    finally:
        engine.dispose()
        proxy.close()
        drop()


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
    ]
)
def stack(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Stack]:
    """A database with the demo clients, and the spool in ``tmp_path/spool``."""
    make = _sqlite if request.param == "sqlite" else _postgres
    for built in make(tmp_path):
        built.ctx.spool = tmp_path / "spool"
        built.ctx.registry()  # the clients were read before any outage
        yield built


def melding(key: str, **changes: object) -> Melding:
    return burst_pipe(key, **changes)


def tickets_by_melding(ctx: Collaborators) -> dict[str, list[Ticket]]:
    found: dict[str, list[Ticket]] = {}
    with ctx.sessions() as session:
        for ticket in session.execute(select(Ticket)).scalars():
            found.setdefault(ticket.melding_id, []).append(ticket)
    return found


@pytest.mark.parametrize(
    ("error", "outage"),
    [
        (OperationalError("SELECT 1", {}, Exception("connection refused")), True),
        (InterfaceError("SELECT 1", {}, Exception("connection closed")), True),
        (PoolTimeoutError("pool exhausted"), True),
        (DataError("INSERT", {}, Exception("value too long")), False),
        (IntegrityError("INSERT", {}, Exception("duplicate key")), False),
        (StatementError("bad parameter", "INSERT", {}, Exception("x")), False),
        (ValueError("naam is langer dan 100 tekens"), False),
    ],
)
def test_only_a_real_outage_counts_as_one(error: Exception, outage: bool) -> None:
    assert is_outage(error) is outage


def test_a_40_character_channel_is_registered_with_the_channel_bounded(stack: Stack) -> None:
    result = confirm_melding(stack.ctx, melding("m-lang-kanaal", channel=LONG_CHANNEL))
    assert result.stored is Stored.REGISTERED and result.ticket_number
    (ticket,) = tickets_by_melding(stack.ctx)["m-lang-kanaal"]
    assert ticket.channel == LONG_CHANNEL[:32]
    assert spooled(stack.ctx.spool) == []


def test_a_melding_that_cannot_be_stored_is_set_aside_and_the_tenant_told(stack: Stack) -> None:
    result = confirm_melding(stack.ctx, melding("m-te-lang", naam="N" * 300))
    assert result.stored is Stored.SET_ASIDE and result.ticket_number is None
    assert "bewaard" in result.message and "112" in result.message
    assert spooled(stack.ctx.spool) == [] and len(set_aside(stack.ctx.spool)) == 1
    assert tickets_by_melding(stack.ctx) == {}


def test_resume_keeps_going_past_bad_files_and_reports_them(stack: Stack) -> None:
    folder = stack.ctx.spool
    assert folder is not None
    spool_melding(melding("goed-1"), received_at=NIGHT, directory=folder)
    spool_melding(
        melding("onbekend-onderwerp", topic="bestaat_niet"), received_at=NIGHT, directory=folder
    )
    (folder / "kapot.json").write_text("{niet json")
    spool_melding(melding("te-lang", naam="N" * 300), received_at=NIGHT, directory=folder)
    spool_melding(melding("goed-2", channel=LONG_CHANNEL), received_at=NIGHT, directory=folder)
    report = resume_spooled(stack.ctx)
    assert sorted(m for m, _, _ in report.registered) == ["goed-1", "goed-2"]
    assert sorted(report.failed) == ["kapot.json", "onbekend-onderwerp.json", "te-lang.json"]
    assert report.waiting == 0 and spooled(folder) == []
    assert sorted(p.name for p in set_aside(folder)) == [
        "kapot.json.fout",
        "onbekend-onderwerp.json.fout",
        "te-lang.json.fout",
    ]


def test_resume_stops_on_a_real_outage_and_keeps_every_file(stack: Stack) -> None:
    folder = stack.ctx.spool
    assert folder is not None
    for key in ("a", "b", "c"):
        spool_melding(melding(key), received_at=NIGHT, directory=folder)
    stack.down()
    try:
        report = resume_spooled(stack.ctx)
    finally:
        stack.up()
    assert report.waiting == 3 and report.registered == [] and report.failed == []
    assert len(spooled(folder)) == 3 and set_aside(folder) == []
    assert len(resume_spooled(stack.ctx).registered) == 3


KINDS = ("goed", "lang_kanaal", "onbekend_onderwerp", "te_lange_naam", "kapot_bestand")
GOOD = {"goed", "lang_kanaal"}


def _bad_or_good(kind: str, key: str) -> Melding:
    if kind == "lang_kanaal":
        return melding(key, channel=LONG_CHANNEL)
    if kind == "onbekend_onderwerp":
        return melding(key, topic="bestaat_niet")
    if kind == "te_lange_naam":
        return melding(key, naam="N" * 300)
    return melding(key)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(kinds=st.lists(st.sampled_from(KINDS), min_size=1, max_size=7))
def test_after_an_outage_every_good_melding_is_one_ticket_and_bad_ones_are_set_aside(
    stack: Stack, kinds: list[str]
) -> None:
    folder = Path(tempfile.mkdtemp(dir=stack.ctx.spool.parent if stack.ctx.spool else None))
    ctx = replace(stack.ctx, spool=folder)
    run = uuid.uuid4().hex[:8]
    keys = [f"{run}-{i}-{kind}" for i, kind in enumerate(kinds)]
    stack.down()
    try:
        for key, kind in zip(keys, kinds, strict=True):
            if kind == "kapot_bestand":
                (folder / f"{key}.json").write_text('{"version": 1, "melding": ')
                continue
            result = confirm_melding(ctx, _bad_or_good(kind, key))
            # Nothing is lost: kept for later, or (a melding bad in itself) set aside.
            assert result.stored in (Stored.SPOOLED, Stored.SET_ASIDE)
            assert result.stored is Stored.SPOOLED or kind not in GOOD
    finally:
        stack.up()
    report = resume_spooled(ctx)
    assert report.waiting == 0 and spooled(folder) == []
    found = tickets_by_melding(ctx)
    for key, kind in zip(keys, kinds, strict=True):
        if kind in GOOD:
            (ticket,) = found[key]  # exactly one ticket each
            assert len(ticket.channel) <= 32
        else:
            assert key not in found
    aside = {p.name.split(".")[0] for p in set_aside(folder)}
    assert aside == {key for key, kind in zip(keys, kinds, strict=True) if kind not in GOOD}
    shutil.rmtree(folder)
