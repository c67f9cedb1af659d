"""The JSON shapes of the sales API (pydantic v2). Amounts leave as decimal strings."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt

from mpqr.seller.sales.rules import Alert, EventSource, SaleStatus

__all__ = [
    "EventOut",
    "ItemIn",
    "PaymentOut",
    "RefundIn",
    "SaleCreate",
    "SaleList",
    "SaleOut",
]

_STRICT = ConfigDict(extra="forbid")


class ItemIn(BaseModel):
    model_config = _STRICT
    title: str = Field(min_length=1, max_length=256)
    unit_price: Decimal = Field(gt=0, allow_inf_nan=False)
    quantity: StrictInt = Field(ge=1, le=100_000)
    description: str | None = Field(default=None, max_length=256)
    picture_url: str | None = Field(default=None, max_length=500)
    sku: str | None = Field(default=None, max_length=100)


class SaleCreate(BaseModel):
    """``POST /api/sales``: unknown fields and wrong types are refused (422)."""

    model_config = _STRICT
    cashbox: str = Field(min_length=1, max_length=60)
    items: list[ItemIn] = Field(min_length=1, max_length=100)
    external_reference: str | None = Field(
        default=None, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$"
    )
    expires_in: StrictInt | None = Field(default=None, ge=30, le=30 * 86400)
    replace: StrictBool = False


class RefundIn(BaseModel):
    model_config = _STRICT
    amount: Decimal | None = Field(default=None, gt=0, allow_inf_nan=False)


class PaymentOut(BaseModel):
    id: str
    status: str
    status_detail: str | None
    amount: str


class SaleOut(BaseModel):
    id: str
    external_reference: str
    cashbox: str
    status: SaleStatus
    total_amount: str
    currency_id: str
    paid_amount: str
    refunded_amount: str
    created_at: datetime
    expires_at: datetime
    payments: list[PaymentOut]
    merchant_order_ids: list[str]
    alerts: list[Alert]
    items: list[dict[str, Any]] = Field(default_factory=list)


class SaleList(BaseModel):
    sales: list[SaleOut]
    next_cursor: str | None


class EventOut(BaseModel):
    id: int
    at: datetime
    source: EventSource
    kind: str
    from_status: SaleStatus | None
    to_status: SaleStatus | None
    detail: dict[str, Any]
