"""write-ahead sales, operations, unmatched payments, server-side UI sessions

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 22:30:00

- ``sales.lease_until``, ``sales.notification_url`` and a partial unique index: at most one
  ``opening``/``pending`` sale per cashbox, enforced by the database (it replaces the per-cashbox
  advisory lock).
- ``sale_operations``: the stored intent of every cancel and refund (write-ahead).
- ``unmatched_payments``: money Mercado Pago showed us that no sale owns.
- ``ui_sessions``: cashier UI sessions that logout and a password change revoke.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_LIVE = sa.text("status IN ('opening', 'pending')")


def upgrade() -> None:
    with op.batch_alter_table("sales", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lease_until", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("notification_url", sa.String(length=500), nullable=True))
    op.create_index(
        "ux_sales_live_cashbox",
        "sales",
        ["cashbox"],
        unique=True,
        sqlite_where=_LIVE,
        postgresql_where=_LIVE,
    )
    op.create_index("ix_notifications_resource_id", "notifications", ["resource_id"])
    op.create_table(
        "sale_operations",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("sale_id", sa.String(length=40), nullable=True),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("payment_id", sa.String(length=60), nullable=True),
        sa.Column("amount", sa.String(length=40), nullable=True),
        sa.Column("mp_key", sa.String(length=120), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("lease_until", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["sale_id"], ["sales.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_sale_operations_sale_id", "sale_operations", ["sale_id"])
    op.create_index("ix_sale_operations_state", "sale_operations", ["state"])
    op.create_table(
        "unmatched_payments",
        sa.Column("payment_id", sa.String(length=60), nullable=False),
        sa.Column("merchant_order_id", sa.String(length=60), nullable=True),
        sa.Column("external_reference", sa.String(length=256), nullable=True),
        sa.Column("amount", sa.String(length=40), nullable=False),
        sa.Column("refunded_amount", sa.String(length=40), nullable=False),
        sa.Column("currency_id", sa.String(length=3), nullable=True),
        sa.Column("cashbox", sa.String(length=60), nullable=True),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("status_detail", sa.String(length=80), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("seen_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("payment_id"),
    )
    op.create_index("ix_unmatched_payments_seen_at", "unmatched_payments", ["seen_at"])
    op.create_table(
        "ui_sessions",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    op.create_index("ix_ui_sessions_username", "ui_sessions", ["username"])


def downgrade() -> None:
    op.drop_index("ix_ui_sessions_username", table_name="ui_sessions")
    op.drop_table("ui_sessions")
    op.drop_index("ix_unmatched_payments_seen_at", table_name="unmatched_payments")
    op.drop_table("unmatched_payments")
    op.drop_index("ix_sale_operations_state", table_name="sale_operations")
    op.drop_index("ix_sale_operations_sale_id", table_name="sale_operations")
    op.drop_table("sale_operations")
    op.drop_index("ix_notifications_resource_id", table_name="notifications")
    op.drop_index("ux_sales_live_cashbox", table_name="sales")
    with op.batch_alter_table("sales", schema=None) as batch_op:
        batch_op.drop_column("notification_url")
        batch_op.drop_column("lease_until")
