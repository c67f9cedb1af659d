"""Orders API for QR (``/v1/orders``). Amounts are strings on the wire ("50.00")."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import Field

from mpqr.client.models._base import TOLERANT, IdStr, MPModel, RequestModel

__all__ = [
    "Order",
    "OrderAmount",
    "OrderConfig",
    "OrderCreateRequest",
    "OrderItem",
    "OrderPayment",
    "OrderPaymentRequest",
    "OrderQrConfig",
    "OrderRefund",
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


OrderStatusField = Annotated[OrderStatus | str, TOLERANT]
OrderAmount = Decimal
"""An Orders API amount: a string on the wire with two decimals or none (``"50.00"``, ``"50"``)."""


class OrderPayment(MPModel):
    """One payment transaction of an order (``PAY01…``).

    ``reference_id`` is the numeric ``/v1/payments`` id once paid; ``payment_method`` is e.g.
    ``{"id": "account_money", "type": "account_money"}``.
    """

    id: str | None = None
    amount: OrderAmount | None = None
    paid_amount: OrderAmount | None = None
    refunded_amount: OrderAmount | None = None
    status: str | None = None
    status_detail: str | None = None
    reference_id: IdStr | None = None
    payment_method: dict[str, object] | None = None


class OrderRefund(MPModel):
    """One refund of an order, one entry per refund (partial or total).

    ``{"id": "REF01…", "transaction_id": "PAY01…", "reference_id", "amount", "status"}``:
    ``transaction_id`` is the refunded payment transaction, ``status`` goes ``processing`` →
    ``processed``.
    """

    id: str | None = None
    transaction_id: str | None = None
    reference_id: IdStr | None = None
    amount: OrderAmount | None = None
    status: str | None = None


class OrderTransactions(MPModel):
    payments: list[OrderPayment] = Field(default_factory=list)
    refunds: list[OrderRefund] = Field(default_factory=list)


class Order(MPModel):
    """An Orders API order (``type: "qr"``): ``ORD01…``, or ``ORDTST01…`` for test users.

    A dynamic or hybrid order carries its QR in ``type_response.qr_data`` (:attr:`qr_data`).
    Dates are UTC (``…Z``).
    """

    id: str
    type: str | None = None
    status: OrderStatusField | None = None
    status_detail: str | None = None
    external_reference: str | None = None
    description: str | None = None
    total_amount: OrderAmount | None = None
    total_paid_amount: OrderAmount | None = None
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

    @property
    def qr_data(self) -> str | None:
        """The EMVCo string of a dynamic or hybrid order (``type_response.qr_data``)."""
        value = (self.type_response or {}).get("qr_data")
        return value if isinstance(value, str) else None


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
