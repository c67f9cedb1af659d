"""What the cashier's main panel shows for a sale (pure, no I/O).

A sale's status alone is not enough at a counter: a *pending* sale may be waiting for the customer
to scan, have a rejected attempt (tell the customer to try again), or have a payment in process
(tell them not to pay twice). :func:`screen_of` turns a :class:`SaleOut` into one
:class:`Screen`: the panel's state, its tone (colour), the payment attempt that decided it, whether
the QR is shown, and what can still be done (cancel, refund how much).

Sale statuses are :class:`~mpqr.seller.sales.rules.SaleStatus` members and payment statuses
:class:`~mpqr.statuses.PaymentStatus` members (:class:`PaymentOut` carries Mercado Pago's word;
:func:`_payment_status` reads it at this edge).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Final

from mpqr.seller.errors import Reason
from mpqr.seller.sales.rules import SaleStatus
from mpqr.seller.sales.schemas import PaymentOut, SaleOut
from mpqr.seller.web.i18n import Words
from mpqr.statuses import PaymentStatus

__all__ = [
    "ICONS",
    "TONES",
    "Screen",
    "State",
    "advice_words",
    "detail_words",
    "latest_attempt",
    "reason_words",
    "screen_of",
]


class State(StrEnum):
    OPENING = "opening"
    WAITING = "waiting"
    REJECTED = "rejected"
    IN_PROCESS = "in_process"
    PAID = "paid"
    PARTIALLY_REFUNDED = "partially_refunded"
    REFUNDED = "refunded"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    FAILED = "failed"


# state: (tone, headline key)
_LOOK: Final[dict[State, tuple[str, str]]] = {
    State.OPENING: ("info", "status_opening"),
    State.WAITING: ("info", "status_pending"),
    State.REJECTED: ("bad", "screen_rejected"),
    State.IN_PROCESS: ("warn", "screen_in_process"),
    State.PAID: ("ok", "status_paid"),
    State.PARTIALLY_REFUNDED: ("warn", "status_partially_refunded"),
    State.REFUNDED: ("neutral", "status_refunded"),
    State.CANCELLED: ("neutral", "status_cancelled"),
    State.EXPIRED: ("neutral", "status_expired"),
    State.FAILED: ("bad", "status_failed"),
}
_SETTLED: Final[dict[SaleStatus, State]] = {
    SaleStatus.PAID: State.PAID,
    SaleStatus.PARTIALLY_REFUNDED: State.PARTIALLY_REFUNDED,
    SaleStatus.REFUNDED: State.REFUNDED,
    SaleStatus.CANCELLED: State.CANCELLED,
    SaleStatus.EXPIRED: State.EXPIRED,
    SaleStatus.FAILED: State.FAILED,
    SaleStatus.OPENING: State.OPENING,
}
_IN_FLIGHT: Final = frozenset(
    {PaymentStatus.PENDING, PaymentStatus.IN_PROCESS, PaymentStatus.AUTHORIZED}
)
_REFUSED: Final = frozenset({PaymentStatus.REJECTED, PaymentStatus.CANCELLED})
ICONS: Final = {
    State.OPENING: "…",
    State.WAITING: "◷",
    State.REJECTED: "✕",
    State.IN_PROCESS: "◷",
    State.PAID: "✓",
    State.PARTIALLY_REFUNDED: "↩",
    State.REFUNDED: "↩",
    State.CANCELLED: "⊘",
    State.EXPIRED: "◷",
    State.FAILED: "!",
}
# the colour of each sale status in lists (keyed by value, as templates look it up)
TONES: Final = {status.value: _LOOK[state][0] for status, state in _SETTLED.items()} | {
    SaleStatus.PENDING.value: "info"
}
# statuses whose money, if any came in, may be given back from the screen
_REFUNDABLE: Final = frozenset(
    {SaleStatus.PAID, SaleStatus.PARTIALLY_REFUNDED, SaleStatus.CANCELLED, SaleStatus.EXPIRED}
)


@dataclass(frozen=True, slots=True)
class Screen:
    state: State
    tone: str
    headline: str  # an i18n key
    attempt: PaymentOut | None  # the payment attempt that put the panel in this state
    show_qr: bool
    cancellable: bool
    refundable: Decimal  # how much can still be refunded from the screen (0: no refund form)


def screen_of(sale: SaleOut) -> Screen:
    status = sale.status
    attempt = latest_attempt(sale.payments)
    state = _SETTLED.get(status, State.WAITING)
    if status is SaleStatus.PENDING and attempt is not None:
        if _payment_status(attempt) in _IN_FLIGHT:
            state = State.IN_PROCESS
        elif _payment_status(attempt) in _REFUSED:
            state = State.REJECTED
    tone, headline = _LOOK[state]
    left = _amount(sale.paid_amount) - _amount(sale.refunded_amount)
    return Screen(
        state=state,
        tone=tone,
        headline=headline,
        attempt=attempt if state in {State.REJECTED, State.IN_PROCESS} else None,
        show_qr=state in {State.WAITING, State.REJECTED, State.OPENING},
        cancellable=status in {SaleStatus.PENDING, SaleStatus.OPENING},
        refundable=left if status in _REFUNDABLE and left > 0 else Decimal(0),
    )


def latest_attempt(payments: list[PaymentOut]) -> PaymentOut | None:
    """The newest attempt: any in flight first, else the highest id (numeric ids sort by
    length, then text, which also orders the Orders API's time-ordered ids)."""
    in_flight = [p for p in payments if _payment_status(p) in _IN_FLIGHT]
    pool = in_flight or payments
    return max(pool, key=lambda p: (len(p.id), p.id)) if pool else None


def _payment_status(payment: PaymentOut) -> PaymentStatus | None:
    try:
        return PaymentStatus(payment.status)
    except ValueError:
        return None


def _amount(text: str) -> Decimal:
    try:
        return Decimal(text)
    except InvalidOperation:
        return Decimal(0)


def detail_words(t: Words, payment: PaymentOut) -> str:
    """A payment's ``status_detail`` in words; an unknown detail falls back to its status."""
    keys = [f"detail_{payment.status_detail}"] if payment.status_detail else []
    return t.first(*keys, f"pay_{payment.status}", "pay_pending")


def advice_words(t: Words, payment: PaymentOut) -> str | None:
    """What to tell the customer about a rejected or in-process attempt (``None`` otherwise)."""
    if payment.status in _REFUSED:
        generic = "advice_rejected"
    elif payment.status in _IN_FLIGHT:
        generic = "advice_pending"
    else:
        return None
    keys = [f"advice_{payment.status_detail}"] if payment.status_detail else []
    return t.first(*keys, generic)


def reason_words(t: Words, reason: Reason | str) -> str:
    """An error's reason in the cashier's language (an unknown one reads as 'not valid')."""
    value = reason.value if isinstance(reason, Reason) else reason
    return t.first(f"reason_{value}", "reason_invalid")
