"""The JSON shapes of the sales API (pydantic v2). Amounts leave as decimal strings.

Text fields refuse control characters (NUL, newlines, tabs, ...): PostgreSQL cannot store NUL,
and none of them belongs on a receipt or in Mercado Pago's app. Lengths follow Mercado Pago's:
titles and descriptions 256, ``external_reference`` 64 (letters, digits, ``-``, ``_``).
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Final

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool, StrictInt
from pydantic_core import PydanticCustomError

from mpqr.seller.sales.rules import Alert, EventSource, SaleStatus

__all__ = [
    "EventOut",
    "ItemIn",
    "OperationOut",
    "PaymentOut",
    "RefundIn",
    "SaleCreate",
    "SaleList",
    "SaleOut",
    "Text",
]

_STRICT = ConfigDict(extra="forbid")
_CONTROL: Final = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def no_control_characters(value: str) -> str:
    if _CONTROL.search(value):
        raise PydanticCustomError(
            "control_characters", "must not contain control characters (NUL, newlines, tabs, ...)"
        )
    return value


Text = Annotated[str, AfterValidator(no_control_characters)]


class ItemIn(BaseModel):
    model_config = _STRICT
    title: Text = Field(min_length=1, max_length=256)
    unit_price: Decimal = Field(gt=0, allow_inf_nan=False)
    quantity: StrictInt = Field(ge=1, le=100_000)
    description: Text | None = Field(default=None, max_length=256)
    picture_url: Text | None = Field(default=None, max_length=500)
    sku: Text | None = Field(default=None, max_length=100)


class SaleCreate(BaseModel):
    """``POST /api/sales``: unknown fields and wrong types are refused (422)."""

    model_config = _STRICT
    cashbox: Text = Field(min_length=1, max_length=60)
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


class OperationOut(BaseModel):
    """A cancel or refund stored and sent, whose outcome Mercado Pago has not confirmed yet."""

    id: str
    kind: str
    amount: str | None
    payment_id: str | None
    since: datetime


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
    in_progress: list[OperationOut] = Field(default_factory=list)


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
