"""indexes that keep every hot lookup off a scan of a growing table

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 14:30:00

- ``notifications (resource_id, state)`` replaces ``(resource_id)``: the inbox writer counts the
  unresolved rows of each announced resource on every acknowledgement batch. With the single
  column index SQLite chose the ``state`` index for one resource or five and more, and so read
  every unresolved row of the inbox per batch: acks slowed down just when a backlog built up.
- ``sales (created_at, id)``, ``(cashbox, created_at, id)`` and ``(status, created_at, id)``
  (the last two replace ``(cashbox)`` and ``(status)``): the sales list walks the index in its
  order and stops at the page size instead of sorting every matching sale.
- ``sale_payments (payment_id)``: the unmatched-payments sweep asks which payment ids a sale
  holds; the primary key starts with ``sale_id``, so that was a scan of every payment.
- ``unmatched_payments (external_reference)``: every sale creation asks whether money already
  came in under its reference.
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_REPLACED = [
    # (table, old index, old columns, new index, new columns)
    (
        "notifications",
        "ix_notifications_resource_id",
        ["resource_id"],
        "ix_notifications_resource_state",
        ["resource_id", "state"],
    ),
    (
        "sales",
        "ix_sales_cashbox",
        ["cashbox"],
        "ix_sales_cashbox_created",
        ["cashbox", "created_at", "id"],
    ),
    (
        "sales",
        "ix_sales_status",
        ["status"],
        "ix_sales_status_created",
        ["status", "created_at", "id"],
    ),
]
_ADDED = [
    ("sales", "ix_sales_created", ["created_at", "id"]),
    ("sale_payments", "ix_sale_payments_payment_id", ["payment_id"]),
    ("unmatched_payments", "ix_unmatched_payments_external_reference", ["external_reference"]),
]


def upgrade() -> None:
    for table, old, _, new, columns in _REPLACED:
        op.create_index(new, table, columns)
        op.drop_index(old, table_name=table)
    for table, name, columns in _ADDED:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for table, name, _ in reversed(_ADDED):
        op.drop_index(name, table_name=table)
    for table, old, old_columns, new, _ in reversed(_REPLACED):
        op.create_index(old, table, old_columns)
        op.drop_index(new, table_name=table)
