"""The simulated customer: scan a QR, pay (approved / rejected / pending / in_process), settle
later.

The rules follow Mercado Pago's QR docs and its test plan:

- scanning a POS with a legacy order creates a new merchant order each time; v2 / hybrid / dynamic /
  Orders API orders already have theirs; scanning a POS with no order shows the waiting screen
  (``None``);
- a rejected payment leaves the merchant order ``opened`` and the customer may pay again without
  rescanning;
- approved payments covering the total close the merchant order (``closed`` / ``paid``) and consume
  the POS's order; less gives ``partially_paid``;
- paying an order that was deleted, replaced or expired is refused, unless the customer had already
  scanned it (was on the pay screen) and the caller asks for a ``late`` payment (sdk-dotnet#88).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from mpqr.errors import ValidationError
from mpqr.qr.emvco import decode_mp_reference
from mpqr.sandbox.errors import ControlError
from mpqr.sandbox.instrument import charge, resolve
from mpqr.sandbox.lifecycle import (
    DEFAULT_STATUS_DETAIL,
    PAYMENT_TRANSITIONS,
    ApiOrderStatus,
    IllegalTransition,
    LiveState,
    MOStatus,
    OrderKind,
    PaymentStatus,
    check_transition,
)
from mpqr.sandbox.merchant_orders import new_merchant_order
from mpqr.sandbox.models import InstoreOrder, MerchantOrder, Payment, Pos
from mpqr.sandbox.orders_api import after_payment
from mpqr.sandbox.slots import live_order, retire
from mpqr.sandbox.state import SandboxState
from mpqr.sites import AmountError, site, validate_amount

__all__ = ["PayRequest", "Selector", "pay", "scan", "settle"]


@dataclass(frozen=True, slots=True)
class Selector:
    """Which QR the customer points the phone at (exactly one way of naming it)."""

    qr_data: str | None = None
    pos_id: int | None = None
    user_id: int | None = None
    external_pos_id: str | None = None
    merchant_order_id: int | None = None


@dataclass(frozen=True, slots=True)
class PayRequest:
    """One payment attempt. ``status`` ``None``: the cardholder name decides (else approved)."""

    status: PaymentStatus | None = None
    status_detail: str | None = None
    amount: Decimal | None = None
    payer_email: str | None = None
    late: bool = False
    payment_method_id: str | None = None
    card_number: str | None = None
    cardholder_name: str | None = None
    installments: int = 1
    payer_identification: dict[str, str] | None = None


# ---- scanning ----------------------------------------------------------------------------------


def scan(state: SandboxState, selector: Selector) -> MerchantOrder | None:
    """What the customer's app shows after scanning: the order's merchant order, or ``None``
    (waiting).
    """
    with state.lock:
        pos, mo = _resolve(state, selector)
        if mo is not None:
            return _mark_scanned(mo, pos)
        if pos is None:
            return None
        return _scan_pos(state, pos)


def _scan_pos(state: SandboxState, pos: Pos) -> MerchantOrder | None:
    order = live_order(state, pos)
    if pos.live_kind is OrderKind.ORDERS and pos.live_id is not None:
        api_order = state.data.api_orders.get(pos.live_id)
        mo = state.data.merchant_orders.get(api_order.mo_id) if api_order else None
        return _mark_scanned(mo, pos) if mo else None
    if order is None:
        return None
    if isinstance(order, InstoreOrder):
        return _mark_scanned(state.data.merchant_orders[order.mo_id], pos)
    seller = state.data.sellers[pos.seller_id]
    legacy = order
    mo = new_merchant_order(
        state,
        seller=seller,
        kind=OrderKind.LEGACY,
        source_id=legacy.id,
        items=legacy.items,
        total=legacy.total_amount,
        pos=pos,
        external_reference=legacy.external_reference,
        notification_url=legacy.notification_url,
        sponsor_id=legacy.sponsor_id,
        preference_id=legacy.id,
    )
    legacy.mo_ids.append(mo.id)
    return _mark_scanned(mo, pos)


def _mark_scanned(mo: MerchantOrder, pos: Pos | None) -> MerchantOrder:
    mo.scanned = True
    if pos is not None:
        pos.last_scanned_mo_id = mo.id
    return mo


def _resolve(state: SandboxState, sel: Selector) -> tuple[Pos | None, MerchantOrder | None]:
    """The POS (static QR) or the merchant order (dynamic QR / explicit id) a selector names."""
    if sel.merchant_order_id is not None:
        mo = state.data.merchant_orders.get(sel.merchant_order_id)
        if mo is None:
            raise ControlError(
                404, "not_found", f"merchant order {sel.merchant_order_id} not found"
            )
        return (state.data.pos.get(mo.pos_id) if mo.pos_id else None), mo
    if sel.qr_data is not None:
        return _resolve_qr(state, sel.qr_data)
    if sel.pos_id is not None:
        return _pos_or_404(state, sel.pos_id), None
    if sel.user_id is not None and sel.external_pos_id is not None:
        pos = state.pos_by_external(sel.user_id, sel.external_pos_id)
        if pos is None:
            raise ControlError(404, "not_found", f"POS {sel.external_pos_id!r} not found")
        return pos, None
    raise ControlError(
        400,
        "bad_request",
        "name the QR with qr_data, pos_id, user_id + external_pos_id or merchant_order_id",
    )


def _resolve_qr(state: SandboxState, qr_data: str) -> tuple[Pos | None, MerchantOrder | None]:
    try:
        ref = decode_mp_reference(qr_data)
    except ValidationError as exc:
        raise ControlError(400, "invalid_qr", f"not a Mercado Pago QR: {exc}") from None
    if ref.kind == "pos" and ref.pos_id is not None:
        return _pos_or_404(state, ref.pos_id), None
    order_id = ref.order_id or ""
    instore = state.data.instore_orders.get(order_id)
    api_order = state.data.api_orders.get(order_id)
    mo_id = instore.mo_id if instore else api_order.mo_id if api_order else None
    if mo_id is None:
        raise ControlError(404, "not_found", "the QR names no order of this sandbox")
    mo = state.data.merchant_orders[mo_id]
    return (state.data.pos.get(mo.pos_id) if mo.pos_id else None), mo


def _pos_or_404(state: SandboxState, pos_id: int) -> Pos:
    pos = state.data.pos.get(pos_id)
    if pos is None:
        raise ControlError(404, "not_found", f"POS {pos_id} not found")
    return pos


# ---- paying ------------------------------------------------------------------------------------


def pay(state: SandboxState, selector: Selector, req: PayRequest) -> tuple[Payment, MerchantOrder]:
    """The customer pays: a new payment on the order's merchant order (scanning first if needed)."""
    with state.lock:
        mo = _target_for_payment(state, selector, req.late)
        amount = _amount(state, mo, req.amount)
        payment = _new_payment(state, mo, req, amount)
        _after_payment(state, mo, payment)
        return payment, mo


