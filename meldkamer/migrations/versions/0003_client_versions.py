"""Client versions: every applied client file, with who applied it and when.

Revision ID: 0003
Revises: 0002
Create Date: 2026-02-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "client_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("checksum", sa.String(length=64), nullable=False),
        sa.Column("applied_by", sa.String(length=100), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_client_versions"),
        sa.UniqueConstraint("client_id", "version", name="uq_client_versions_client_id_version"),
    )
    op.create_index("ix_client_versions_client_id", "client_versions", ["client_id"])


def downgrade() -> None:
    op.drop_index("ix_client_versions_client_id", table_name="client_versions")
    op.drop_table("client_versions")
