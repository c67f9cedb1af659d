"""Merchant orders. A QR payment closes the merchant order it belongs to."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from mpqr.client.models._base import TOLERANT, IdStr, MPModel, parse_mp_datetime
from mpqr.client.models.payments import PaymentStatusDetailField, PaymentStatusField
from mpqr.statuses import MerchantOrderStatus, OrderStatusDetail

__all__ = [
    "Collector",
    "MerchantOrder",
    "MerchantOrderItem",
    "MerchantOrderPayment",
    "MerchantOrderSearch",
    "MerchantOrderStatus",
    "OrderStatusDetail",
]


class MerchantOrderPayment(MPModel):
    """One payment attempt on the order, approved or not.

    A rejected payment's ``date_approved`` is ``"0001-01-01T00:00:00.000+00:00"`` (kept as sent);
    :attr:`approved_at` is then ``None``.
    """

    id: int
    transaction_amount: Decimal | None = None
    total_paid_amount: Decimal | None = None
    shipping_cost: Decimal | None = None
    currency_id: str | None = None
    status: PaymentStatusField | None = None
    status_detail: PaymentStatusDetailField | None = None
    operation_type: str | None = None
    date_approved: str | None = None
    date_created: str | None = None
    last_modified: str | None = None
    amount_refunded: Decimal | None = None

    @property
    def approved_at(self) -> datetime | None:
        return parse_mp_datetime(self.date_approved)


class Collector(MPModel):
    """The seller: ``id`` is the user id; ``email`` is often ``""`` and ``nickname`` may be null."""

    id: int | None = None
    email: str | None = None
    nickname: str | None = None


class MerchantOrderItem(MPModel):
    id: str | None = None
    title: str | None = None
    description: str | None = None
    category_id: str | None = None
    currency_id: str | None = None
    picture_url: str | None = None
    quantity: int | None = None
    unit_price: Decimal | None = None


class MerchantOrder(MPModel):
    """A merchant order: the QR sale as Mercado Pago tracks it, with its ``payments[]``.

    For an order put on a POS, ``preference_id`` is ``"<collector id>-<uuid>"``; ``is_test`` is
    true for test users' orders; ``client_id`` is the application that created it.
    """

    id: int
    status: Annotated[MerchantOrderStatus | str | None, TOLERANT] = None
    order_status: Annotated[OrderStatusDetail | str | None, TOLERANT] = None
    external_reference: str | None = None
    preference_id: str | None = None
    payments: list[MerchantOrderPayment] = Field(default_factory=list)
    items: list[MerchantOrderItem] = Field(default_factory=list)
    collector: Collector | None = None
    payer: dict[str, Any] | None = None
    client_id: IdStr | None = None
    marketplace: str | None = None
    notification_url: str | None = None
    sponsor_id: int | None = None
    application_id: IdStr | None = None
    site_id: str | None = None
    total_amount: Decimal | None = None
    paid_amount: Decimal | None = None
    refunded_amount: Decimal | None = None
    shipping_cost: Decimal | None = None
    cancelled: bool | None = None
    additional_info: str | None = None
    is_test: bool | None = None
    date_created: str | None = None
    last_updated: str | None = None


class MerchantOrderSearch(MPModel):
    """``{elements, next_offset, total}``.

    With no match Mercado Pago answers ``{"elements": null, "next_offset": 0, "total": 0}``:
    ``elements`` is then ``[]``.
    """

    elements: Annotated[list[MerchantOrder], BeforeValidator(lambda v: [] if v is None else v)] = (
        Field(default_factory=list)
    )
    next_offset: int | None = None
    total: int | None = None
