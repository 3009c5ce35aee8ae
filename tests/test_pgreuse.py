"""A used PostgreSQL test database comes back as its template was, or not at all."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg2
import pytest
from sqlalchemy.engine import make_url

from tests import pgreuse
from tests.databases import _libpq, create_pg_database, pg_base_url

pytestmark = pytest.mark.postgres

SCHEMA = """
CREATE TABLE parent (id serial PRIMARY KEY, name text NOT NULL, data jsonb);
CREATE TABLE child (id serial PRIMARY KEY, parent_id int NOT NULL REFERENCES parent (id));
CREATE SEQUENCE numbers;
INSERT INTO parent (name, data) VALUES ('een', '{"a": [1, 2]}'), ('twee', NULL);
INSERT INTO child (parent_id) VALUES (2);
SELECT nextval('numbers'), nextval('numbers');
"""


def run(dsn: str, statement: str) -> list[tuple[object, ...]]:
    with pgreuse.connect(dsn) as connection, connection.cursor() as cursor:
        cursor.execute(statement)
        return cursor.fetchall() if cursor.description else []


@pytest.fixture
def copy() -> Iterator[tuple[str, str, pgreuse.Snapshot]]:
    """A database with SCHEMA: its name, its libpq DSN and its snapshot."""
    url, drop = create_pg_database()
    dsn = _libpq(url)
    run(dsn, SCHEMA)
    try:
        yield str(make_url(url).database), dsn, pgreuse.snapshot(dsn)
    finally:
        drop()


def state(dsn: str) -> tuple[object, ...]:
    return (
        run(dsn, "SELECT id, name, data FROM parent ORDER BY id"),
        run(dsn, "SELECT id, parent_id FROM child ORDER BY id"),
    )


def test_rows_and_sequences_come_back_as_they_were(copy) -> None:
    name, dsn, template = copy
    before = state(dsn)
    run(dsn, "INSERT INTO parent (name) VALUES ('drie'); DELETE FROM child")
    run(dsn, "UPDATE parent SET data = '{}'; SELECT nextval('numbers')")
    held = psycopg2.connect(dsn)  # a test's pool that was never closed
    try:
        assert pgreuse.reset(_libpq(pg_base_url()), dsn, name, template)
    finally:
        held.close()
    assert state(dsn) == before
    assert run(dsn, "INSERT INTO parent (name) VALUES ('drie') RETURNING id") == [(3,)]
    assert run(dsn, "SELECT nextval('numbers')") == [(3,)]
    assert run(dsn, "SELECT nextval('child_id_seq')") == [(2,)]


@pytest.mark.parametrize(
    "change",
    [
        "CREATE FUNCTION f() RETURNS int AS 'SELECT 1' LANGUAGE sql",
        "CREATE FUNCTION g() RETURNS trigger AS $$ BEGIN RETURN NEW; END $$ LANGUAGE plpgsql;"
        " CREATE TRIGGER t BEFORE INSERT ON parent FOR EACH ROW EXECUTE FUNCTION g()",
        "ALTER TABLE parent ADD COLUMN extra int",
        "CREATE INDEX ON child (parent_id)",
        "DROP TABLE child",
        "CREATE TABLE more (id int)",
        "ALTER TABLE child DROP CONSTRAINT child_parent_id_fkey",
    ],
)
def test_a_changed_schema_is_not_given_back(copy, change: str) -> None:
    name, dsn, template = copy
    run(dsn, change)
    assert not pgreuse.reset(_libpq(pg_base_url()), dsn, name, template)
