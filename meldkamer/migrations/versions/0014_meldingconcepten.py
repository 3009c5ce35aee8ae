"""Drafts of meldingen handed over incomplete (issue 12): ``meldingconcepten``.

Only adds a table, so the previous release keeps running against the migrated schema
during a rolling update (it queues handovers without drafts, as before).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-13
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "meldingconcepten",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=255), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=True),
        sa.Column("handover_id", sa.Integer(), nullable=True),
        sa.Column("topic", sa.String(length=64), nullable=True),
        sa.Column("urgency", sa.String(length=20), nullable=True),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("completed_by", sa.String(length=100), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["handover_id"],
            ["overnames.id"],
            name="fk_meldingconcepten_handover_id_overnames",
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
            name="fk_meldingconcepten_ticket_id_tickets",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_meldingconcepten"),
    )
    for column in ("conversation_id", "client_id", "created_at", "ticket_id"):
        op.create_index(f"ix_meldingconcepten_{column}", "meldingconcepten", [column], unique=False)


def downgrade() -> None:
    for column in ("conversation_id", "client_id", "created_at", "ticket_id"):
        op.drop_index(f"ix_meldingconcepten_{column}", table_name="meldingconcepten")
    op.drop_table("meldingconcepten")
