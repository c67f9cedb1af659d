"""Mercado Pago's documented status values.

Shared by the client's models and the sandbox's lifecycle, so both speak exactly the same words.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["MerchantOrderStatus", "OrderStatusDetail", "PaymentStatus", "PaymentStatusDetail"]


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


class PaymentStatusDetail(StrEnum):
    """A payment's ``status_detail``: why it has its ``status``.

    The values of Mercado Pago's "Get payment status" table. ``partially_refunded`` goes with
    ``approved`` (at least one partial refund); ``refunded`` with ``refunded``.
    """

    ACCREDITED = "accredited"
    PARTIALLY_REFUNDED = "partially_refunded"
    PENDING_CAPTURE = "pending_capture"
    OFFLINE_PROCESS = "offline_process"
    PENDING_CONTINGENCY = "pending_contingency"
    PENDING_REVIEW_MANUAL = "pending_review_manual"
    DEFERRED_RETRY = "deferred_retry"
    PENDING_WAITING_TRANSFER = "pending_waiting_transfer"
    PENDING_WAITING_PAYMENT = "pending_waiting_payment"
    PENDING_CHALLENGE = "pending_challenge"
    EXPIRED = "expired"
    BY_COLLECTOR = "by_collector"
    BY_PAYER = "by_payer"
    SETTLED = "settled"
    REIMBURSED = "reimbursed"
    IN_PROCESS = "in_process"
    REFUNDED = "refunded"
    BY_ADMIN = "by_admin"
    BANK_ERROR = "bank_error"
    CC_REJECTED_3DS_MANDATORY = "cc_rejected_3ds_mandatory"
    CC_REJECTED_BAD_FILLED_CARD_NUMBER = "cc_rejected_bad_filled_card_number"
    CC_REJECTED_BAD_FILLED_DATE = "cc_rejected_bad_filled_date"
    CC_REJECTED_BAD_FILLED_OTHER = "cc_rejected_bad_filled_other"
    CC_REJECTED_BAD_FILLED_SECURITY_CODE = "cc_rejected_bad_filled_security_code"
    CC_REJECTED_BLACKLIST = "cc_rejected_blacklist"
    CC_REJECTED_CALL_FOR_AUTHORIZE = "cc_rejected_call_for_authorize"
    CC_REJECTED_CARD_DISABLED = "cc_rejected_card_disabled"
    CC_REJECTED_CARD_ERROR = "cc_rejected_card_error"
    CC_REJECTED_CARD_TYPE_NOT_ALLOWED = "cc_rejected_card_type_not_allowed"
    CC_REJECTED_DUPLICATED_PAYMENT = "cc_rejected_duplicated_payment"
    CC_REJECTED_HIGH_RISK = "cc_rejected_high_risk"
    CC_REJECTED_INSUFFICIENT_AMOUNT = "cc_rejected_insufficient_amount"
    CC_REJECTED_INVALID_INSTALLMENTS = "cc_rejected_invalid_installments"
    CC_REJECTED_MAX_ATTEMPTS = "cc_rejected_max_attempts"
    CC_REJECTED_OTHER_REASON = "cc_rejected_other_reason"
    CC_AMOUNT_RATE_LIMIT_EXCEEDED = "cc_amount_rate_limit_exceeded"
    REJECTED_INSUFFICIENT_DATA = "rejected_insufficient_data"
    REJECTED_BY_BANK = "rejected_by_bank"
    REJECTED_BY_REGULATIONS = "rejected_by_regulations"
    INSUFFICIENT_AMOUNT = "insufficient_amount"
