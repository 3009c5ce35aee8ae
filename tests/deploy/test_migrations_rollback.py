"""A rolling update and a rollback on a real schema (SQLite and PostgreSQL).

tests/core/test_db.py already checks head == the models, head -> base -> head, and
concurrent upgrades. Here: the previous release's rows (the schema as its models saw it,
reflected at PREVIOUS) still insert at head; each migration's downgrade, one step at a
time with tickets present, leaves a schema its upgrade runs on again; and after a
rollback to PREVIOUS and forward again, the service layer registers a ticket.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timezone
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory

from meldkamer import db
from meldkamer.tickets import Ticket, create_ticket
from tests.core.meldingen import melding
from tests.deploy.test_migrations_expand_only import FIRST_RULED

SCRIPTS = ScriptDirectory.from_config(db.alembic_config())
HEAD = SCRIPTS.get_current_head()
# The release before the first one under the expand-only rule.
PREVIOUS = SCRIPTS.get_revision(FIRST_RULED).down_revision
NOW = datetime(2026, 12, 1, 3, 0, tzinfo=timezone.utc)
# Values a CHECK constraint of the previous schema accepts (everything else is free).
CHECKED = {("outbox", "kind"): "email", ("outbox", "status"): "wachtrij"}


def _migrate(url: str, step: str, revision: str) -> None:
    """``alembic upgrade|downgrade revision`` as db.upgrade runs it (locks, SQLite pragma)."""
    engine = db.make_engine(url)
    try:
        with engine.connect() as connection:
            db._begin_migration(connection)  # the same start as production's upgrade
            config = db.alembic_config()
            config.attributes["connection"] = connection
            getattr(command, step)(config, revision)
            connection.commit()
    finally:
        engine.dispose()


@pytest.fixture
def engine(database_url: str) -> Iterator[sa.Engine]:
    engine = db.make_engine(database_url)
    yield engine
    engine.dispose()


def _version(engine: sa.Engine) -> str:
    with engine.connect() as connection:
        return str(
            connection.exec_driver_sql(f"SELECT version_num FROM {db.VERSION_TABLE}").scalar_one()
        )


def _register(engine: sa.Engine, key: str) -> str:
    with db.make_sessionmaker(engine).begin() as session:
        return create_ticket(session, melding(key), NOW).number


def _tickets(engine: sa.Engine) -> list[str]:
    with db.make_sessionmaker(engine)() as session:
        return sorted(session.scalars(sa.select(Ticket.number)))


def _sample(column: sa.Column[Any], table: str, parents: dict[str, Any]) -> Any:
    if (table, column.name) in CHECKED:
        return CHECKED[(table, column.name)]
    for key in column.foreign_keys:
        return parents[key.column.table.name]
    kind = column.type.python_type
    samples: dict[type, Any] = {bool: True, int: 1, dict: {}, list: [], date: NOW.date()}
    if kind is datetime:
        return NOW
    if kind is str:
        length = getattr(column.type, "length", None) or 10
        return "x" * min(length, 10)
    return samples[kind]


def test_the_previous_releases_rows_insert_at_head(database_url: str, engine: sa.Engine) -> None:
    """Every column of every table the previous release knew, filled as its code could."""
    _migrate(database_url, "upgrade", PREVIOUS)
    previous = sa.MetaData()
    previous.reflect(engine)
    previous.remove(previous.tables[db.VERSION_TABLE])
    db.upgrade(database_url)
    parents: dict[str, Any] = {}
    with engine.begin() as connection:
        for table in previous.sorted_tables:
            row = {c.name: _sample(c, table.name, parents) for c in table.columns}
            keys = [c.name for c in table.primary_key.columns if c.autoincrement is not False]
            for name in keys if len(table.primary_key.columns) == 1 else []:
                if isinstance(table.c[name].type, sa.Integer):
                    del row[name]
            result = connection.execute(table.insert().values(**row))
            pk = result.inserted_primary_key
            parents[table.name] = pk[0] if pk else None
    assert set(parents) == set(previous.tables) and len(parents) >= 15


def test_each_downgrade_steps_back_and_its_upgrade_runs_again(
    database_url: str, engine: sa.Engine
) -> None:
    db.upgrade(database_url)
    first = _register(engine, "voor-de-trap")
    revisions = [s.revision for s in SCRIPTS.walk_revisions()]  # head first
    for revision in revisions[:-1]:
        below = SCRIPTS.get_revision(revision).down_revision
        _migrate(database_url, "downgrade", str(below))
        assert _version(engine) == below
        _migrate(database_url, "upgrade", revision)
        assert _version(engine) == revision
        _migrate(database_url, "downgrade", str(below))
    assert _version(engine) == revisions[-1]
    assert _tickets(engine) == [first]
    db.upgrade(database_url)
    assert _version(engine) == HEAD


def test_rollback_to_the_previous_release_and_forward_again(
    database_url: str, engine: sa.Engine
) -> None:
    db.upgrade(database_url)
    before = _register(engine, "voor-rollback")
    _migrate(database_url, "downgrade", PREVIOUS)
    assert _version(engine) == PREVIOUS
    db.upgrade(database_url)
    assert _version(engine) == HEAD
    after = _register(engine, "na-rollback")
    assert _tickets(engine) == sorted([before, after]) and before != after
    # The melding registered before stays the same ticket: nothing was doubled.
    assert _register(engine, "voor-rollback") == before
