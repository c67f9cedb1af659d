"""Refunds: full or partial, idempotent on ``X-Idempotency-Key``.

A full refund turns the payment ``refunded`` / ``refunded`` and the merchant order's
``order_status`` ``reverted``; a partial one keeps the payment ``approved`` with
``transaction_amount_refunded`` and gives ``partially_reverted``. Each refund notifies
``payment.updated`` and a merchant order update.
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from typing import Any

from mpqr.sandbox.errors import ApiError
from mpqr.sandbox.lifecycle import PAYMENT_TRANSITIONS, PaymentStatus, check_transition
from mpqr.sandbox.models import IdempotencyRecord, Payment, Refund
from mpqr.sandbox.orders_api import after_refund
from mpqr.sandbox.state import SandboxState
from mpqr.sites import AmountError, validate_amount

__all__ = ["earlier_refund", "fingerprint", "refund_payment", "remembered"]

NOT_REFUNDABLE = "Not valid action, the resource is in a state that does not allow this operation"


def fingerprint(body: Any) -> str:
    """A stable digest of a request body, to tell "same key, same body" from "same key, new
    body".
    """
    raw = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(raw.encode()).hexdigest()


def remembered(state: SandboxState, key: str, digest: str) -> str | None:
    """The resource id an idempotency key produced before, or ``None``; a different body is 409."""
    record = state.data.idempotency.get(key)
    if record is None:
        return None
    if record.fingerprint != digest:
        raise ApiError(
            409,
            "conflict",
            "the X-Idempotency-Key was already used with a different request",
        )
    return record.resource_id


def refund_payment(
    state: SandboxState, payment: Payment, amount: object | None, idempotency_key: str
) -> Refund:
    """Refund ``amount`` (``None`` = everything left) of an approved payment."""
    with state.lock:
        earlier = earlier_refund(state, payment, amount, idempotency_key)
        if earlier is not None:
            return earlier
        value = _refund_amount(payment, amount)
        refund = _record(state, payment, value)
        state.data.idempotency[_key(payment, idempotency_key)] = IdempotencyRecord(
            fingerprint=fingerprint({"amount": str(amount)}), resource_id=str(refund.id)
        )
        return refund


def earlier_refund(
    state: SandboxState, payment: Payment, amount: object | None, idempotency_key: str
) -> Refund | None:
    """The refund this key already made of ``payment`` (a retry after a lost answer gets it,
    whatever the payment's status is now); the key with another amount is 409."""
    digest = fingerprint({"amount": str(amount)})
    earlier = remembered(state, _key(payment, idempotency_key), digest)
    return None if earlier is None else state.data.refunds[int(earlier)]


def _key(payment: Payment, idempotency_key: str) -> str:
    return f"{payment.seller_id}:refund:{payment.id}:{idempotency_key}"


def _refund_amount(payment: Payment, amount: object | None) -> Decimal:
    if payment.status is not PaymentStatus.APPROVED:
        raise ApiError(
            400, "bad_request", NOT_REFUNDABLE, [{"code": 3005, "description": NOT_REFUNDABLE}]
        )
    left = payment.transaction_amount - payment.amount_refunded
    if amount is None:
        return left
    try:
        value = validate_amount(amount, payment.currency_id)
    except AmountError as exc:
        raise ApiError(400, "bad_request", "Invalid refund amount", [_cause(str(exc))]) from None
    if value > left:
        message = f"The amount to refund ({value}) exceeds the available amount ({left})"
        raise ApiError(400, "bad_request", "Invalid refund amount", [_cause(message)])
    return value


def _cause(description: str) -> dict[str, Any]:
    return {"code": "invalid_refund_amount", "description": description, "data": None}


def _record(state: SandboxState, payment: Payment, value: Decimal) -> Refund:
    refund = Refund(
        id=state.new_number(state.data.refunds, 10),
        payment_id=payment.id,
        seller_id=payment.seller_id,
        amount=value,
        date_created=state.now(),
        order_refund_id=state.new_ulid("REF") if payment.api_order_id else None,
    )
    state.data.refunds[refund.id] = refund
    payment.refund_ids.append(refund.id)
    payment.amount_refunded += value
    if payment.amount_refunded >= payment.transaction_amount:
        payment.status = check_transition(
            PAYMENT_TRANSITIONS, payment.status, PaymentStatus.REFUNDED
        )
        payment.status_detail = "refunded"
    else:
        payment.status_detail = "partially_refunded"
    state.payment_changed(payment, created=False)
    mo = state.data.merchant_orders.get(payment.mo_id)
    if mo is not None:
        state.mo_changed(mo)
    if payment.api_order_id is not None:
        after_refund(state, payment)
    return refund
