"""Migrating a test database down on an open connection, as the migration tests do."""

from __future__ import annotations

from alembic import command
from sqlalchemy.engine import Connection

from meldkamer import db


def downgrade(connection: Connection, revision: str) -> None:
    """``alembic downgrade revision`` on ``connection``, committed."""
    config = db.alembic_config()
    config.attributes["connection"] = connection
    command.downgrade(config, revision)
    connection.commit()
