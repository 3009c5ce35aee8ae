"""Shared pytest fixtures."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from tests.fakes.mail import SmsGateway, SmtpServer, running_sms_gateway, running_smtp_server

# --- database_url / session: a fresh, empty database per test -------------------------

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_TEST_PG_URL = "postgresql://postgres@127.0.0.1:5432/test"


def _test_pg_url() -> str:
    return os.environ.get("MELDKAMER_TEST_PG_URL", DEFAULT_TEST_PG_URL)


def create_pg_database() -> tuple[str, Callable[[], None]]:
    """A new, empty PostgreSQL database: its URL and the function that drops it.

    Skips the test when PostgreSQL is not reachable, unless ``MELDKAMER_REQUIRE_PG`` is
    set (CI sets it): then an unreachable server is a failure, not a skip.
    """
    base = make_url(_test_pg_url())
    name = f"mk_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, future=True, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except OperationalError as error:
        admin.dispose()
        if os.environ.get("MELDKAMER_REQUIRE_PG"):
            raise
        pytest.skip(f"PostgreSQL not reachable at {base!r}: {error.orig}")

    def drop() -> None:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()

    return base.set(database=name).render_as_string(hide_password=False), drop


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
    ]
)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """URL of an empty database of its own: a SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'meldkamer.db'}"
        return
    url, drop = create_pg_database()
    try:
        yield url
    finally:
        drop()


@pytest.fixture
def session(database_url: str) -> Iterator[Session]:
    """A session on the ``database_url`` database, upgraded to the newest schema."""
    from meldkamer.db import make_engine, make_sessionmaker, upgrade

    upgrade(database_url)
    engine = make_engine(database_url)
    try:
        with make_sessionmaker(engine)() as db_session:
            yield db_session
    finally:
        engine.dispose()


@pytest.fixture
def demo_sessions(database_url: str) -> Iterator[sessionmaker[Session]]:
    """Sessions on an upgraded database with the demo clients (clients/*.yml) applied."""
    from meldkamer.clients.loader import load_client
    from meldkamer.clients.store import apply_all
    from meldkamer.db import make_engine, make_sessionmaker, upgrade

    upgrade(database_url)
    engine = make_engine(database_url)
    factory = make_sessionmaker(engine)
    with factory.begin() as db_session:
        loaded = [load_client(path) for path in sorted((ROOT / "clients").glob("*.yml"))]
        apply_all(db_session, loaded, by="test", now=datetime(2026, 11, 1, tzinfo=timezone.utc))
    try:
        yield factory
    finally:
        engine.dispose()


# --- end of database_url / session ----------------------------------------------------


# --- outside services on loopback: SMTP server and SMS gateway --------------------------


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """A real SMTP server (aiosmtpd) on a free loopback port."""
    with running_smtp_server() as server:
        yield server


@pytest.fixture
async def sms_gateway() -> AsyncIterator[SmsGateway]:
    """A real HTTP SMS gateway (aiohttp) on a free loopback port."""
    async with running_sms_gateway() as gateway:
        yield gateway
