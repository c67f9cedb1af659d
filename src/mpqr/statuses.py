"""Mercado Pago's documented status values.

Shared by the client's models and the sandbox's lifecycle, so both speak exactly the same words.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["MerchantOrderStatus", "OrderStatusDetail", "PaymentStatus"]


class PaymentStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    AUTHORIZED = "authorized"
    IN_PROCESS = "in_process"
    IN_MEDIATION = "in_mediation"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"
    CHARGED_BACK = "charged_back"


class MerchantOrderStatus(StrEnum):
    """``status``: only ``closed`` means the payments cover the total (``opened`` is no signal)."""

    OPENED = "opened"
    CLOSED = "closed"
    EXPIRED = "expired"


class OrderStatusDetail(StrEnum):
    """A merchant order's ``order_status``: a finer view of the payments against the total."""

    PAYMENT_REQUIRED = "payment_required"
    REVERTED = "reverted"
    PAID = "paid"
    PARTIALLY_REVERTED = "partially_reverted"
    PARTIALLY_PAID = "partially_paid"
    PAYMENT_IN_PROCESS = "payment_in_process"
    UNDEFINED = "undefined"
    EXPIRED = "expired"
