"""Builders for the shapes the migrations repeat: ids, timestamps, keys and indexes.

Each builder returns exactly what the migrations used to spell out, with the names of
the naming convention written out in full (``pk_<table>``, ``fk_<table>_<column>_<target>``,
``uq_<table>_<columns>``, ``ix_<table>_<column>``). A migration is history: change a
builder only so that every statement it makes stays the same, on SQLite and PostgreSQL
(``tests/core/test_db.py`` and ``tests/deploy/test_migrations_rollback.py`` run them).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


def timestamp(name: str, *, nullable: bool) -> sa.Column:
    """A moment: always with its time zone (the models store UTC)."""
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def ticket_id(*, nullable: bool) -> sa.Column:
    """The ticket a row belongs to; give it a :func:`foreign_key` to ``tickets``."""
    return sa.Column("ticket_id", sa.Integer(), nullable=nullable)


def client_id(*, nullable: bool) -> sa.Column:
    """The client (opdrachtgever) by the id of its client file."""
    return sa.Column("client_id", sa.String(length=64), nullable=nullable)


def conversation_id(*, nullable: bool) -> sa.Column:
    """Rasa's sender id of the conversation."""
    return sa.Column("conversation_id", sa.String(length=255), nullable=nullable)


def foreign_key(table: str, column: str, target: str, *, ondelete: str) -> sa.ForeignKeyConstraint:
    """``table.column`` refers to ``target.id``."""
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=f"fk_{table}_{column}_{target}", ondelete=ondelete
    )


def unique(table: str, *columns: str) -> sa.UniqueConstraint:
    return sa.UniqueConstraint(*columns, name=f"uq_{table}_{'_'.join(columns)}")


def create_table(
    table: str, *items: sa.Column | sa.Constraint, indexes: tuple[str, ...] = ()
) -> None:
    """A table with an integer ``id`` as its primary key, then one index per name in ``indexes``."""
    op.create_table(
        table,
        sa.Column("id", sa.Integer(), nullable=False),
        *items,
        sa.PrimaryKeyConstraint("id", name=f"pk_{table}"),
    )
    create_indexes(table, *indexes)


def create_indexes(table: str, *columns: str) -> None:
    """One (non-unique) index per column."""
    for column in columns:
        op.create_index(f"ix_{table}_{column}", table, [column])


def drop_indexes(table: str, *columns: str) -> None:
    for column in columns:
        op.drop_index(f"ix_{table}_{column}", table_name=table)
