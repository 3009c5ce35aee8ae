"""Databases for the tests: empty ones, and ones with the newest schema (and the demo clients).

Migrating a database from nothing costs about a second on PostgreSQL and a quarter of one
on SQLite, and well over a thousand tests want a migrated one. So each test process (each
pytest-xdist worker) migrates one template per kind on first use and clones it for every
test that asks for the schema: ``CREATE DATABASE ... TEMPLATE`` on PostgreSQL, a copy of
the file on SQLite. A template with the demo clients applied (clients/*.yml, valid from a
given moment) is kept the same way. A used PostgreSQL copy is emptied and refilled for the
next test instead of dropped (tests/pgreuse.py: creating and dropping one per test kept
PostgreSQL writing checkpoints). The migrations themselves are still tested on empty
databases: ``database_url`` without ``schema`` is empty (tests/core/test_db.py,
tests/deploy/test_migrations_*.py).

Every database gets a name of its own (a uuid), so pytest-xdist workers never share one.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import psycopg2
import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from tests import pgreuse

DEFAULT_TEST_PG_URL = "postgresql://postgres@127.0.0.1:5432/test"


def pg_base_url() -> str:
    """The PostgreSQL server's database the tests connect to for creating their own."""
    return os.environ.get("MELDKAMER_TEST_PG_URL", DEFAULT_TEST_PG_URL)


def create_pg_database(template: str | None = None) -> tuple[str, Callable[[], None]]:
    """A new PostgreSQL database (empty, or a copy of ``template``): its URL and its drop.

    Skips the test when PostgreSQL is not reachable, unless ``MELDKAMER_REQUIRE_PG`` is
    set (CI sets it): then an unreachable server is a failure, not a skip.
    """
    base = make_url(pg_base_url())
    name = f"mk_test_{uuid.uuid4().hex[:12]}"
    copy = f' TEMPLATE "{template}"' if template else ""
    try:
        _admin_sql(f'CREATE DATABASE "{name}"{copy}')
    except OperationalError as error:
        if os.environ.get("MELDKAMER_REQUIRE_PG") or template:
            raise
        pytest.skip(f"PostgreSQL not reachable at {base!r}: {error.orig}")

    def drop() -> None:
        _drop_later(name)

    return _pg_url(name), drop


def _pg_url(name: str) -> str:
    """The URL of the database ``name`` on the tests' PostgreSQL server."""
    return make_url(pg_base_url()).set(database=name).render_as_string(hide_password=False)


def _admin_sql(statement: str) -> None:
    """Run ``statement`` on the server's base database, on a connection of its own."""
    admin = create_engine(make_url(pg_base_url()), future=True, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(statement)
    finally:
        admin.dispose()


#: Dropping a database takes PostgreSQL a good part of a second: one thread does it while
#: the next tests run (a dropped database is never used again); at most PENDING wait.
#: Most migrated copies are not dropped at all but used again (tests/pgreuse.py).
_DROPPER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="drop-test-database")
DROPS: list[Future[None]] = []
PENDING = 4


def _drop_later(name: str) -> None:
    DROPS.append(_DROPPER.submit(_admin_sql, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    while len(DROPS) > PENDING or (DROPS and DROPS[0].done()):
        DROPS.pop(0).result()


def finish_drops() -> None:
    """Wait until every database handed to ``drop`` is gone (raises a drop's error)."""
    while DROPS:
        DROPS.pop(0).result()


def _prepare(url: str, demo_at: datetime | None) -> None:
    """Migrate ``url`` and, with ``demo_at``, apply the demo clients as valid from then."""
    from devstack.stack import apply_demo_clients
    from meldkamer.db import upgrade

    if demo_at is None:
        upgrade(url)
    else:
        apply_demo_clients(url, now=demo_at)


@dataclass
class _Templates:
    """This process's templates, per moment the demo clients were applied (None: none)."""

    folder: Path | None = None
    sqlite: dict[datetime | None, Path] = field(default_factory=dict)
    postgresql: dict[datetime | None, tuple[str, Callable[[], None]]] = field(default_factory=dict)
    #: Per template: what a used copy is given back (tests/pgreuse.py), and the copies free.
    snapshots: dict[datetime | None, pgreuse.Snapshot] = field(default_factory=dict)
    free: dict[datetime | None, list[str]] = field(default_factory=dict)
    #: URLs handed out as clones: these need no migration.
    cloned: set[str] = field(default_factory=set)

    def sqlite_file(self, demo_at: datetime | None) -> Path:
        if demo_at not in self.sqlite:
            if self.folder is None:
                self.folder = Path(tempfile.mkdtemp(prefix="mk-test-templates-"))
            path = self.folder / f"template-{len(self.sqlite)}.db"
            _prepare(f"sqlite:///{path}", demo_at)
            # Everything in the file itself, nothing left in a -wal file beside it.
            with sqlite3.connect(path) as connection:
                connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            self.sqlite[demo_at] = path
        return self.sqlite[demo_at]

    def pg_name(self, demo_at: datetime | None) -> str:
        if demo_at not in self.postgresql:
            url, drop = create_pg_database()
            try:
                _prepare(url, demo_at)
                self.snapshots[demo_at] = pgreuse.snapshot(_libpq(url))
            except BaseException:
                drop()
                raise
            self.postgresql[demo_at] = (str(make_url(url).database), drop)
        return self.postgresql[demo_at][0]

    def pg_copy(self, demo_at: datetime | None) -> tuple[str, Callable[[], None]]:
        """A copy of the template: one used before and emptied again, or a new one."""
        template = self.pg_name(demo_at)
        free = self.free.setdefault(demo_at, [])
        if free:
            name = free.pop()
            url = _pg_url(name)
        else:
            url, _ = create_pg_database(template)
            name = str(make_url(url).database)

        def give_back() -> None:
            """Back to the free copies when it can be emptied again, else dropped."""
            try:
                if pgreuse.reset(_libpq(pg_base_url()), _libpq(url), name, self.snapshots[demo_at]):
                    free.append(name)
                    return
            except psycopg2.Error:
                pass
            _drop_later(name)

        return url, give_back

    def drop_all(self) -> None:
        for names in self.free.values():
            for name in names:
                _drop_later(name)
        self.free.clear()
        for _, drop in self.postgresql.values():
            drop()
        self.postgresql.clear()
        finish_drops()
        self.sqlite.clear()
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None


TEMPLATES = _Templates()


def migrated_sqlite(path: Path, demo_at: datetime | None = None) -> str:
    """The URL of a new SQLite file at ``path`` with the newest schema (a template's copy).

    With ``demo_at`` the demo clients are applied too, valid from that moment.
    """
    template = TEMPLATES.sqlite_file(demo_at)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        raise FileExistsError(f"{path} exists: a migrated copy needs a new file")
    shutil.copyfile(template, path)
    url = f"sqlite:///{path}"
    TEMPLATES.cloned.add(url)
    return url


def migrated_pg(demo_at: datetime | None = None) -> tuple[str, Callable[[], None]]:
    """A new PostgreSQL database with the newest schema (a template's copy) and its drop.

    With ``demo_at`` the demo clients are applied too, valid from that moment.
    """
    url, drop = TEMPLATES.pg_copy(demo_at)
    TEMPLATES.cloned.add(url)
    return url, drop


def _libpq(url: str) -> str:
    """``url`` as psycopg2 takes it (no SQLAlchemy driver name)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def ensure_schema(url: str) -> None:
    """Migrate ``url`` unless it was handed out as a template's copy (then it is migrated)."""
    from meldkamer.db import upgrade

    if url not in TEMPLATES.cloned:
        upgrade(url)
