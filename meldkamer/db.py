"""Database connection settings, engines and schema migrations.

Nothing here touches a file or the network at import time: the engine is built
when a caller asks for it, with the URL from :func:`database_url`.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from alembic import command
from alembic.config import Config
from sqlalchemy import Column, DateTime, ForeignKey, Integer, MetaData, create_engine, event
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import (
    DBAPIError,
    DisconnectionError,
    InterfaceError,
    OperationalError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.orm import declarative_base, sessionmaker
from sqlalchemy.types import TypeDecorator

# The declarative base every table of Meldkamer is declared on (see meldkamer.models).
# Fixed constraint names, so a later migration can drop or alter them by name on
# SQLite and PostgreSQL alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)

if TYPE_CHECKING:

    class Base:
        """What mypy sees of the declarative base (SQLAlchemy 1.4 has no type hints)."""

        metadata: ClassVar[MetaData]
        __table__: ClassVar[Any]

        def __init__(self, **kwargs: Any) -> None: ...

else:
    Base = declarative_base(metadata=metadata)


class UTCDateTime(TypeDecorator):
    """A timezone-aware timestamp, stored and returned in UTC.

    SQLite keeps no offset, so values are converted to UTC on the way in and
    marked as UTC on the way out; naive datetimes are refused rather than guessed.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        """Convert an aware datetime to UTC before it is stored."""
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value.isoformat()} has no timezone")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        """Return the stored timestamp as an aware UTC datetime."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def ticket_id_column(*, ondelete: str, nullable: bool) -> Any:
    """``ticket_id``: the ticket a row is about, indexed for the ticket page.

    ``ondelete="CASCADE"`` for what goes with its ticket (its history), ``"SET NULL"``
    for a record that must outlive it (a message sent, a contact, a photo).
    """
    return Column(
        Integer, ForeignKey("tickets.id", ondelete=ondelete), nullable=nullable, index=True
    )


# Rasa's tracker store may share the database, so alembic's bookkeeping gets a name
# of its own instead of the default ``alembic_version``.
VERSION_TABLE = "meldkamer_alembic_version"
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

SQLITE_TIMEOUT_S = 30
# Arbitrary fixed key for pg_advisory_xact_lock, so that processes starting at the same
# time run the migrations one after the other.
_PG_MIGRATION_LOCK_KEY = 7_104_215_001


#: Errors that mean the database is away, not that one row is bad: only these spool.
OUTAGE_ERRORS: tuple[type[Exception], ...] = (
    OperationalError,
    InterfaceError,
    DisconnectionError,
    PoolTimeoutError,
    TimeoutError,
    ConnectionError,
)


def is_outage(error: BaseException) -> bool:
    """Whether ``error`` means the database cannot be reached (an outage).

    A ``DataError``, ``IntegrityError`` or ``StatementError`` is about one statement's
    values: retrying it later fails the same way, so it must never hold a spool up.
    """
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return True
    return isinstance(error, OUTAGE_ERRORS)


def database_url(env: Mapping[str, str] | None = None) -> str:
    """Return the database URL Meldkamer should use.

    ``DATABASE_URL`` wins; otherwise a SQLite file ``meldkamer.db`` in
    ``MELDKAMER_VAR_DIR`` (default: ``var/`` under the current directory). Heroku-style
    ``postgres://`` URLs are rewritten to ``postgresql://``, the only spelling
    SQLAlchemy 1.4 accepts.

    Args:
        env: The environment to read; ``os.environ`` when omitted.
    """
    environ = os.environ if env is None else env
    url = environ.get("DATABASE_URL", "").strip()
    if url:
        if url.startswith("postgres://"):
            url = "postgresql://" + url[len("postgres://") :]
        return url
    var_dir = Path(environ.get("MELDKAMER_VAR_DIR", "").strip() or "var")
    # An absolute path, so the URL means the same file whichever directory a process
    # (Rasa server, action server, CLI) later runs from.
    return f"sqlite:///{(Path.cwd() / var_dir).resolve() / 'meldkamer.db'}"


def _is_sqlite(url: str) -> bool:
    backend: str = make_url(url).get_backend_name()
    return backend == "sqlite"


def _set_sqlite_pragmas(dbapi_connection: sqlite3.Connection, connection_record: Any) -> None:
    # The Rasa server and the action server write the same file: WAL lets readers
    # go on while one writes, and busy_timeout makes a writer wait for the lock
    # instead of failing at once.
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_TIMEOUT_S * 1000}")
        cursor.execute("PRAGMA foreign_keys=ON")
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
        except sqlite3.OperationalError:
            # Another connection holds the file (e.g. migrating it right now). WAL is a
            # property of the file: once any connection switched it, it stays.
            pass
    finally:
        cursor.close()


def make_engine(url: str) -> Engine:
    """Build a SQLAlchemy engine (2.0 style) for ``url``.

    For a SQLite file the folder is created here if missing. pysqlite's own
    transaction handling is kept on purpose: it opens the transaction at the first
    write, so a writer waits on ``busy_timeout`` for the lock rather than failing
    because an earlier read in the same transaction went stale.
    """
    if _is_sqlite(url):
        database = make_url(url).database
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine: Engine = create_engine(
            url,
            future=True,
            connect_args={"timeout": SQLITE_TIMEOUT_S, "check_same_thread": False},
        )
        event.listen(engine, "connect", _set_sqlite_pragmas)
        return engine
    engine = create_engine(url, future=True, pool_pre_ping=True)
    return engine


def make_sessionmaker(engine: Engine) -> sessionmaker:
    """Return a session factory; objects stay readable after commit."""
    factory: sessionmaker = sessionmaker(bind=engine, future=True, expire_on_commit=False)
    return factory


def safe_url(url: str) -> str:
    """Return ``url`` with any password replaced by ``***``, for printing."""
    rendered: str = make_url(url).render_as_string(hide_password=True)
    return rendered


def alembic_config() -> Config:
    """Return an alembic configuration for the migrations shipped in this package."""
    config = Config()
    # Config values go through configparser, where % starts an interpolation.
    config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    config.attributes["version_table"] = VERSION_TABLE
    return config


def _begin_migration(connection: Connection) -> None:
    if connection.dialect.name == "sqlite":
        # SQLite alters a table by copying it and dropping the original; with foreign
        # keys on, that drop would cascade and delete every status change. The pragma
        # only takes effect outside a transaction, hence before BEGIN.
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        # Take the write lock before alembic reads the version table, so a second
        # process waits and then finds the schema up to date.
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    elif connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_MIGRATION_LOCK_KEY})")


def _check_foreign_keys(connection: Connection) -> None:
    if connection.dialect.name == "sqlite":
        broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
        if broken:
            raise RuntimeError(f"migratie laat verbroken verwijzingen achter: {broken[:5]}")


def upgrade(url: str) -> None:
    """Bring the database at ``url`` to the newest schema (alembic ``upgrade head``).

    Safe to run again and from several processes at once: the migrations run in
    one transaction under a lock, and an up-to-date database is left as it is.
    """
    config = alembic_config()
    engine = make_engine(url)
    try:
        # The engine is thrown away afterwards, so the SQLite pragma change dies with it.
        with engine.connect() as connection:
            _begin_migration(connection)
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
            _check_foreign_keys(connection)
            connection.commit()
    finally:
        engine.dispose()
