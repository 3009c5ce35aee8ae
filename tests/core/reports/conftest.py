"""The generated month, registered once per module and database (SQLite and PostgreSQL).

The report tests only read, so they share one database per kind instead of registering
the month again for every test.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session, sessionmaker

from meldkamer import db
from tests.core.reports.month import Spec, generate, populate
from tests.databases import migrated_pg, migrated_sqlite


@pytest.fixture(scope="module")
def specs() -> list[Spec]:
    return generate()


@pytest.fixture(
    scope="module",
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
    ],
)
def month_sessions(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    specs: list[Spec],
) -> Iterator[sessionmaker[Session]]:
    """Sessions on a database holding the generated months (read-only for the tests)."""
    drop = None
    if request.param == "sqlite":
        url = migrated_sqlite(tmp_path_factory.mktemp("month") / "meldkamer.db")
    else:
        url, drop = migrated_pg()
    engine = db.make_engine(url)
    factory = db.make_sessionmaker(engine)
    with factory.begin() as session:
        populate(session, specs)
    try:
        yield factory
    finally:
        engine.dispose()
        if drop is not None:
            drop()
