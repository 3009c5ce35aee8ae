"""Dispatch: work orders, photos, and the tickets' client complex and attention flag.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from meldkamer.migrations import ddl

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(sa.Column("complex_id", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("attention", sa.Text(), nullable=True))
        batch.add_column(ddl.timestamp("attention_at", nullable=True))
        batch.create_index("ix_tickets_attention_at", ["attention_at"])

    ddl.create_table(
        "werkbonnen",
        ddl.ticket_id(nullable=False),
        ddl.client_id(nullable=False),
        sa.Column("trade", sa.String(length=20), nullable=False),
        sa.Column("urgency", sa.String(length=16), nullable=False),
        sa.Column("contractor_id", sa.String(length=64), nullable=False),
        sa.Column("contractor_name", sa.String(length=200), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("chain", sa.JSON(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        ddl.timestamp("deadline", nullable=False),
        ddl.timestamp("created_at", nullable=False),
        ddl.timestamp("acknowledged_at", nullable=True),
        ddl.foreign_key("werkbonnen", "ticket_id", "tickets", ondelete="CASCADE"),
        ddl.unique("werkbonnen", "token"),
        indexes=("ticket_id", "status", "deadline"),
    )

    ddl.create_table(
        "bijlagen",
        ddl.conversation_id(nullable=False),
        ddl.ticket_id(nullable=True),
        sa.Column("path", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=40), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        ddl.timestamp("created_at", nullable=False),
        ddl.foreign_key("bijlagen", "ticket_id", "tickets", ondelete="SET NULL"),
        ddl.unique("bijlagen", "path"),
        indexes=("conversation_id", "ticket_id"),
    )


def downgrade() -> None:
    op.drop_table("bijlagen")
    op.drop_table("werkbonnen")
    with op.batch_alter_table("tickets") as batch:
        batch.drop_index("ix_tickets_attention_at")
        batch.drop_column("attention_at")
        batch.drop_column("attention")
        batch.drop_column("complex_id")