def _target_for_payment(state: SandboxState, sel: Selector, late: bool) -> MerchantOrder:
    pos, mo = _resolve(state, sel)
    if mo is None and pos is not None:
        mo = _pay_screen_of(state, pos, late)
    if mo is None:
        raise ControlError(
            400, "no_order", "the QR shows the waiting screen: there is no order to pay"
        )
    if state.mo_view(mo).status is MOStatus.CLOSED:
        raise ControlError(400, "order_closed", f"merchant order {mo.id} is already paid")
    if not _source_live(state, mo) and mo.source_kind is OrderKind.ORDERS:
        # an Orders API payment goes through its order: a cancelled or expired one takes none
        raise ControlError(
            400, "order_not_available", "the order was cancelled or expired: it takes no payment"
        )
    if not _source_live(state, mo) and not (late and mo.scanned):
        raise ControlError(
            400,
            "order_not_available",
            "the order was deleted, replaced or expired; pass late=true to pay from a pay "
            "screen the customer opened before",
        )
    mo.scanned = True
    return mo


def _pay_screen_of(state: SandboxState, pos: Pos, late: bool) -> MerchantOrder | None:
    """The merchant order the customer's pay screen shows for this POS (scanning if needed)."""
    last = state.data.merchant_orders.get(pos.last_scanned_mo_id or 0)
    if pos.live_id is None:
        return last if late else None
    if pos.live_kind is OrderKind.LEGACY:
        legacy = state.data.legacy_orders[pos.live_id]
        if last is not None and last.id in legacy.mo_ids:
            return last
    return _scan_pos(state, pos)


def _source_live(state: SandboxState, mo: MerchantOrder) -> bool:
    match mo.source_kind:
        case OrderKind.LEGACY:
            legacy = state.data.legacy_orders.get(mo.source_id)
            return legacy is not None and legacy.state is LiveState.LIVE
        case OrderKind.V2 | OrderKind.DYNAMIC | OrderKind.HYBRID:
            order = state.data.instore_orders.get(mo.source_id)
            return order is not None and order.state is LiveState.LIVE
        case OrderKind.ORDERS:
            api = state.data.api_orders.get(mo.source_id)
            live = (ApiOrderStatus.CREATED, ApiOrderStatus.PROCESSING)
            return api is not None and api.status in live


