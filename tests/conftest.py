"""Shared pytest fixtures."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from devstack.stack import apply_demo_clients
from meldkamer.agents import accounts
from meldkamer.agents.accounts import ScryptParameters
from tests.databases import (  # noqa: F401  (create_pg_database: imported from here too)
    TEMPLATES,
    create_pg_database,
    ensure_schema,
    migrated_pg,
    migrated_sqlite,
)
from tests.fakes.mail import SmsGateway, SmtpServer, running_sms_gateway, running_smtp_server
from tests.parallel import mark_groups

#: The scrypt cost of passwords in the tests (1 MiB, about a millisecond) instead of the
#: production cost (32 MiB, 50-100 ms): thousands of sign-ins took a quarter of the unit
#: suite's CPU. tests/console/test_accounts.py checks hashes at the production cost.
TEST_PASSWORD_COST = ScryptParameters(n=2**10)


def pytest_configure(config: pytest.Config) -> None:
    """Before collection, so that no test password is hashed at the production cost."""
    accounts.PARAMETERS = TEST_PASSWORD_COST


# --- database_url / session: a database of its own per test ---------------------------

ROOT = Path(__file__).resolve().parents[1]
#: When demo_sessions' demo clients count as applied.
DEMO_APPLIED = datetime(2026, 11, 1, tzinfo=timezone.utc)


@pytest.fixture
def schema() -> None:
    """Asked for by fixtures that migrate ``database_url`` at once (session, demo_sessions).

    Its presence makes ``database_url`` a copy of a migrated template instead of an empty
    database (tests/databases.py), so the migrations run once per process, not per test.
    """


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
    ]
)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """URL of a database of its own: a SQLite file, or a new PostgreSQL database.

    Empty, unless the test uses ``schema`` (then at the newest schema) or ``demo_sessions``
    (then with the demo clients applied at DEMO_APPLIED too).
    """
    demo_at = DEMO_APPLIED if "demo_sessions" in request.fixturenames else None
    migrated = demo_at is not None or "schema" in request.fixturenames
    if request.param == "sqlite":
        path = tmp_path / "meldkamer.db"
        yield migrated_sqlite(path, demo_at) if migrated else f"sqlite:///{path}"
        return
    url, drop = migrated_pg(demo_at) if migrated else create_pg_database()
    try:
        yield url
    finally:
        drop()


@pytest.fixture
def session(database_url: str, schema: None) -> Iterator[Session]:
    """A session on the ``database_url`` database, upgraded to the newest schema."""
    from meldkamer.db import make_engine, make_sessionmaker

    ensure_schema(database_url)
    engine = make_engine(database_url)
    try:
        with make_sessionmaker(engine)() as db_session:
            yield db_session
    finally:
        engine.dispose()


@pytest.fixture
def demo_sessions(database_url: str, schema: None) -> Iterator[sessionmaker[Session]]:
    """Sessions on an upgraded database with the demo clients (clients/*.yml) applied."""
    from meldkamer.db import make_engine, make_sessionmaker

    if database_url not in TEMPLATES.cloned:
        apply_demo_clients(database_url, now=DEMO_APPLIED)
    engine = make_engine(database_url)
    try:
        yield make_sessionmaker(engine)
    finally:
        engine.dispose()


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Drop this process's template databases."""
    TEMPLATES.drop_all()


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the marks
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Keep the tests that share a server or a module's database on one xdist worker."""
    mark_groups(items)


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
