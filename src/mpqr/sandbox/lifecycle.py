"""States and transitions of the sandbox, with no I/O: enums, transition tables and derivations.

- :class:`LiveState`: an order placed on a POS (legacy, v2, dynamic, hybrid, Orders API) is ``live``
  until it is paid, deleted, replaced by a newer order or expires.
- :class:`PaymentStatus`: a payment moves along :data:`PAYMENT_TRANSITIONS`
  (``pending``/``in_process`` settle to ``approved``/``rejected``; ``approved`` may become
  ``refunded``).
- :class:`ApiOrderStatus`: an Orders API order moves along :data:`API_ORDER_TRANSITIONS`.
- A merchant order's ``status`` and ``order_status`` are never stored: :func:`derive_merchant_order`
  computes them from its payments exactly as Mercado Pago documents them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Final, TypeVar

from mpqr.statuses import MerchantOrderStatus as MOStatus
from mpqr.statuses import OrderStatusDetail as MOOrderStatus
from mpqr.statuses import PaymentStatus

__all__ = [
    "API_ORDER_TRANSITIONS",
    "DEFAULT_STATUS_DETAIL",
    "LIVE_TRANSITIONS",
    "PAYMENT_TRANSITIONS",
    "ApiOrderStatus",
    "IllegalTransition",
    "LiveState",
    "MOOrderStatus",
    "MOStatus",
    "MOView",
    "OrderKind",
    "PaymentStatus",
    "PaymentView",
    "check_transition",
    "derive_merchant_order",
]


S = TypeVar("S", bound=StrEnum)


class OrderKind(StrEnum):
    LEGACY = "legacy"  # POST /mpmobile/instore/qr/{user_id}/{external_id}
    V2 = "v2"  # PUT /instore/qr/seller/collectors/.../orders
    DYNAMIC = "dynamic"  # POST /instore/orders/qr/.../qrs
    HYBRID = "hybrid"  # PUT /instore/orders/qr/.../qrs
    ORDERS = "orders"  # POST /v1/orders (type qr)


class LiveState(StrEnum):
    LIVE = "live"
    PAID = "paid"
    DELETED = "deleted"
    REPLACED = "replaced"
    EXPIRED = "expired"


LIVE_TRANSITIONS: Final[dict[LiveState, frozenset[LiveState]]] = {
    LiveState.LIVE: frozenset(
        {LiveState.PAID, LiveState.DELETED, LiveState.REPLACED, LiveState.EXPIRED}
    ),
    LiveState.PAID: frozenset(),
    LiveState.DELETED: frozenset(),
    LiveState.REPLACED: frozenset(),
    LiveState.EXPIRED: frozenset(),
}


PAYMENT_TRANSITIONS: Final[dict[PaymentStatus, frozenset[PaymentStatus]]] = {
    PaymentStatus.PENDING: frozenset(
        {PaymentStatus.APPROVED, PaymentStatus.REJECTED, PaymentStatus.CANCELLED}
    ),
    PaymentStatus.IN_PROCESS: frozenset({PaymentStatus.APPROVED, PaymentStatus.REJECTED}),
    PaymentStatus.AUTHORIZED: frozenset({PaymentStatus.APPROVED, PaymentStatus.CANCELLED}),
    PaymentStatus.APPROVED: frozenset({PaymentStatus.REFUNDED, PaymentStatus.CHARGED_BACK}),
    PaymentStatus.IN_MEDIATION: frozenset({PaymentStatus.APPROVED, PaymentStatus.REFUNDED}),
    PaymentStatus.REJECTED: frozenset(),
    PaymentStatus.CANCELLED: frozenset(),
    PaymentStatus.REFUNDED: frozenset(),
    PaymentStatus.CHARGED_BACK: frozenset(),
}

DEFAULT_STATUS_DETAIL: Final[dict[PaymentStatus, str]] = {
    PaymentStatus.PENDING: "pending_waiting_payment",
    PaymentStatus.APPROVED: "accredited",
    PaymentStatus.AUTHORIZED: "pending_capture",
    PaymentStatus.IN_PROCESS: "pending_review_manual",
    PaymentStatus.IN_MEDIATION: "in_mediation",
    PaymentStatus.REJECTED: "cc_rejected_other_reason",
    PaymentStatus.CANCELLED: "by_collector",
    PaymentStatus.REFUNDED: "refunded",
    PaymentStatus.CHARGED_BACK: "settled",
}


class ApiOrderStatus(StrEnum):
    CREATED = "created"
    PROCESSING = "processing"  # a pending / in_process payment waits to settle
    PROCESSED = "processed"
    CANCELED = "canceled"
    EXPIRED = "expired"
    REFUNDED = "refunded"


API_ORDER_TRANSITIONS: Final[dict[ApiOrderStatus, frozenset[ApiOrderStatus]]] = {
    ApiOrderStatus.CREATED: frozenset(
        {
            ApiOrderStatus.PROCESSING,
            ApiOrderStatus.PROCESSED,
            ApiOrderStatus.CANCELED,
            ApiOrderStatus.EXPIRED,
        }
    ),
    ApiOrderStatus.PROCESSING: frozenset(
        {ApiOrderStatus.CREATED, ApiOrderStatus.PROCESSED, ApiOrderStatus.CANCELED}
    ),
    ApiOrderStatus.PROCESSED: frozenset({ApiOrderStatus.REFUNDED}),
    ApiOrderStatus.CANCELED: frozenset(),
    ApiOrderStatus.EXPIRED: frozenset(),
    ApiOrderStatus.REFUNDED: frozenset(),
}


class IllegalTransition(ValueError):
    """A transition the table does not allow (a bug in the caller, or a control request to
    refuse).
    """


def check_transition(table: dict[S, frozenset[S]], old: S, new: S) -> S:
    """Return ``new`` if ``old -> new`` is in ``table``, else raise :class:`IllegalTransition`."""
    if new not in table[old]:
        raise IllegalTransition(f"cannot go from {old.value} to {new.value}")
    return new


@dataclass(frozen=True, slots=True)
class PaymentView:
    """The parts of a payment that a merchant order's status depends on."""

    status: PaymentStatus
    amount: Decimal
    refunded: Decimal = Decimal(0)


