"""The outbox: e-mails and SMS messages to send, queued with the ticket change.

Revision ID: 0002
Revises: 0001
Create Date: 2026-01-15
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from meldkamer.migrations import ddl

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    ddl.create_table(
        "outbox",
        sa.Column("key", sa.String(length=200), nullable=False),
        ddl.ticket_id(nullable=True),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("purpose", sa.String(length=40), nullable=False),
        sa.Column("recipient", sa.String(length=254), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), server_default="wachtrij", nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        ddl.timestamp("next_attempt_at", nullable=False),
        ddl.timestamp("locked_until", nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        ddl.timestamp("created_at", nullable=False),
        ddl.timestamp("sent_at", nullable=True),
        sa.CheckConstraint("kind IN ('email', 'sms')", name="ck_outbox_kind"),
        sa.CheckConstraint(
            "status IN ('wachtrij', 'bezig', 'verzonden', 'mislukt')", name="ck_outbox_status"
        ),
        ddl.foreign_key("outbox", "ticket_id", "tickets", ondelete="SET NULL"),
        ddl.unique("outbox", "key"),
        indexes=("ticket_id", "status", "next_attempt_at"),
    )


def downgrade() -> None:
    ddl.drop_indexes("outbox", "next_attempt_at", "status", "ticket_id")
    op.drop_table("outbox")
