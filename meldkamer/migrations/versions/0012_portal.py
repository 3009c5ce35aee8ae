"""The client portal (issue 13): portal accounts, their sessions, change requests.

Only adds tables, so the previous release keeps running against the migrated schema.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-12
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from meldkamer.migrations import ddl

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    ddl.create_table(
        "portaal_gebruikers",
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("display_name", sa.String(length=100), nullable=False),
        ddl.client_id(nullable=False),
        sa.Column("password_hash", sa.String(length=300), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        ddl.timestamp("created_at", nullable=False),
        ddl.timestamp("last_seen_at", nullable=True),
        ddl.unique("portaal_gebruikers", "username"),
        indexes=("client_id",),
    )

    ddl.create_table(
        "portaal_sessies",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        ddl.timestamp("created_at", nullable=False),
        ddl.timestamp("expires_at", nullable=False),
        ddl.foreign_key("portaal_sessies", "user_id", "portaal_gebruikers", ondelete="CASCADE"),
        ddl.unique("portaal_sessies", "token_hash"),
        indexes=("user_id", "expires_at"),
    )

    ddl.create_table(
        "wijzigingsverzoeken",
        ddl.client_id(nullable=False),
        sa.Column("part", sa.String(length=40), nullable=False),
        sa.Column("submitted", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("diff", sa.Text(), nullable=False),
        sa.Column("base_version", sa.Integer(), nullable=True),
        sa.Column("explanation", sa.Text(), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("submitted_by", sa.String(length=100), nullable=False),
        ddl.timestamp("submitted_at", nullable=False),
        sa.Column("reviewed_by", sa.String(length=100), nullable=True),
        ddl.timestamp("reviewed_at", nullable=True),
        sa.Column("review_note", sa.Text(), nullable=True),
        sa.Column("applied_version", sa.Integer(), nullable=True),
        indexes=("client_id", "state"),
    )


def downgrade() -> None:
    op.drop_table("wijzigingsverzoeken")
    op.drop_table("portaal_sessies")
    op.drop_table("portaal_gebruikers")
