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

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbox_bijlagen",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["outbox.id"],
            name="fk_outbox_bijlagen_message_id_outbox",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_outbox_bijlagen"),
        sa.UniqueConstraint(
            "message_id", "filename", name="uq_outbox_bijlagen_message_id_filename"
        ),
    )
    op.create_index(
        "ix_outbox_bijlagen_message_id", "outbox_bijlagen", ["message_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_outbox_bijlagen_message_id", table_name="outbox_bijlagen")
    op.drop_table("outbox_bijlagen")
