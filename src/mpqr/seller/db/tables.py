"""The seller's tables (SQLAlchemy Core). Money is stored as exact decimal text, times as UTC."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

__all__ = [
    "api_keys",
    "cashboxes",
    "idempotency_keys",
    "metadata",
    "notifications",
    "reconcile_schedule",
    "sale_events",
    "sale_items",
    "sale_merchant_orders",
    "sale_operations",
    "sale_payments",
    "sales",
    "stores",
    "ui_sessions",
    "unmatched_payments",
    "users",
]

# A cashbox's QR shows one order at a time: at most one sale per cashbox in these statuses.
LIVE_STATUSES = ("opening", "pending")


class Money(sa.TypeDecorator[Decimal]):
    """A Decimal kept as text: exact on every database, no float rounding, no dialect warnings."""

    impl = sa.String(40)
    cache_ok = True

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> str | None:
        return None if value is None else str(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        return None if value is None else Decimal(value)


class UTCDateTime(sa.TypeDecorator[datetime]):
    """Aware UTC datetimes in and out (SQLite keeps no offset, so it is stripped and restored)."""

    impl = sa.DateTime()
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


metadata = sa.MetaData()

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("username", sa.String(80), nullable=False, unique=True),
    sa.Column("password_hash", sa.String(300), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
)

api_keys = sa.Table(
    "api_keys",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("key_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("name", sa.String(80), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
)

stores = sa.Table(
    "stores",
    metadata,
    sa.Column("external_id", sa.String(60), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("location", sa.JSON, nullable=True),
    sa.Column("mp_store_id", sa.String(40), nullable=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
)

cashboxes = sa.Table(
    "cashboxes",
    metadata,
    sa.Column("external_id", sa.String(60), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("store_external_id", sa.String(60), nullable=False),
    sa.Column("mp_pos_id", sa.String(40), nullable=True),
    sa.Column("qr_data", sa.Text, nullable=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
)

sales = sa.Table(
    "sales",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("external_reference", sa.String(64), nullable=False, unique=True),
    sa.Column("cashbox", sa.String(60), nullable=False),
    sa.Column("status", sa.String(24), nullable=False),
    sa.Column("total_amount", Money, nullable=False),
    sa.Column("currency_id", sa.String(3), nullable=False),
    sa.Column("paid_amount", Money, nullable=False),
    sa.Column("refunded_amount", Money, nullable=False),
    sa.Column("alerts", sa.JSON, nullable=False),
    sa.Column("mp_order_id", sa.String(80), nullable=True),
    sa.Column("integration", sa.String(16), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("expires_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    # while ``opening``: the create call owns the sale until then; recovery takes over after
    sa.Column("lease_until", UTCDateTime, nullable=True),
    # the notification_url the order carries: a recovery re-sends the very same order
    sa.Column("notification_url", sa.String(500), nullable=True),
)
_LIVE = sa.text("status IN ('opening', 'pending')")
sa.Index(
    "ux_sales_live_cashbox",
    sales.c.cashbox,
    unique=True,
    sqlite_where=_LIVE,
    postgresql_where=_LIVE,
)
# the sales list walks these in its order (newest first) and stops at the page size
sa.Index("ix_sales_created", sales.c.created_at, sales.c.id)
sa.Index("ix_sales_cashbox_created", sales.c.cashbox, sales.c.created_at, sales.c.id)
sa.Index("ix_sales_status_created", sales.c.status, sales.c.created_at, sales.c.id)

sale_items = sa.Table(
    "sale_items",
    metadata,
    sa.Column("sale_id", sa.ForeignKey("sales.id"), primary_key=True),
    sa.Column("position", sa.Integer, primary_key=True),
    sa.Column("title", sa.String(256), nullable=False),
    sa.Column("unit_price", Money, nullable=False),
    sa.Column("quantity", sa.Integer, nullable=False),
    sa.Column("description", sa.String(256), nullable=True),
    sa.Column("picture_url", sa.String(500), nullable=True),
    sa.Column("sku", sa.String(100), nullable=True),
)

sale_payments = sa.Table(
    "sale_payments",
    metadata,
    sa.Column("sale_id", sa.ForeignKey("sales.id"), primary_key=True),
    sa.Column("payment_id", sa.String(60), primary_key=True),
    sa.Column("status", sa.String(24), nullable=False),
    sa.Column("status_detail", sa.String(80), nullable=True),
    sa.Column("amount", Money, nullable=False),
    sa.Column("refunded_amount", Money, nullable=False),
    sa.Column("merchant_order_id", sa.String(40), nullable=True),
    sa.Column("approved_at", UTCDateTime, nullable=True),
)
sa.Index("ix_sale_payments_payment_id", sale_payments.c.payment_id)  # the unmatched sweep

sale_merchant_orders = sa.Table(
    "sale_merchant_orders",
    metadata,
    sa.Column("sale_id", sa.ForeignKey("sales.id"), primary_key=True),
    sa.Column("merchant_order_id", sa.String(60), primary_key=True),
    sa.Column("status", sa.String(24), nullable=False),
    sa.Column("total_amount", Money, nullable=True),
)

sale_events = sa.Table(
    "sale_events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("sale_id", sa.ForeignKey("sales.id"), nullable=False, index=True),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Column("source", sa.String(16), nullable=False),
    sa.Column("kind", sa.String(40), nullable=False),
    sa.Column("from_status", sa.String(24), nullable=True),
    sa.Column("to_status", sa.String(24), nullable=True),
    sa.Column("detail", sa.JSON, nullable=False),
)

notifications = sa.Table(
    "notifications",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("dedupe_key", sa.String(300), nullable=False, unique=True),
    sa.Column("received_at", UTCDateTime, nullable=False),
    sa.Column("query", sa.Text, nullable=False),
    sa.Column("headers", sa.JSON, nullable=False),
    sa.Column("body", sa.LargeBinary, nullable=False),
    sa.Column("topic", sa.String(40), nullable=False),
    sa.Column("resource_id", sa.String(100), nullable=False),
    sa.Column("state", sa.String(12), nullable=False, index=True),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("deliveries", sa.Integer, nullable=False),  # times Mercado Pago sent this key
    sa.Column("next_attempt_at", UTCDateTime, nullable=False),
    sa.Column("lease_until", UTCDateTime, nullable=True),
    sa.Column("last_error", sa.Text, nullable=True),
    sa.Column("processed_at", UTCDateTime, nullable=True),
)

# the inbox writer counts each announced resource's unresolved rows: both columns, or SQLite may
# pick the state index and read every unresolved row
sa.Index("ix_notifications_resource_state", notifications.c.resource_id, notifications.c.state)

idempotency_keys = sa.Table(
    "idempotency_keys",
    metadata,
    sa.Column("scope", sa.String(80), primary_key=True),
    sa.Column("key", sa.String(255), primary_key=True),
    sa.Column("fingerprint", sa.String(64), nullable=False),
    sa.Column("result", sa.JSON(none_as_null=True), nullable=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
)

reconcile_schedule = sa.Table(
    "reconcile_schedule",
    metadata,
    sa.Column("sale_id", sa.ForeignKey("sales.id"), primary_key=True),
    sa.Column("next_check_at", UTCDateTime, nullable=False, index=True),
    sa.Column("checks", sa.Integer, nullable=False),
    sa.Column("lease_until", UTCDateTime, nullable=True),
)


sale_operations = sa.Table(
    "sale_operations",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("sale_id", sa.ForeignKey("sales.id"), nullable=True, index=True),
    sa.Column("kind", sa.String(24), nullable=False),  # cancel | refund | unmatched_refund
    sa.Column("state", sa.String(12), nullable=False, index=True),  # open | done | failed
    sa.Column("payment_id", sa.String(60), nullable=True),
    sa.Column("amount", Money, nullable=True),
    sa.Column("mp_key", sa.String(120), nullable=False),  # the X-Idempotency-Key sent to MP
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("lease_until", UTCDateTime, nullable=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.Column("error", sa.Text, nullable=True),
)

unmatched_payments = sa.Table(
    "unmatched_payments",
    metadata,
    sa.Column("payment_id", sa.String(60), primary_key=True),
    sa.Column("merchant_order_id", sa.String(60), nullable=True),
    sa.Column("external_reference", sa.String(256), nullable=True, index=True),
    sa.Column("amount", Money, nullable=False),
    sa.Column("refunded_amount", Money, nullable=False),
    sa.Column("currency_id", sa.String(3), nullable=True),
    sa.Column("cashbox", sa.String(60), nullable=True),
    sa.Column("status", sa.String(24), nullable=False),
    sa.Column("status_detail", sa.String(80), nullable=True),
    sa.Column("source", sa.String(16), nullable=False),
    sa.Column("seen_at", UTCDateTime, nullable=False, index=True),
    sa.Column("updated_at", UTCDateTime, nullable=False),
)

ui_sessions = sa.Table(
    "ui_sessions",
    metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("username", sa.String(80), nullable=False, index=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("expires_at", UTCDateTime, nullable=False),
)
