"""How the simulated customer pays: the payment method, the test card and its holder, the fee.

:func:`resolve` turns what ``POST /_sandbox/pay`` names (``card_number``, ``cardholder_name``,
``payment_method_id``, ``installments``) into the method Mercado Pago would record and the outcome
the cardholder name picks (``APRO`` approved, ``OTHE`` rejected, ``CONT`` pending, ...). An explicit
``status`` still wins, so older callers keep working. :func:`charge` fixes the
``mercadopago_fee`` and the money release delay when a payment is approved.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from mpqr.sandbox import catalog
from mpqr.sandbox.errors import ControlError
from mpqr.sandbox.lifecycle import DEFAULT_STATUS_DETAIL, PaymentStatus
from mpqr.sandbox.models import Payment, Seller
from mpqr.sandbox.state import SandboxState
from mpqr.sites import site

__all__ = ["Instrument", "charge", "resolve"]

_CARDS = frozenset({"credit_card", "debit_card"})


@dataclass(frozen=True, slots=True)
class Instrument:
    """The method, card and outcome of one payment attempt."""

    method: catalog.Method
    installments: int
    status: PaymentStatus
    status_detail: str
    card_number: str | None = None
    cardholder_name: str | None = None


def _method(seller: Seller, card_number: str | None, method_id: str | None) -> catalog.Method:
    if card_number:
        digits = "".join(c for c in card_number if c.isdigit())
        card = next((c for c in catalog.cards(seller.site_id) if c.number == digits), None)
        if card is None:
            raise ControlError(
                400, "invalid_card_number", f"{card_number} is not a {seller.site_id} test card"
            )
        return catalog.Method(card.payment_method_id, card.payment_type_id)
    wanted = method_id or catalog.DEFAULT_METHOD
    found = catalog.method(seller.site_id, wanted)
    if found is None:
        known = ", ".join(m.id for m in catalog.methods(seller.site_id))
        raise ControlError(
            400,
            "invalid_payment_method",
            f"{wanted!r} does not pay QR orders on {seller.site_id}: use one of {known}",
        )
    if found.id == "pix" and seller.test_user:
        raise ControlError(
            400, "pix_not_available", "Pix payments cannot be made with test users' credentials"
        )
    return found


def _check_installments(method: catalog.Method, installments: int) -> None:
    if installments < 1 or installments > 24:
        raise ControlError(400, "invalid_installments", "installments must be 1 to 24")
    if installments > 1 and method.payment_type_id != "credit_card":
        raise ControlError(400, "invalid_installments", f"{method.id} pays in one installment only")


def resolve(
    seller: Seller,
    *,
    status: PaymentStatus | None,
    status_detail: str | None,
    card_number: str | None,
    cardholder_name: str | None,
    payment_method_id: str | None,
    installments: int,
) -> Instrument:
    """What the customer pays with, and what Mercado Pago answers."""
    method = _method(seller, card_number, payment_method_id)
    _check_installments(method, installments)
    outcome = catalog.holder_outcome(cardholder_name) if method.payment_type_id in _CARDS else None
    chosen = status or (outcome.status if outcome else PaymentStatus.APPROVED)
    if status_detail:
        detail = status_detail
    elif outcome is not None and status in (None, outcome.status):
        detail = outcome.status_detail
    else:
        detail = DEFAULT_STATUS_DETAIL[chosen]
    card = "".join(c for c in card_number or "" if c.isdigit()) or None
    return Instrument(method, installments, chosen, detail, card, cardholder_name)


def charge(state: SandboxState, payment: Payment) -> None:
    """Fix the ``mercadopago_fee`` and the release delay of a payment just approved."""
    seller = state.data.sellers[payment.seller_id]
    fee = catalog.fee(seller.site_id, payment.payment_type_id, state.fee_overrides)
    quantum = site(seller.site_id).quantum
    amount = payment.transaction_amount * fee.rate / Decimal(100)
    payment.fee_amount = amount.quantize(quantum, rounding=ROUND_HALF_UP)
    payment.release_days = fee.release_days