@dataclass(frozen=True, slots=True)
class MOView:
    status: MOStatus
    order_status: MOOrderStatus
    paid_amount: Decimal
    refunded_amount: Decimal


# Payments that were approved at some point count towards "covering the total".
_COVERING: Final = frozenset(
    {
        PaymentStatus.APPROVED,
        PaymentStatus.IN_MEDIATION,
        PaymentStatus.CHARGED_BACK,
        PaymentStatus.REFUNDED,
    }
)
_IN_PROCESS: Final = frozenset(
    {PaymentStatus.PENDING, PaymentStatus.IN_PROCESS, PaymentStatus.AUTHORIZED}
)
_DEAD: Final = frozenset({PaymentStatus.REJECTED, PaymentStatus.CANCELLED})
_REVERTED: Final = frozenset({PaymentStatus.REFUNDED, PaymentStatus.CHARGED_BACK})


def derive_merchant_order(
    total: Decimal, payments: Iterable[PaymentView], *, cancelled: bool
) -> MOView:
    """A merchant order's ``status`` / ``order_status`` / amounts from its payments."""
    alive = [p for p in payments if p.status not in _DEAD]
    covered = sum((p.amount for p in alive if p.status in _COVERING), Decimal(0))
    refunded = sum((p.refunded for p in alive), Decimal(0))
    order_status = _order_status(total, alive, covered, cancelled=cancelled)
    return MOView(_status(total, alive, covered, cancelled), order_status, covered, refunded)


def _status(
    total: Decimal, alive: list[PaymentView], covered: Decimal, cancelled: bool
) -> MOStatus:
    if covered >= total:
        return MOStatus.CLOSED
    holding = [p for p in alive if p.status in _IN_PROCESS or p.status is PaymentStatus.APPROVED]
    if cancelled and not holding:
        return MOStatus.EXPIRED
    return MOStatus.OPENED


def _order_status(
    total: Decimal, alive: list[PaymentView], covered: Decimal, *, cancelled: bool
) -> MOOrderStatus:
    if not alive:
        return MOOrderStatus.EXPIRED if cancelled else MOOrderStatus.PAYMENT_REQUIRED
    if any(p.refunded > 0 for p in alive):
        if all(p.status in _REVERTED for p in alive):
            return MOOrderStatus.REVERTED
        return MOOrderStatus.PARTIALLY_REVERTED
    if covered >= total:
        return MOOrderStatus.PAID
    if covered > 0:
        return MOOrderStatus.PARTIALLY_PAID
    if any(p.status in _IN_PROCESS for p in alive):
        return MOOrderStatus.PAYMENT_IN_PROCESS
    return MOOrderStatus.EXPIRED if cancelled else MOOrderStatus.PAYMENT_REQUIRED
