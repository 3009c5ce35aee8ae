"""Fixtures of the core tests (the shared database fixtures are in tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session, sessionmaker

from meldkamer import db
from tests.databases import ensure_schema


@pytest.fixture
def sessions(database_url: str, schema: None) -> Iterator[sessionmaker[Session]]:
    """A session factory on the migrated, empty ``database_url`` database.

    For tests that need more than one session or transaction (races, other connections);
    tests with demo clients use ``demo_sessions``.
    """
    ensure_schema(database_url)
    engine = db.make_engine(database_url)
    try:
        yield db.make_sessionmaker(engine)
    finally:
        engine.dispose()
