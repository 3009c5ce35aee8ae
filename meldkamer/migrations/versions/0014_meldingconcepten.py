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

from meldkamer.migrations import ddl

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


_INDEXED = ("conversation_id", "client_id", "created_at", "ticket_id")


def upgrade() -> None:
    ddl.create_table(
        "meldingconcepten",
        ddl.conversation_id(nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        ddl.client_id(nullable=True),
        sa.Column("handover_id", sa.Integer(), nullable=True),
        sa.Column("topic", sa.String(length=64), nullable=True),
        sa.Column("urgency", sa.String(length=20), nullable=True),
        sa.Column("summary", sa.JSON(), nullable=False),
        ddl.timestamp("created_at", nullable=False),
        ddl.timestamp("updated_at", nullable=False),
        ddl.ticket_id(nullable=True),
        sa.Column("completed_by", sa.String(length=100), nullable=True),
        ddl.timestamp("completed_at", nullable=True),
        ddl.foreign_key("meldingconcepten", "handover_id", "overnames", ondelete="SET NULL"),
        ddl.foreign_key("meldingconcepten", "ticket_id", "tickets", ondelete="SET NULL"),
        indexes=_INDEXED,
    )


def downgrade() -> None:
    ddl.drop_indexes("meldingconcepten", *_INDEXED)
    op.drop_table("meldingconcepten")
