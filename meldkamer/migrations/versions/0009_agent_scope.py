"""Per-client scoping of agents (issue 14): ``medewerker_opdrachtgevers``.

One row per client (opdrachtgever) a limited account works for; an account without
rows sees every client, so existing accounts stay as they were.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-09
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from meldkamer.migrations import ddl

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "medewerker_opdrachtgevers",
        sa.Column("agent_id", sa.Integer(), nullable=False),
        ddl.client_id(nullable=False),
        ddl.foreign_key("medewerker_opdrachtgevers", "agent_id", "medewerkers", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("agent_id", "client_id", name="pk_medewerker_opdrachtgevers"),
    )


def downgrade() -> None:
    op.drop_table("medewerker_opdrachtgevers")
