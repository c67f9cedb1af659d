"""The sandbox's records: pydantic dataclasses, serialisable to JSON for ``--state FILE``.

These hold state only; the wire format of each resource lives in ``sandbox/api/`` and the rules that
move them between states live in ``sandbox/lifecycle.py``. Money is :class:`~decimal.Decimal`, times
are aware datetimes from the sandbox's virtual clock.

A sandbox keeps every record it ever made (later GETs and searches read them), so a record must be
small: each is a validated dataclass with ``__slots__`` (no per-instance ``__dict__`` and set of
fields set, which made a pydantic ``BaseModel`` payment cost about 3 KB). Only :class:`StateData`,
the ``--state`` file body, is a model.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, PlainValidator
from pydantic.dataclasses import dataclass

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
    "JsonObject",
    "LegacyOrder",
    "MerchantOrder",
    "Payment",
    "Pos",
    "Refund",
    "Seller",
    "StateData",
    "Store",
]


_CONFIG = ConfigDict(validate_assignment=False, extra="ignore")


class JsonObject:
    """A JSON object kept as its compact UTF-8 text: an order's body as the seller sent it, read
    back only to render the order, costs a third of the parsed dicts. Read-only; it is parsed on
    each read, so a reader of several keys takes :meth:`dict` once.

    >>> body = JsonObject({"title": "Mate", "items": [{"unit_price": 10}]})
    >>> body.get("title"), body.get("missing"), body.dict()["items"][0]["unit_price"]
    ('Mate', None, 10)
    """

    __slots__ = ("raw",)
    __hash__ = None  # type: ignore[assignment]

    def __init__(self, value: Mapping[str, Any]) -> None:
        self.raw = json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()

    def dict(self) -> dict[str, Any]:
        """A fresh parsed copy."""
        parsed: dict[str, Any] = json.loads(self.raw)
        return parsed

    def get(self, key: str, default: Any = None) -> Any:
        return self.dict().get(key, default)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, JsonObject) and self.dict() == other.dict()

    def __repr__(self) -> str:
        return f"JsonObject({self.dict()!r})"


def _json_object(value: Any) -> JsonObject:
    if isinstance(value, JsonObject):
        return value
    if isinstance(value, Mapping):
        return JsonObject(value)
    raise ValueError("a JSON object is required")


# Validated from a dict (a state file) or a JsonObject; written to a state file as the object.
JsonBody = Annotated[JsonObject, PlainValidator(_json_object), PlainSerializer(JsonObject.dict)]


class _Model(BaseModel):
    model_config = _CONFIG


@dataclass(slots=True, kw_only=True, config=_CONFIG)
class Seller:
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


@dataclass(slots=True, kw_only=True, config=_CONFIG)
class Store:
    id: int
    seller_id: int
    name: str
    external_id: str | None = None
    location: dict[str, Any] = Field(default_factory=dict)
    business_hours: dict[str, Any] = Field(default_factory=dict)
    date_created: datetime


@dataclass(slots=True, kw_only=True, config=_CONFIG)
class Pos:
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


@dataclass(slots=True, kw_only=True, config=_CONFIG)
class Item:
    id: str | None = None
    title: str = ""
    description: str | None = None
    quantity: int = 1
    unit_price: Decimal
    currency_id: str
    picture_url: str | None = None
    category_id: str | None = None
    unit_measure: str | None = None


@dataclass(slots=True, kw_only=True, config=_CONFIG)
class LegacyOrder:
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


@dataclass(slots=True, kw_only=True, config=_CONFIG)
class InstoreOrder:
    """An instore v2 (PUT), dynamic (POST /qrs) or hybrid (PUT /qrs) order; its MO exists from
    creation.
    """

    id: str
    kind: OrderKind
    seller_id: int
    pos_id: int
    body: JsonBody
    total_amount: Decimal
    notification_url: str | None = None
    created_at: datetime
    expires_at: datetime | None = None
    state: LiveState = LiveState.LIVE
    mo_id: int
    qr_data: str | None = None


@dataclass(slots=True, kw_only=True, config=_CONFIG)
class MerchantOrder:
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


@dataclass(slots=True, kw_only=True, config=_CONFIG)
class Payment:
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


@dataclass(slots=True, kw_only=True, config=_CONFIG)
class Refund:
    id: int
    payment_id: int
    seller_id: int
    amount: Decimal
    date_created: datetime
    order_refund_id: str | None = None  # ``REF01…`` when made through the Orders API


@dataclass(slots=True, kw_only=True, config=_CONFIG)
class ApiOrder:
    """An Orders API (``POST /v1/orders``, ``type: qr``) order."""

    id: str
    seller_id: int
    body: JsonBody
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


@dataclass(slots=True, kw_only=True, config=_CONFIG)
class IdempotencyRecord:
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
