"""initial schema

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-27 05:28:36.675102
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "api_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key_hash"),
    )
    op.create_table(
        "cashboxes",
        sa.Column("external_id", sa.String(length=60), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("store_external_id", sa.String(length=60), nullable=False),
        sa.Column("mp_pos_id", sa.String(length=40), nullable=True),
        sa.Column("qr_data", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("external_id"),
    )
    op.create_table(
        "idempotency_keys",
        sa.Column("scope", sa.String(length=80), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("scope", "key"),
    )
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("dedupe_key", sa.String(length=300), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("query", sa.Text(), nullable=False),
        sa.Column("headers", sa.JSON(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("topic", sa.String(length=40), nullable=False),
        sa.Column("resource_id", sa.String(length=100), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("deliveries", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("lease_until", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("processed_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("dedupe_key"),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notifications_state"), ["state"], unique=False)

    op.create_table(
        "sales",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("external_reference", sa.String(length=64), nullable=False),
        sa.Column("cashbox", sa.String(length=60), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("total_amount", sa.String(length=40), nullable=False),
        sa.Column("currency_id", sa.String(length=3), nullable=False),
        sa.Column("paid_amount", sa.String(length=40), nullable=False),
        sa.Column("refunded_amount", sa.String(length=40), nullable=False),
        sa.Column("alerts", sa.JSON(), nullable=False),
        sa.Column("mp_order_id", sa.String(length=80), nullable=True),
        sa.Column("integration", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("external_reference"),
    )
    with op.batch_alter_table("sales", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sales_cashbox"), ["cashbox"], unique=False)
        batch_op.create_index(batch_op.f("ix_sales_status"), ["status"], unique=False)

    op.create_table(
        "stores",
        sa.Column("external_id", sa.String(length=60), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("location", sa.JSON(), nullable=True),
        sa.Column("mp_store_id", sa.String(length=40), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("external_id"),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("password_hash", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("username"),
    )
    op.create_table(
        "reconcile_schedule",
        sa.Column("sale_id", sa.String(length=40), nullable=False),
        sa.Column("next_check_at", sa.DateTime(), nullable=False),
        sa.Column("checks", sa.Integer(), nullable=False),
        sa.Column("lease_until", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["sale_id"],
            ["sales.id"],
        ),
        sa.PrimaryKeyConstraint("sale_id"),
    )
    with op.batch_alter_table("reconcile_schedule", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_reconcile_schedule_next_check_at"), ["next_check_at"], unique=False
        )

    op.create_table(
        "sale_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("sale_id", sa.String(length=40), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("from_status", sa.String(length=24), nullable=True),
        sa.Column("to_status", sa.String(length=24), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["sale_id"],
            ["sales.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("sale_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sale_events_sale_id"), ["sale_id"], unique=False)

    op.create_table(
        "sale_items",
        sa.Column("sale_id", sa.String(length=40), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=256), nullable=False),
        sa.Column("unit_price", sa.String(length=40), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("description", sa.String(length=256), nullable=True),
        sa.Column("picture_url", sa.String(length=500), nullable=True),
        sa.Column("sku", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["sale_id"],
            ["sales.id"],
        ),
        sa.PrimaryKeyConstraint("sale_id", "position"),
    )
    op.create_table(
        "sale_merchant_orders",
        sa.Column("sale_id", sa.String(length=40), nullable=False),
        sa.Column("merchant_order_id", sa.String(length=60), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("total_amount", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(
            ["sale_id"],
            ["sales.id"],
        ),
        sa.PrimaryKeyConstraint("sale_id", "merchant_order_id"),
    )
    op.create_table(
        "sale_payments",
        sa.Column("sale_id", sa.String(length=40), nullable=False),
        sa.Column("payment_id", sa.String(length=60), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("status_detail", sa.String(length=80), nullable=True),
        sa.Column("amount", sa.String(length=40), nullable=False),
        sa.Column("refunded_amount", sa.String(length=40), nullable=False),
        sa.Column("merchant_order_id", sa.String(length=40), nullable=True),
        sa.Column("approved_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["sale_id"],
            ["sales.id"],
        ),
        sa.PrimaryKeyConstraint("sale_id", "payment_id"),
    )


def downgrade() -> None:

    op.drop_table("sale_payments")
    op.drop_table("sale_merchant_orders")
    op.drop_table("sale_items")
    with op.batch_alter_table("sale_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sale_events_sale_id"))

    op.drop_table("sale_events")
    with op.batch_alter_table("reconcile_schedule", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reconcile_schedule_next_check_at"))

    op.drop_table("reconcile_schedule")
    op.drop_table("users")
    op.drop_table("stores")
    with op.batch_alter_table("sales", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sales_status"))
        batch_op.drop_index(batch_op.f("ix_sales_cashbox"))

    op.drop_table("sales")
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notifications_state"))

    op.drop_table("notifications")
    op.drop_table("idempotency_keys")
    op.drop_table("cashboxes")
    op.drop_table("api_keys")
