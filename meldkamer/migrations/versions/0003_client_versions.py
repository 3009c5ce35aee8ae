"""Client versions: every applied client file, with who applied it and when.

Revision ID: 0003
Revises: 0002
Create Date: 2026-02-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from meldkamer.migrations import ddl

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    ddl.create_table(
        "client_versions",
        ddl.client_id(nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("checksum", sa.String(length=64), nullable=False),
        sa.Column("applied_by", sa.String(length=100), nullable=False),
        ddl.timestamp("applied_at", nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        ddl.unique("client_versions", "client_id", "version"),
        indexes=("client_id",),
    )


def downgrade() -> None:
    ddl.drop_indexes("client_versions", "client_id")
    op.drop_table("client_versions")
