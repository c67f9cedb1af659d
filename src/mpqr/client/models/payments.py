"""Payments and refunds."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import BeforeValidator, Field

from mpqr.client.models._base import IdStr, MPModel, Paging, tolerant
from mpqr.statuses import PaymentStatus

__all__ = [
    "Payment",
    "PaymentOrderRef",
    "PaymentSearch",
    "PaymentStatus",
    "PaymentStatusField",
    "PointOfInteraction",
    "Refund",
]


PaymentStatusField = Annotated[PaymentStatus | str, BeforeValidator(tolerant(PaymentStatus))]


class PaymentOrderRef(MPModel):
    """``payment.order``: with ``type == "mercadopago"`` the ``id`` is the merchant order id."""

    id: IdStr | None = None
    type: str | None = None


class PointOfInteraction(MPModel):
    type: str | None = None
    sub_type: str | None = None
    business_info: dict[str, object] | None = None
    location: dict[str, object] | None = None
    references: list[dict[str, object]] = Field(default_factory=list)


class Refund(MPModel):
    """A refund of a payment (``POST /v1/payments/{id}/refunds``)."""

    id: int
    payment_id: int | None = None
    amount: Decimal | None = None
    status: str | None = None
    source: dict[str, object] | None = None
    date_created: str | None = None
    refund_mode: str | None = None
    reason: str | None = None
    amount_refunded_to_payer: Decimal | None = None


class Payment(MPModel):
    """A payment. For QR, ``pos_id`` / ``store_id`` are the numeric ids (as strings)."""

    id: int
    status: PaymentStatusField | None = None
    status_detail: str | None = None
    transaction_amount: Decimal | None = None
    transaction_amount_refunded: Decimal | None = None
    currency_id: str | None = None
    description: str | None = None
    external_reference: str | None = None
    collector_id: int | None = None
    operation_type: str | None = None
    order: PaymentOrderRef | None = None
    payer: dict[str, object] | None = None
    payment_method_id: str | None = None
    payment_type_id: str | None = None
    pos_id: IdStr | None = None
    store_id: IdStr | None = None
    point_of_interaction: PointOfInteraction | None = None
    live_mode: bool | None = None
    date_created: str | None = None
    date_approved: str | None = None
    date_last_updated: str | None = None
    refunds: list[Refund] = Field(default_factory=list)


class PaymentSearch(MPModel):
    paging: Paging = Field(default_factory=Paging)
    results: list[Payment] = Field(default_factory=list)
