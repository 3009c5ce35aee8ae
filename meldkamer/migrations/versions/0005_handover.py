"""Handover: the agents' queue, notes, ticket edits, agent accounts and console sessions.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from meldkamer.migrations import ddl

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    ddl.create_table(
        "overnames",
        ddl.conversation_id(nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        ddl.ticket_id(nullable=True),
        ddl.client_id(nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("urgency_rank", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("agent", sa.String(length=100), nullable=True),
        sa.Column("callback", sa.Boolean(), nullable=False),
        ddl.timestamp("requested_at", nullable=False),
        ddl.timestamp("taken_at", nullable=True),
        ddl.timestamp("closed_at", nullable=True),
        ddl.foreign_key("overnames", "ticket_id", "tickets", ondelete="SET NULL"),
        indexes=("conversation_id", "ticket_id", "status", "requested_at"),
    )

    ddl.create_table(
        "notities",
        ddl.conversation_id(nullable=False),
        ddl.ticket_id(nullable=True),
        sa.Column("author", sa.String(length=100), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        ddl.timestamp("created_at", nullable=False),
        ddl.foreign_key("notities", "ticket_id", "tickets", ondelete="SET NULL"),
        indexes=("conversation_id", "ticket_id"),
    )

    ddl.create_table(
        "ticket_wijzigingen",
        ddl.ticket_id(nullable=False),
        sa.Column("field", sa.String(length=40), nullable=False),
        sa.Column("old", sa.Text(), nullable=True),
        sa.Column("new", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("by", sa.String(length=100), nullable=False),
        ddl.timestamp("at", nullable=False),
        ddl.foreign_key("ticket_wijzigingen", "ticket_id", "tickets", ondelete="CASCADE"),
        indexes=("ticket_id",),
    )

    ddl.create_table(
        "medewerkers",
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("display_name", sa.String(length=100), nullable=False),
        sa.Column("password_hash", sa.String(length=300), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        ddl.timestamp("created_at", nullable=False),
        ddl.timestamp("last_seen_at", nullable=True),
        ddl.unique("medewerkers", "username"),
    )

    ddl.create_table(
        "console_sessies",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        ddl.timestamp("created_at", nullable=False),
        ddl.timestamp("expires_at", nullable=False),
        ddl.foreign_key("console_sessies", "agent_id", "medewerkers", ondelete="CASCADE"),
        ddl.unique("console_sessies", "token_hash"),
        indexes=("agent_id", "expires_at"),
    )


def downgrade() -> None:
    op.drop_table("console_sessies")
    op.drop_table("medewerkers")
    op.drop_table("ticket_wijzigingen")
    op.drop_table("notities")
    op.drop_table("overnames")
