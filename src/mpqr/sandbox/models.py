"""The sandbox's records: plain pydantic models, serialisable to JSON for ``--state FILE``.

These hold state only; the wire format of each resource lives in ``sandbox/api/`` and the rules that
move them between states live in ``sandbox/lifecycle.py``. Money is :class:`~decimal.Decimal`, times
are aware datetimes from the sandbox's virtual clock.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from mpqr.sandbox.lifecycle import (
    ApiOrderStatus,
    LiveState,
    OrderKind,
    PaymentStatus,
)

__all__ = [
    "ApiOrder",
    "IdempotencyRecord",
    "InstoreOrder",
    "Item",
    "LegacyOrder",
    "MerchantOrder",
    "Payment",
    "Pos",
    "Refund",
    "Seller",
    "StateData",
    "Store",
]


class _Model(BaseModel):
    model_config = ConfigDict(validate_assignment=False, extra="ignore")


class Seller(_Model):
    """A Mercado Pago seller account (collector): what an access token authenticates."""

    id: int
    site_id: str
    nickname: str
    email: str
    access_token: str = Field(repr=False)
    webhook_secret: str = Field(repr=False)
    application_id: str
    password: str = Field(default="", repr=False)
    business_name: str | None = None
    date_created: datetime
    test_user: bool = True  # MP's test users: ``ORDTST…`` order ids, ``is_test: true``


class Store(_Model):
    id: int
    seller_id: int
    name: str
    external_id: str | None = None
    location: dict[str, Any] = Field(default_factory=dict)
    business_hours: dict[str, Any] = Field(default_factory=dict)
    date_created: datetime


class Pos(_Model):
    """A cashbox with its printed static QR. ``live`` names the order its QR currently shows."""

    id: int
    seller_id: int
    name: str
    external_id: str | None = None
    store_id: int | None = None
    external_store_id: str | None = None
    fixed_amount: bool = True
    category: int | None = None
    url: str | None = None
    uuid: str
    status: str = "active"
    date_created: datetime
    date_last_updated: datetime
    live_kind: OrderKind | None = None
    live_id: str | None = None
    last_scanned_mo_id: int | None = None


class Item(_Model):
    id: str | None = None
    title: str = ""
    description: str | None = None
    quantity: int = 1
    unit_price: Decimal
    currency_id: str
    picture_url: str | None = None
    category_id: str | None = None
    unit_measure: str | None = None


class LegacyOrder(_Model):
    """A legacy ``/mpmobile/instore/qr`` order: a preference each scan turns into a new merchant
    order.
    """

    id: str
    seller_id: int
    pos_id: int
    items: list[Item]
    total_amount: Decimal
    external_reference: str | None = None
    notification_url: str | None = None
    sponsor_id: int | None = None
    created_at: datetime
    expires_at: datetime
    state: LiveState = LiveState.LIVE
    mo_ids: list[int] = Field(default_factory=list)


class InstoreOrder(_Model):
    """An instore v2 (PUT), dynamic (POST /qrs) or hybrid (PUT /qrs) order; its MO exists from
    creation.
    """

    id: str
    kind: OrderKind
    seller_id: int
    pos_id: int
    body: dict[str, Any]
    total_amount: Decimal
    notification_url: str | None = None
    created_at: datetime
    expires_at: datetime | None = None
    state: LiveState = LiveState.LIVE
    mo_id: int
    qr_data: str | None = None


class MerchantOrder(_Model):
    id: int
    seller_id: int
    source_kind: OrderKind
    source_id: str
    preference_id: str | None = None
    external_reference: str | None = None
    notification_url: str | None = None
    sponsor_id: int | None = None
    items: list[Item]
    total_amount: Decimal
    pos_id: int | None = None
    store_id: int | None = None
    payment_ids: list[int] = Field(default_factory=list)
    cancelled: bool = False
    closed: bool = False
    scanned: bool = False
    version: int = 0
    notified_status: str = "opened"
    date_created: datetime
    last_updated: datetime


class Payment(_Model):
    id: int
    seller_id: int
    mo_id: int
    status: PaymentStatus
    status_detail: str
    transaction_amount: Decimal
    amount_refunded: Decimal = Decimal(0)
    currency_id: str
    description: str | None = None
    external_reference: str | None = None
    pos_id: int | None = None
    store_id: int | None = None
    payer_email: str
    payer_id: int
    notification_url: str | None = None
    api_order_id: str | None = None
    refund_ids: list[int] = Field(default_factory=list)
    date_created: datetime
    date_approved: datetime | None = None
    date_last_updated: datetime
    payment_method_id: str = "account_money"
    payment_type_id: str = "account_money"
    installments: int = 1
    card_number: str | None = None
    cardholder_name: str | None = None
    payer_identification: dict[str, str] = Field(default_factory=dict)
    fee_amount: Decimal = Decimal(0)  # mercadopago_fee, fixed when the payment is approved
    release_days: int = 0


class Refund(_Model):
    id: int
    payment_id: int
    seller_id: int
    amount: Decimal
    date_created: datetime
    order_refund_id: str | None = None  # ``REF01…`` when made through the Orders API


class ApiOrder(_Model):
    """An Orders API (``POST /v1/orders``, ``type: qr``) order."""

    id: str
    seller_id: int
    body: dict[str, Any]
    mode: str
    external_pos_id: str
    pos_id: int
    total_amount: Decimal
    status: ApiOrderStatus = ApiOrderStatus.CREATED
    status_detail: str = "created"
    transaction_id: str
    notification_url: str | None = None
    expires_at: datetime | None = None
    created_at: datetime
    last_updated: datetime
    mo_id: int
    qr_data: str | None = None
    refunded_amount: Decimal = Decimal(0)


class IdempotencyRecord(_Model):
    """What a POST with ``X-Idempotency-Key`` produced, to answer the same key with the same
    resource.
    """

    fingerprint: str
    resource_id: str


class StateData(_Model):
    """Everything the sandbox holds; ``StateData.model_dump(mode="json")`` is the ``--state``
    file body.
    """

    schema_version: int = 1
    sellers: dict[int, Seller] = Field(default_factory=dict)
    stores: dict[int, Store] = Field(default_factory=dict)
    pos: dict[int, Pos] = Field(default_factory=dict)
    legacy_orders: dict[str, LegacyOrder] = Field(default_factory=dict)
    instore_orders: dict[str, InstoreOrder] = Field(default_factory=dict)
    merchant_orders: dict[int, MerchantOrder] = Field(default_factory=dict)
    payments: dict[int, Payment] = Field(default_factory=dict)
    refunds: dict[int, Refund] = Field(default_factory=dict)
    api_orders: dict[str, ApiOrder] = Field(default_factory=dict)
    idempotency: dict[str, IdempotencyRecord] = Field(default_factory=dict)