def _amount(state: SandboxState, mo: MerchantOrder, wanted: Decimal | None) -> Decimal:
    currency = site(state.data.sellers[mo.seller_id].site_id).currency_id
    if wanted is None:
        return max(mo.total_amount - state.mo_view(mo).paid_amount, Decimal(0)) or mo.total_amount
    try:
        return validate_amount(wanted, currency)
    except AmountError as exc:
        raise ControlError(400, "invalid_amount", str(exc)) from None


def _new_payment(
    state: SandboxState, mo: MerchantOrder, req: PayRequest, amount: Decimal
) -> Payment:
    seller = state.data.sellers[mo.seller_id]
    paid_with = resolve(
        seller,
        status=req.status,
        status_detail=req.status_detail,
        card_number=req.card_number,
        cardholder_name=req.cardholder_name,
        payment_method_id=req.payment_method_id,
        installments=req.installments,
    )
    now = state.now()
    payer_id = state.ids.number(10)
    payment = Payment(
        id=state.new_number(state.data.payments, 11),
        seller_id=seller.id,
        mo_id=mo.id,
        status=paid_with.status,
        status_detail=paid_with.status_detail,
        transaction_amount=amount,
        currency_id=site(seller.site_id).currency_id,
        description=mo.items[0].title if mo.items else None,
        external_reference=mo.external_reference,
        pos_id=mo.pos_id,
        store_id=mo.store_id,
        payer_email=req.payer_email or f"test_user_{payer_id}@testuser.com",
        payer_id=payer_id,
        notification_url=mo.notification_url,
        api_order_id=mo.source_id if mo.source_kind is OrderKind.ORDERS else None,
        date_created=now,
        date_approved=now if paid_with.status is PaymentStatus.APPROVED else None,
        date_last_updated=now,
        payment_method_id=paid_with.method.id,
        payment_type_id=paid_with.method.payment_type_id,
        installments=paid_with.installments,
        card_number=paid_with.card_number,
        cardholder_name=paid_with.cardholder_name,
        payer_identification=req.payer_identification or {},
    )
    if payment.status is PaymentStatus.APPROVED:
        charge(state, payment)
    state.data.payments[payment.id] = payment
    state.payment_refs.add(state.data.payments, payment.id, payment)
    mo.payment_ids.append(payment.id)
    state.payment_changed(payment, created=True)
    return payment


def _after_payment(state: SandboxState, mo: MerchantOrder, payment: Payment) -> None:
    """Update and notify the merchant order; consume the POS order when it closes."""
    state.mo_changed(mo)
    closed = state.mo_view(mo).status is MOStatus.CLOSED
    if mo.source_kind is OrderKind.ORDERS:
        after_payment(state, mo, payment, closed=closed)
        return
    if closed:
        source = (
            state.data.legacy_orders.get(mo.source_id)
            if mo.source_kind is OrderKind.LEGACY
            else state.data.instore_orders.get(mo.source_id)
        )
        if source is not None:
            retire(state, source, LiveState.PAID)


def settle(
    state: SandboxState, payment_id: int, status: PaymentStatus, detail: str | None = None
) -> tuple[Payment, MerchantOrder]:
    """A pending / in_process payment ends ``approved`` or ``rejected``."""
    with state.lock:
        payment = state.data.payments.get(payment_id)
        if payment is None:
            raise ControlError(404, "not_found", f"payment {payment_id} not found")
        if payment.status not in (PaymentStatus.PENDING, PaymentStatus.IN_PROCESS):
            raise ControlError(400, "invalid_status", f"payment is {payment.status.value}")
        try:
            payment.status = check_transition(PAYMENT_TRANSITIONS, payment.status, status)
        except IllegalTransition as exc:
            raise ControlError(400, "invalid_status", str(exc)) from None
        payment.status_detail = detail or DEFAULT_STATUS_DETAIL[status]
        if status is PaymentStatus.APPROVED:
            payment.date_approved = state.now()
            charge(state, payment)
        state.payment_changed(payment, created=False)
        mo = state.data.merchant_orders[payment.mo_id]
        _after_payment(state, mo, payment)
        return payment, mo
