"""Attachments of outbox e-mails (issue 13: the monthly report's PDF): ``outbox_bijlagen``.

Only adds a table, so a worker of the previous release keeps running against the
migrated schema during a rolling update (it sends mails without reading attachments,
and queues none).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-12
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from meldkamer.migrations import ddl

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    ddl.create_table(
        "outbox_bijlagen",
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        ddl.timestamp("created_at", nullable=False),
        ddl.foreign_key("outbox_bijlagen", "message_id", "outbox", ondelete="CASCADE"),
        ddl.unique("outbox_bijlagen", "message_id", "filename"),
        indexes=("message_id",),
    )


def downgrade() -> None:
    ddl.drop_indexes("outbox_bijlagen", "message_id")
    op.drop_table("outbox_bijlagen")
