"""Orders API for QR (``/v1/orders``). Amounts are strings on the wire ("50.00")."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import BeforeValidator, Field

from mpqr.client.models._base import MPModel, RequestModel, tolerant

__all__ = [
    "Order",
    "OrderConfig",
    "OrderCreateRequest",
    "OrderItem",
    "OrderPayment",
    "OrderPaymentRequest",
    "OrderQrConfig",
    "OrderStatus",
    "OrderTransactions",
    "OrderTransactionsRequest",
    "QrMode",
]


class OrderStatus(StrEnum):
    CREATED = "created"
    PROCESSED = "processed"
    CANCELED = "canceled"
    EXPIRED = "expired"
    REFUNDED = "refunded"
    ACTION_REQUIRED = "action_required"
    FAILED = "failed"


class QrMode(StrEnum):
    STATIC = "static"
    DYNAMIC = "dynamic"
    HYBRID = "hybrid"


OrderStatusField = Annotated[OrderStatus | str, BeforeValidator(tolerant(OrderStatus))]


class OrderPayment(MPModel):
    """One payment transaction of an order. ``reference_id`` is the numeric ``/v1/payments`` id."""

    id: str | None = None
    amount: Decimal | None = None
    paid_amount: Decimal | None = None
    status: str | None = None
    status_detail: str | None = None
    reference_id: str | None = None


class OrderTransactions(MPModel):
    payments: list[OrderPayment] = Field(default_factory=list)
    refunds: list[dict[str, object]] = Field(default_factory=list)


class Order(MPModel):
    """An Orders API order (``type: "qr"``); ``type_response.qr_data`` holds a dynamic QR."""

    id: str
    type: str | None = None
    status: OrderStatusField | None = None
    status_detail: str | None = None
    external_reference: str | None = None
    description: str | None = None
    total_amount: Decimal | None = None
    total_paid_amount: Decimal | None = None
    currency: str | None = None
    country_code: str | None = None
    user_id: str | None = None
    expiration_time: str | None = None
    processing_mode: str | None = None
    created_date: str | None = None
    last_updated_date: str | None = None
    transactions: OrderTransactions = Field(default_factory=OrderTransactions)
    config: dict[str, object] | None = None
    items: list[dict[str, object]] = Field(default_factory=list)
    type_response: dict[str, object] | None = None


class OrderQrConfig(RequestModel):
    external_pos_id: str
    mode: QrMode = QrMode.STATIC


class OrderConfig(RequestModel):
    qr: OrderQrConfig


class OrderPaymentRequest(RequestModel):
    amount: Decimal


class OrderTransactionsRequest(RequestModel):
    payments: list[OrderPaymentRequest]


class OrderItem(RequestModel):
    title: str
    unit_price: Decimal
    quantity: int
    unit_measure: str | None = None
    external_code: str | None = None


class OrderCreateRequest(RequestModel):
    """Body of ``POST /v1/orders`` for QR. The client writes amounts as two-decimal strings."""

    total_amount: Decimal
    external_reference: str
    config: OrderConfig
    transactions: OrderTransactionsRequest
    type: str = "qr"
    description: str | None = None
    expiration_time: str | None = None
    items: list[OrderItem] | None = None

    @classmethod
    def simple(
        cls,
        *,
        external_pos_id: str,
        total_amount: Decimal | str | int,
        external_reference: str,
        mode: QrMode = QrMode.STATIC,
        **extra: object,
    ) -> OrderCreateRequest:
        """One payment covering ``total_amount`` on ``external_pos_id``: the common case."""
        amount = Decimal(str(total_amount))
        return cls.model_validate(
            {
                "total_amount": amount,
                "external_reference": external_reference,
                "config": {"qr": {"external_pos_id": external_pos_id, "mode": mode}},
                "transactions": {"payments": [{"amount": amount}]},
                **extra,
            }
        )
