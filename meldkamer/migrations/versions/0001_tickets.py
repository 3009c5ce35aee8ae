"""Tickets, their status history and the yearly number counters.

Revision ID: 0001
Revises:
Create Date: 2026-01-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from meldkamer.migrations import ddl

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ticket_counters",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("year", name="pk_ticket_counters"),
    )
    ddl.create_table(
        "tickets",
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("melding_id", sa.String(length=64), nullable=False),
        ddl.conversation_id(nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        ddl.client_id(nullable=True),
        sa.Column("topic", sa.String(length=40), nullable=False),
        sa.Column("facts", sa.JSON(), nullable=False),
        sa.Column("urgency", sa.String(length=16), nullable=False),
        sa.Column("inform_client", sa.Boolean(), nullable=False),
        sa.Column("needs_assessment", sa.Boolean(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("next_office_day", sa.Date(), nullable=True),
        sa.Column("outcome", sa.JSON(), nullable=False),
        sa.Column("postcode", sa.String(length=7), nullable=False),
        sa.Column("huisnummer", sa.Integer(), nullable=False),
        sa.Column("huisnummer_toevoeging", sa.String(length=10), nullable=True),
        sa.Column("naam", sa.String(length=200), nullable=False),
        sa.Column("telefoon", sa.String(length=20), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("beschrijving", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), server_default="nieuw", nullable=False),
        ddl.timestamp("created_at", nullable=False),
        ddl.timestamp("updated_at", nullable=False),
        ddl.unique("tickets", "number"),
        ddl.unique("tickets", "melding_id"),
        indexes=("conversation_id", "created_at", "status"),
    )
    ddl.create_table(
        "ticket_status_changes",
        ddl.ticket_id(nullable=False),
        sa.Column("status_from", sa.String(length=20), nullable=True),
        sa.Column("status_to", sa.String(length=20), nullable=False),
        ddl.timestamp("changed_at", nullable=False),
        sa.Column("changed_by", sa.String(length=100), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        ddl.foreign_key("ticket_status_changes", "ticket_id", "tickets", ondelete="CASCADE"),
        indexes=("ticket_id",),
    )


def downgrade() -> None:
    ddl.drop_indexes("ticket_status_changes", "ticket_id")
    op.drop_table("ticket_status_changes")
    ddl.drop_indexes("tickets", "status", "created_at", "conversation_id")
    op.drop_table("tickets")
    op.drop_table("ticket_counters")
