"""Alembic environment for Meldkamer.

Normally run through :func:`meldkamer.db.upgrade`, which hands over an open
connection in ``config.attributes["connection"]``. Without one, the URL comes from
the ``sqlalchemy.url`` option or else from :func:`meldkamer.db.database_url`.
"""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy.engine import Connection

from meldkamer.db import VERSION_TABLE, database_url, make_engine
from meldkamer.models import Base

config = context.config
target_metadata = Base.metadata


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    # The database may also hold Rasa's tracker store (table ``events``): autogenerate
    # must neither drop nor copy tables that are not Meldkamer's.
    if type_ == "table":
        return name in target_metadata.tables
    return True


def _configure_options() -> dict[str, Any]:
    return {
        "target_metadata": target_metadata,
        "version_table": config.attributes.get("version_table", VERSION_TABLE),
        "include_name": include_name,
        "compare_type": True,
        # SQLite alters tables only by copying them; batch mode does that for us.
        "render_as_batch": True,
    }


def _url() -> str:
    return str(config.get_main_option("sqlalchemy.url") or database_url())


def run_migrations_offline() -> None:
    context.configure(url=_url(), literal_binds=True, **_configure_options())
    with context.begin_transaction():
        context.run_migrations()


def _run_on(connection: Connection) -> None:
    context.configure(connection=connection, **_configure_options())
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run_on(connection)
        return
    engine = make_engine(_url())
    try:
        with engine.connect() as connection:
            _run_on(connection)
            connection.commit()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
