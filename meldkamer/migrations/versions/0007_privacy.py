"""Privacy: the record of retention runs and erasures (``privacy_acties``).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from meldkamer.migrations import ddl

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    ddl.create_table(
        "privacy_acties",
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("by", sa.String(length=100), nullable=False),
        ddl.timestamp("at", nullable=False),
        ddl.client_id(nullable=True),
        sa.Column("counts", sa.JSON(), nullable=False),
        indexes=("kind", "at"),
    )


def downgrade() -> None:
    ddl.drop_indexes("privacy_acties", "at", "kind")
    op.drop_table("privacy_acties")
