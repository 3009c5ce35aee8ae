"""Work-order tokens hashed at rest: ``token_hash`` (SHA-256) replaces ``token``.

The plaintext token is only in the link sent to the contractor; the database holds its
SHA-256, so a copy of the database opens no work order. Existing rows get the hash of
their token, so links already sent keep working until they expire.

A downgrade cannot bring the plaintext back: every row gets a new random token, so links
sent before the downgrade stop working (the contractor calls the meldkamer).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from __future__ import annotations

import hashlib
import secrets

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_werkbonnen = sa.table(
    "werkbonnen",
    sa.column("id", sa.Integer()),
    sa.column("token", sa.String(length=64)),
    sa.column("token_hash", sa.String(length=64)),
)


def upgrade() -> None:
    with op.batch_alter_table("werkbonnen") as batch:
        batch.add_column(sa.Column("token_hash", sa.String(length=64), nullable=True))
    connection = op.get_bind()
    rows = connection.execute(sa.select(_werkbonnen.c.id, _werkbonnen.c.token)).all()
    for row_id, token in rows:
        connection.execute(
            _werkbonnen.update()
            .where(_werkbonnen.c.id == row_id)
            .values(token_hash=hashlib.sha256(token.encode("utf-8")).hexdigest())
        )
    with op.batch_alter_table("werkbonnen") as batch:
        batch.alter_column("token_hash", existing_type=sa.String(length=64), nullable=False)
        batch.create_unique_constraint("uq_werkbonnen_token_hash", ["token_hash"])
        batch.drop_constraint("uq_werkbonnen_token", type_="unique")
        batch.drop_column("token")


def downgrade() -> None:
    with op.batch_alter_table("werkbonnen") as batch:
        batch.add_column(sa.Column("token", sa.String(length=64), nullable=True))
    connection = op.get_bind()
    ids = connection.execute(sa.select(_werkbonnen.c.id)).scalars().all()
    for row_id in ids:
        connection.execute(
            _werkbonnen.update()
            .where(_werkbonnen.c.id == row_id)
            .values(token=secrets.token_urlsafe(24))
        )
    with op.batch_alter_table("werkbonnen") as batch:
        batch.alter_column("token", existing_type=sa.String(length=64), nullable=False)
        batch.create_unique_constraint("uq_werkbonnen_token", ["token"])
        batch.drop_constraint("uq_werkbonnen_token_hash", type_="unique")
        batch.drop_column("token_hash")
