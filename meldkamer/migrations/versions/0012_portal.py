"""The client portal (issue 13): portal accounts, their sessions, change requests.

Only adds tables, so the previous release keeps running against the migrated schema.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-12
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "portaal_gebruikers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("display_name", sa.String(length=100), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("password_hash", sa.String(length=300), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_portaal_gebruikers"),
        sa.UniqueConstraint("username", name="uq_portaal_gebruikers_username"),
    )
    op.create_index("ix_portaal_gebruikers_client_id", "portaal_gebruikers", ["client_id"])

    op.create_table(
        "portaal_sessies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["portaal_gebruikers.id"],
            name="fk_portaal_sessies_user_id_portaal_gebruikers",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_portaal_sessies"),
        sa.UniqueConstraint("token_hash", name="uq_portaal_sessies_token_hash"),
    )
    op.create_index("ix_portaal_sessies_user_id", "portaal_sessies", ["user_id"])
    op.create_index("ix_portaal_sessies_expires_at", "portaal_sessies", ["expires_at"])

    op.create_table(
        "wijzigingsverzoeken",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("part", sa.String(length=40), nullable=False),
        sa.Column("submitted", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("diff", sa.Text(), nullable=False),
        sa.Column("base_version", sa.Integer(), nullable=True),
        sa.Column("explanation", sa.Text(), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("submitted_by", sa.String(length=100), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reviewed_by", sa.String(length=100), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("review_note", sa.Text(), nullable=True),
        sa.Column("applied_version", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_wijzigingsverzoeken"),
    )
    op.create_index("ix_wijzigingsverzoeken_client_id", "wijzigingsverzoeken", ["client_id"])
    op.create_index("ix_wijzigingsverzoeken_state", "wijzigingsverzoeken", ["state"])


def downgrade() -> None:
    op.drop_table("wijzigingsverzoeken")
    op.drop_table("portaal_sessies")
    op.drop_table("portaal_gebruikers")
