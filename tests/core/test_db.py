"""Database settings, engines and migrations."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from meldkamer import db
from meldkamer.models import Base
from meldkamer.tickets import TicketCounter
from tests.core.threads import at_once
from tests.migrating import downgrade

# Every table of the models, and the newest migration: both grow with the project.
TABLES = set(Base.metadata.tables)
HEAD = ScriptDirectory.from_config(db.alembic_config()).get_current_head()


# --- database_url ----------------------------------------------------------------------


def test_database_url_prefers_database_url() -> None:
    url = "postgresql://mk:geheim@db.example:5432/meldkamer"
    assert db.database_url({"DATABASE_URL": url, "MELDKAMER_VAR_DIR": "/x"}) == url


def test_database_url_rewrites_heroku_postgres_scheme() -> None:
    assert db.database_url({"DATABASE_URL": "postgres://u:p@h/d"}) == "postgresql://u:p@h/d"


def test_database_url_defaults_to_sqlite_in_var_of_cwd(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    url = db.database_url({})
    assert url == f"sqlite:///{tmp_path.resolve()}/var/meldkamer.db"
    assert not (tmp_path / "var").exists(), "the folder is made with the engine, not here"


def test_database_url_uses_var_dir_made_absolute(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert db.database_url({"MELDKAMER_VAR_DIR": "data/run"}) == (
        f"sqlite:///{tmp_path.resolve()}/data/run/meldkamer.db"
    )
    assert db.database_url({"MELDKAMER_VAR_DIR": "/srv/mk"}) == "sqlite:////srv/mk/meldkamer.db"
    # An empty value counts as unset.
    assert db.database_url({"DATABASE_URL": "", "MELDKAMER_VAR_DIR": "/srv/mk"}).startswith(
        "sqlite:////srv/mk/"
    )


def test_database_url_reads_the_process_environment(monkeypatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "sqlite:////tmp/elders.db")
    assert db.database_url() == "sqlite:////tmp/elders.db"


def test_safe_url_hides_the_password() -> None:
    shown = db.safe_url("postgresql://mk:geheim@db.example/meldkamer")
    assert "geheim" not in shown and shown == "postgresql://mk:***@db.example/meldkamer"


# --- engines -----------------------------------------------------------------------------


def test_sqlite_engine_makes_the_folder_and_sets_pragmas(tmp_path: Path) -> None:
    path = tmp_path / "nieuw" / "meldkamer.db"
    engine = db.make_engine(f"sqlite:///{path}")
    try:
        assert path.parent.is_dir()
        with engine.connect() as connection:
            pragma = connection.exec_driver_sql
            assert pragma("PRAGMA journal_mode").scalar_one() == "wal"
            assert pragma("PRAGMA foreign_keys").scalar_one() == 1
            assert pragma("PRAGMA busy_timeout").scalar_one() == 30000
    finally:
        engine.dispose()


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
@pytest.mark.postgres
def test_postgresql_engine_pings_pooled_connections(database_url: str) -> None:
    engine = db.make_engine(database_url)
    try:
        assert engine.pool._pre_ping
        with engine.connect() as connection:
            assert connection.exec_driver_sql("SELECT 1").scalar_one() == 1
    finally:
        engine.dispose()


def test_sessions_keep_objects_readable_after_commit(tmp_path: Path) -> None:
    engine = db.make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    try:
        factory = db.make_sessionmaker(engine)
        assert factory.kw["expire_on_commit"] is False
        with factory() as session:
            assert session.future
    finally:
        engine.dispose()


# --- migrations ----------------------------------------------------------------------------


def _version(connection) -> list[str]:
    return list(connection.exec_driver_sql(f"SELECT version_num FROM {db.VERSION_TABLE}").scalars())


def _differences(connection) -> list:
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "version_table": db.VERSION_TABLE}
    )
    return compare_metadata(context, Base.metadata)


def test_upgrade_creates_the_tables_and_its_own_version_table(database_url: str) -> None:
    db.upgrade(database_url)
    engine = db.make_engine(database_url)
    try:
        names = set(inspect(engine).get_table_names())
        assert TABLES | {db.VERSION_TABLE} == names
        assert "alembic_version" not in names
        with engine.connect() as connection:
            assert _version(connection) == [HEAD]
    finally:
        engine.dispose()


def test_upgrade_twice_is_a_no_op(session, database_url: str) -> None:
    session.add(TicketCounter(year=2026, last=7))
    session.commit()
    db.upgrade(database_url)
    assert session.get(TicketCounter, 2026).last == 7
    assert _version(session.connection()) == [HEAD]


def test_sqlite_migrations_run_without_foreign_keys(tmp_path, monkeypatch) -> None:
    """Batch migrations copy and drop tables; with foreign keys on, the drop would cascade."""
    seen = []
    real_upgrade = command.upgrade

    def upgrade(config, revision):
        connection = config.attributes["connection"]
        seen.append(connection.exec_driver_sql("PRAGMA foreign_keys").scalar_one())
        real_upgrade(config, revision)

    monkeypatch.setattr(command, "upgrade", upgrade)
    db.upgrade(f"sqlite:///{tmp_path / 'fk.db'}")
    assert seen == [0]


def test_migration_matches_the_models(database_url: str) -> None:
    db.upgrade(database_url)
    engine = db.make_engine(database_url)
    try:
        with engine.connect() as connection:
            assert _differences(connection) == []
            # The comparison does notice a schema that differs.
            connection.exec_driver_sql("DROP INDEX ix_tickets_status")
            assert [d[0] for d in _differences(connection)] == ["add_index"]
    finally:
        engine.dispose()


def test_upgrade_leaves_other_tables_alone(database_url: str) -> None:
    """Rasa's tracker store and another alembic project may share the database."""
    engine = db.make_engine(database_url)
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql("CREATE TABLE events (id INTEGER PRIMARY KEY)")
            connection.exec_driver_sql("CREATE TABLE alembic_version (version_num VARCHAR(32))")
            connection.exec_driver_sql("INSERT INTO alembic_version VALUES ('abc123')")
        db.upgrade(database_url)
        with engine.connect() as connection:
            assert TABLES | {"events", "alembic_version"} <= set(
                inspect(connection).get_table_names()
            )
            assert connection.exec_driver_sql("SELECT * FROM alembic_version").all() == [
                ("abc123",)
            ]
            assert _version(connection) == [HEAD]
    finally:
        engine.dispose()


def test_concurrent_upgrades_both_succeed(database_url: str) -> None:
    at_once(lambda _: db.upgrade(database_url))
    engine = db.make_engine(database_url)
    try:
        with engine.connect() as connection:
            assert _version(connection) == [HEAD]
    finally:
        engine.dispose()


def test_downgrade_removes_what_upgrade_made(database_url: str) -> None:
    db.upgrade(database_url)
    engine = db.make_engine(database_url)
    try:
        with engine.connect() as connection:
            downgrade(connection, "base")
        assert set(inspect(engine).get_table_names()) == {db.VERSION_TABLE}
    finally:
        engine.dispose()
    db.upgrade(database_url)
