"""Privacy: the record of retention runs and erasures (``privacy_acties``).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "privacy_acties",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("by", sa.String(length=100), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=True),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_privacy_acties"),
    )
    op.create_index("ix_privacy_acties_kind", "privacy_acties", ["kind"])
    op.create_index("ix_privacy_acties_at", "privacy_acties", ["at"])


def downgrade() -> None:
    op.drop_index("ix_privacy_acties_at", table_name="privacy_acties")
    op.drop_index("ix_privacy_acties_kind", table_name="privacy_acties")
    op.drop_table("privacy_acties")
