"""The worker's heartbeat: ``worker_hartslag``, one row per worker, its latest round.

Only adds a table, so a worker of the previous release keeps running against the
migrated schema during a rolling update (it just does not beat yet).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-11
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from meldkamer.migrations import ddl

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "worker_hartslag",
        sa.Column("worker", sa.String(length=255), primary_key=True),
        ddl.timestamp("last_round_at", nullable=False),
    )


def downgrade() -> None:
    op.drop_table("worker_hartslag")
