"""Dispatch: work orders, photos, and the tickets' client complex and attention flag.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(sa.Column("complex_id", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("attention", sa.Text(), nullable=True))
        batch.add_column(sa.Column("attention_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_index("ix_tickets_attention_at", ["attention_at"])

    op.create_table(
        "werkbonnen",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("trade", sa.String(length=20), nullable=False),
        sa.Column("urgency", sa.String(length=16), nullable=False),
        sa.Column("contractor_id", sa.String(length=64), nullable=False),
        sa.Column("contractor_name", sa.String(length=200), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("chain", sa.JSON(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("deadline", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
            name="fk_werkbonnen_ticket_id_tickets",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_werkbonnen"),
        sa.UniqueConstraint("token", name="uq_werkbonnen_token"),
    )
    op.create_index("ix_werkbonnen_ticket_id", "werkbonnen", ["ticket_id"])
    op.create_index("ix_werkbonnen_status", "werkbonnen", ["status"])
    op.create_index("ix_werkbonnen_deadline", "werkbonnen", ["deadline"])

    op.create_table(
        "bijlagen",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=255), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("path", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=40), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name="fk_bijlagen_ticket_id_tickets", ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_bijlagen"),
        sa.UniqueConstraint("path", name="uq_bijlagen_path"),
    )
    op.create_index("ix_bijlagen_conversation_id", "bijlagen", ["conversation_id"])
    op.create_index("ix_bijlagen_ticket_id", "bijlagen", ["ticket_id"])


def downgrade() -> None:
    op.drop_table("bijlagen")
    op.drop_table("werkbonnen")
    with op.batch_alter_table("tickets") as batch:
        batch.drop_index("ix_tickets_attention_at")
        batch.drop_column("attention_at")
        batch.drop_column("attention")
        batch.drop_column("complex_id")
