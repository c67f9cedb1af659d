"""The sale state machine and the pure projection of Mercado Pago facts onto a sale (no I/O).

Mercado Pago is the source of truth. The processor and the reconciler turn what they fetched into
:class:`Evidence`; :func:`merge_payment` keeps each payment's newest state (a stale fetch never
moves a payment backwards); :func:`project` derives status, amounts and alerts from every fact kept
for the sale, and :data:`ALLOWED` says which status changes are legal.

A sale is paid only when one of its merchant orders (or its Orders API order) is *closed* and the
approved payments cover the total: an ``opened`` merchant order never pays a sale. Payments are
keyed by id, so a payment seen through several merchant orders, notifications or re-scans counts
once.

Mercado Pago's words become enums at the edge (:mod:`mpqr.seller.mpmap`, the repository):
payments carry a :class:`~mpqr.statuses.PaymentStatus`, orders an :class:`OrderState`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Final

from mpqr.statuses import PaymentStatus

__all__ = [
    "ALLOWED",
    "ZERO",
    "Alert",
    "EventSource",
    "Evidence",
    "OrderFact",
    "OrderState",
    "PaymentFact",
    "Projection",
    "SaleStatus",
    "can_transition",
    "is_final",
    "merge_order",
    "merge_payment",
    "project",
]

ZERO: Final = Decimal("0")


class SaleStatus(StrEnum):
    """``opening``: stored, its order being put on the cashbox (write-ahead); ``failed``: Mercado
    Pago refused the order, so nothing was ever on the cashbox."""

    OPENING = "opening"
    FAILED = "failed"
    PENDING = "pending"
    PAID = "paid"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    REFUNDED = "refunded"
    PARTIALLY_REFUNDED = "partially_refunded"


# Statuses the reconciler no longer watches: money was taken (only our own refunds move it on, and
# they confirm themselves) or never could be.
_FINAL: Final = frozenset(
    {SaleStatus.PAID, SaleStatus.REFUNDED, SaleStatus.PARTIALLY_REFUNDED, SaleStatus.FAILED}
)


def is_final(status: SaleStatus) -> bool:
    """True for a status the reconciler stops checking (see :mod:`mpqr.seller.reconcile`)."""
    return status in _FINAL


ALLOWED: Final[Mapping[SaleStatus, frozenset[SaleStatus]]] = {
    SaleStatus.OPENING: frozenset({SaleStatus.PENDING, SaleStatus.FAILED, SaleStatus.CANCELLED}),
    SaleStatus.FAILED: frozenset(),
    SaleStatus.PENDING: frozenset({SaleStatus.PAID, SaleStatus.CANCELLED, SaleStatus.EXPIRED}),
    SaleStatus.PAID: frozenset({SaleStatus.REFUNDED, SaleStatus.PARTIALLY_REFUNDED}),
    SaleStatus.PARTIALLY_REFUNDED: frozenset({SaleStatus.REFUNDED}),
    SaleStatus.REFUNDED: frozenset(),
    SaleStatus.CANCELLED: frozenset(),
    SaleStatus.EXPIRED: frozenset(),
}


def can_transition(old: SaleStatus, new: SaleStatus) -> bool:
    return new in ALLOWED[old]


class Alert(StrEnum):
    """Something a human must look at; alerts accumulate and are never cleared automatically."""

    PAID_AFTER_CANCEL = "paid_after_cancel"
    PAID_AFTER_EXPIRY = "paid_after_expiry"
    AMOUNT_MISMATCH = "amount_mismatch"
    PARTIALLY_PAID = "partially_paid"
    OVERPAID = "overpaid"


class EventSource(StrEnum):
    API = "api"
    NOTIFICATION = "notification"
    RECONCILE = "reconcile"


# Payment statuses whose money reached the seller (a refund or chargeback does not undo "was paid").
CAPTURED: Final = frozenset(
    {
        PaymentStatus.APPROVED,
        PaymentStatus.REFUNDED,
        PaymentStatus.CHARGED_BACK,
        PaymentStatus.IN_MEDIATION,
    }
)
# How far along a payment is; a fetch showing a lower rank than what we hold is stale.
_RANK: Final[Mapping[PaymentStatus, int]] = {
    PaymentStatus.PENDING: 0,
    PaymentStatus.IN_PROCESS: 0,
    PaymentStatus.AUTHORIZED: 0,
    PaymentStatus.REJECTED: 1,
    PaymentStatus.CANCELLED: 1,
    PaymentStatus.APPROVED: 2,
    PaymentStatus.IN_MEDIATION: 3,
    PaymentStatus.REFUNDED: 4,
    PaymentStatus.CHARGED_BACK: 4,
}


class OrderState(StrEnum):
    """Where an order stands: ``closed`` = its payments cover it (merchant order ``closed``,
    Orders API ``processed``); ``gone`` = it can no longer be paid (expired, cancelled)."""

    OPEN = "open"
    CLOSED = "closed"
    GONE = "gone"


@dataclass(frozen=True, slots=True)
class PaymentFact:
    """One payment as Mercado Pago last showed it (``id`` is the /v1/payments id, or Orders id)."""

    id: str
    status: PaymentStatus
    amount: Decimal
    status_detail: str | None = None
    refunded_amount: Decimal = ZERO
    merchant_order_id: str | None = None
    approved_at: datetime | None = field(default=None, compare=False)
    # what a payment search tells beyond the sale's facts (the unmatched-payments sweep)
    pos_id: str | None = field(default=None, compare=False)
    external_reference: str | None = field(default=None, compare=False)
    currency_id: str | None = field(default=None, compare=False)

    @property
    def captured(self) -> bool:
        return self.status in CAPTURED

    @property
    def refundable(self) -> Decimal:
        """What can still be given back of this payment."""
        if self.status is not PaymentStatus.APPROVED:
            return ZERO
        return max(self.amount - self.refunded_amount, ZERO)

    @property
    def refunded(self) -> Decimal:
        if self.status is PaymentStatus.REFUNDED and self.refunded_amount == ZERO:
            return self.amount
        return self.refunded_amount


@dataclass(frozen=True, slots=True)
class OrderFact:
    """A merchant order or Orders API order: Mercado Pago's own word (``status``, kept for the
    history) and what it means for the sale (``state``)."""

    id: str
    status: str
    state: OrderState
    total_amount: Decimal | None = None

    @property
    def closed(self) -> bool:
        return self.state is OrderState.CLOSED


@dataclass(frozen=True, slots=True)
class Evidence:
    """What one fetch from Mercado Pago showed about the sale with ``external_reference``."""

    external_reference: str | None
    orders: tuple[OrderFact, ...] = ()
    payments: tuple[PaymentFact, ...] = ()


@dataclass(frozen=True, slots=True)
class Projection:
    status: SaleStatus
    paid_amount: Decimal
    refunded_amount: Decimal
    alerts: tuple[Alert, ...] = field(default=())
    path: tuple[SaleStatus, ...] = field(default=())  # every status passed through, in order


def merge_payment(old: PaymentFact | None, new: PaymentFact) -> PaymentFact:
    """The newer of two views of one payment: status never moves back, refunds never shrink."""
    if old is None:
        return new
    keep_old = _RANK.get(new.status, 0) < _RANK.get(old.status, 0)
    base = old if keep_old else new
    refunded = max(old.refunded_amount, new.refunded_amount)
    return PaymentFact(
        id=base.id,
        status=base.status,
        amount=base.amount,
        status_detail=base.status_detail,
        refunded_amount=refunded,
        merchant_order_id=new.merchant_order_id or old.merchant_order_id,
        approved_at=new.approved_at or old.approved_at,
    )


def merge_order(old: OrderFact | None, new: OrderFact) -> OrderFact:
    """A merchant order never goes from closed (or gone) back to opened (a stale fetch)."""
    if old is not None and old.state is not OrderState.OPEN and new.state is OrderState.OPEN:
        return old
    return new


def project(
    status: SaleStatus,
    total: Decimal,
    payments: Iterable[PaymentFact],
    orders: Iterable[OrderFact],
    alerts: Iterable[Alert] = (),
    gone_status: SaleStatus = SaleStatus.EXPIRED,
) -> Projection:
    """Derive the sale's status, amounts and alerts from every fact held for it.

    A pending sale whose every order Mercado Pago shows as gone (expired, cancelled) becomes
    ``gone_status``: expired, or cancelled while a cancel of ours is under way.
    """
    pays = list(payments)
    ords = list(orders)
    paid = sum((p.amount for p in pays if p.captured), ZERO)
    refunded = sum((p.refunded for p in pays if p.captured), ZERO)
    found = set(alerts) | _amount_alerts(total, paid, ords)
    path: list[SaleStatus] = []
    current = status
    closed = any(o.closed for o in ords)
    gone = bool(ords) and all(o.state is OrderState.GONE for o in ords)
    while (nxt := _next(current, total, paid, refunded, closed)) is not None:
        path.append(nxt)
        current = nxt
    if current is SaleStatus.PENDING and gone:
        path.append(gone_status)
        current = gone_status
    found |= _late_alerts(current, paid)
    if current is SaleStatus.PENDING and ZERO < paid < total:
        found.add(Alert.PARTIALLY_PAID)
    if paid > total and current is not SaleStatus.PENDING:
        found.add(Alert.OVERPAID)
    return Projection(current, paid, refunded, tuple(a for a in Alert if a in found), tuple(path))


def _next(
    status: SaleStatus, total: Decimal, paid: Decimal, refunded: Decimal, closed: bool
) -> SaleStatus | None:
    match status:
        case SaleStatus.PENDING:
            return SaleStatus.PAID if closed and paid >= total else None
        case SaleStatus.PAID | SaleStatus.PARTIALLY_REFUNDED:
            if refunded > ZERO and refunded >= paid:
                return SaleStatus.REFUNDED
            if refunded > ZERO and status is SaleStatus.PAID:
                return SaleStatus.PARTIALLY_REFUNDED
            return None
        case (
            SaleStatus.OPENING
            | SaleStatus.FAILED
            | SaleStatus.REFUNDED
            | SaleStatus.CANCELLED
            | SaleStatus.EXPIRED
        ):
            return None


def _late_alerts(status: SaleStatus, paid: Decimal) -> set[Alert]:
    if paid <= ZERO:
        return set()
    match status:
        case SaleStatus.CANCELLED | SaleStatus.FAILED:
            return {Alert.PAID_AFTER_CANCEL}
        case SaleStatus.EXPIRED:
            return {Alert.PAID_AFTER_EXPIRY}
        case _:
            return set()


def _amount_alerts(total: Decimal, paid: Decimal, orders: list[OrderFact]) -> set[Alert]:
    mismatch = any(o.total_amount is not None and o.total_amount != total for o in orders)
    return {Alert.AMOUNT_MISMATCH} if mismatch else set()
