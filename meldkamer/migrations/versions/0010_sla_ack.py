"""SLA acknowledgement links and answer clocks of chats without a ticket.

- ``sla_klokken.ack_token_hash``: SHA-256 of the secret in the link the supervisor and
  the client's piket get with an escalation step (the secret itself is never stored);
- ``sla_klokken.ticket_id`` may be empty: a handed-over chat that has no ticket yet runs
  its answer clock all the same (it gets the ticket once one is registered).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-10
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sla_klokken") as batch:
        batch.add_column(sa.Column("ack_token_hash", sa.String(length=64), nullable=True))
        batch.create_unique_constraint("uq_sla_klokken_ack_token_hash", ["ack_token_hash"])
        batch.alter_column("ticket_id", existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    # A clock without a ticket cannot go back to a schema that demands one.
    op.execute("DELETE FROM sla_klokken WHERE ticket_id IS NULL")
    with op.batch_alter_table("sla_klokken") as batch:
        batch.alter_column("ticket_id", existing_type=sa.Integer(), nullable=False)
        batch.drop_constraint("uq_sla_klokken_ack_token_hash", type_="unique")
        batch.drop_column("ack_token_hash")
