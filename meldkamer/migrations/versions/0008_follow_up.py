"""Follow-up (issue 11): the work order's life, the contact log, SLA clocks, transfers.

- ``werkbonnen`` gains the times of each step (``eta_at``, ``on_site_at``, ``done_at``,
  ``closed_at``), the contractor's ``report`` and a ``photo``;
- ``werkbon_gebeurtenissen``: every status change of a work order, who and when;
- ``contacten``: the one contact log (messages, calls, mails, SMS, status changes);
- ``sla_klokken``: each promise with a deadline and its state;
- ``doorverbindingen``: transfers to the client's own employee;
- ``outbox.kind`` may also be ``chat`` (a message in the tenant's own conversation).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from meldkamer.migrations import ddl

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_WORKORDER_COLUMNS = ("eta_at", "on_site_at", "done_at", "closed_at")


def _upgrade_werkbonnen() -> None:
    with op.batch_alter_table("werkbonnen") as batch:
        for name in _WORKORDER_COLUMNS:
            batch.add_column(ddl.timestamp(name, nullable=True))
        batch.add_column(sa.Column("report", sa.Text(), nullable=True))
        batch.add_column(sa.Column("photo", sa.String(length=255), nullable=True))
    ddl.create_table(
        "werkbon_gebeurtenissen",
        sa.Column("work_order_id", sa.Integer(), nullable=False),
        ddl.ticket_id(nullable=False),
        sa.Column("status_from", sa.String(length=16), nullable=True),
        sa.Column("status_to", sa.String(length=16), nullable=False),
        ddl.timestamp("eta_at", nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("by", sa.String(length=100), nullable=False),
        sa.Column("via", sa.String(length=20), nullable=False),
        ddl.timestamp("at", nullable=False),
        ddl.foreign_key(
            "werkbon_gebeurtenissen", "work_order_id", "werkbonnen", ondelete="CASCADE"
        ),
        ddl.foreign_key("werkbon_gebeurtenissen", "ticket_id", "tickets", ondelete="CASCADE"),
        indexes=("ticket_id", "at"),
    )


def _upgrade_contacten() -> None:
    ddl.create_table(
        "contacten",
        ddl.ticket_id(nullable=True),
        ddl.conversation_id(nullable=True),
        ddl.client_id(nullable=True),
        ddl.timestamp("at", nullable=False),
        sa.Column("direction", sa.String(length=8), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("party", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("by", sa.String(length=100), nullable=True),
        sa.Column("ref", sa.String(length=200), nullable=True),
        ddl.foreign_key("contacten", "ticket_id", "tickets", ondelete="SET NULL"),
        indexes=("ticket_id", "conversation_id", "client_id", "at"),
    )


def _upgrade_sla() -> None:
    ddl.create_table(
        "sla_klokken",
        ddl.ticket_id(nullable=False),
        sa.Column("work_order_id", sa.Integer(), nullable=True),
        sa.Column("handover_id", sa.Integer(), nullable=True),
        sa.Column("clock", sa.String(length=30), nullable=False),
        ddl.timestamp("target_at", nullable=False),
        ddl.timestamp("met_at", nullable=True),
        ddl.timestamp("breached_at", nullable=True),
        sa.Column("escalation_step", sa.Integer(), server_default="0", nullable=False),
        ddl.timestamp("escalated_at", nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        ddl.foreign_key("sla_klokken", "ticket_id", "tickets", ondelete="CASCADE"),
        ddl.foreign_key("sla_klokken", "work_order_id", "werkbonnen", ondelete="SET NULL"),
        ddl.foreign_key("sla_klokken", "handover_id", "overnames", ondelete="SET NULL"),
        indexes=("ticket_id", "target_at", "state"),
    )
    ddl.create_table(
        "doorverbindingen",
        ddl.ticket_id(nullable=True),
        ddl.conversation_id(nullable=True),
        sa.Column("by", sa.String(length=100), nullable=False),
        sa.Column("to_name", sa.String(length=200), nullable=False),
        sa.Column("to_phone", sa.String(length=32), nullable=True),
        sa.Column("to_email", sa.String(length=254), nullable=True),
        ddl.timestamp("at", nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        ddl.foreign_key("doorverbindingen", "ticket_id", "tickets", ondelete="SET NULL"),
        indexes=("ticket_id", "conversation_id", "at"),
    )


def _outbox_kinds(kinds: str) -> None:
    # 0002 gave the constraint a name the naming convention prefixed once more
    # (ck_outbox_ck_outbox_kind); whatever it is called, it is replaced by the model's.
    checks = sa.inspect(op.get_bind()).get_check_constraints("outbox")
    with op.batch_alter_table("outbox") as batch:
        for check in checks:
            if str(check["name"]).endswith("_kind"):
                batch.drop_constraint(op.f(check["name"]), type_="check")
        batch.create_check_constraint(op.f("ck_outbox_kind"), f"kind IN ({kinds})")


def upgrade() -> None:
    _upgrade_werkbonnen()
    _upgrade_contacten()
    _upgrade_sla()
    _outbox_kinds("'email', 'sms', 'chat'")


def downgrade() -> None:
    # Chat messages cannot be sent by a schema without them: they go with the kind.
    op.execute("DELETE FROM outbox WHERE kind = 'chat'")
    _outbox_kinds("'email', 'sms'")
    op.drop_table("doorverbindingen")
    op.drop_table("sla_klokken")
    op.drop_table("contacten")
    op.drop_table("werkbon_gebeurtenissen")
    with op.batch_alter_table("werkbonnen") as batch:
        for name in ("photo", "report", *reversed(_WORKORDER_COLUMNS)):
            batch.drop_column(name)
