"""Orders API (``/v1/orders``, ``type: qr``): create, cancel, and follow payments and refunds.

An Orders API order has a merchant order behind it (payments point at it with ``order.type
"mercadopago"``), but it notifies on topic ``order`` only: ``order.processed``, ``order.canceled``,
``order.expired``, ``order.refunded``. ``static`` orders sit on the POS's printed QR, ``dynamic``
ones get their own ``qr_data``, ``hybrid`` both. Expiry and replacement are in ``slots.py``.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from mpqr.sandbox.errors import OrdersError
from mpqr.sandbox.lifecycle import ApiOrderStatus, IllegalTransition, OrderKind, PaymentStatus
from mpqr.sandbox.merchant_orders import new_merchant_order, qr_payload_for_order
from mpqr.sandbox.models import ApiOrder, Item, JsonObject, MerchantOrder, Payment, Pos, Seller
from mpqr.sandbox.slots import move_api_order, off_pos, place_on_pos, publish_api_order
from mpqr.sandbox.state import SandboxState

__all__ = ["after_payment", "after_refund", "cancel_api_order", "create_api_order"]


def create_api_order(
    state: SandboxState,
    seller: Seller,
    pos: Pos,
    *,
    body: dict[str, Any],
    mode: str,
    items: list[Item],
    total: Decimal,
    expires_at: datetime | None,
) -> ApiOrder:
    prefix = "ORDTST" if seller.test_user else "ORD"  # test users' orders are ORDTST01…
    order_id = state.new_key(state.data.api_orders, lambda: state.new_ulid(prefix))
    url = body.get("notification_url")
    mo = new_merchant_order(
        state,
        seller=seller,
        kind=OrderKind.ORDERS,
        source_id=order_id,
        items=items,
        total=total,
        pos=pos,
        external_reference=_str_or_none(body.get("external_reference")),
        notification_url=None,
        preference_id=f"{seller.id}-{state.ids.uuid4()}",
    )
    now = state.now()
    order = ApiOrder(
        id=order_id,
        seller_id=seller.id,
        body=JsonObject(body),
        mode=mode,
        external_pos_id=pos.external_id or "",
        pos_id=pos.id,
        total_amount=total,
        transaction_id=state.new_ulid("PAY"),
        notification_url=url if isinstance(url, str) and url else None,
        expires_at=expires_at,
        created_at=now,
        last_updated=now,
        mo_id=mo.id,
    )
    if mode in ("dynamic", "hybrid"):
        order.qr_data = qr_payload_for_order(state, seller, order_id)
    if mode in ("static", "hybrid"):
        place_on_pos(state, pos, OrderKind.ORDERS, order_id)
    state.data.api_orders[order_id] = order
    state.order_refs.add(state.data.api_orders, order_id, order)
    state.note_expiry(expires_at)
    return order


def cancel_api_order(state: SandboxState, order: ApiOrder) -> ApiOrder:
    """``POST /v1/orders/{id}/cancel``: only an order still waiting for payment can be canceled."""
    with state.lock:
        try:
            move_api_order(state, order, ApiOrderStatus.CANCELED, "canceled")
        except IllegalTransition:
            raise OrdersError(
                409,
                "order_status_conflict",
                f"The order cannot be canceled because its status is {order.status.value}.",
            ) from None
        off_pos(state, order)
        publish_api_order(state, order, "order.canceled")
        return order


def after_payment(
    state: SandboxState, mo: MerchantOrder, payment: Payment, *, closed: bool
) -> None:
    """A payment on an Orders API order: processed when it covers the total, processing while
    pending.
    """
    order = state.data.api_orders[mo.source_id]
    if closed and order.status is not ApiOrderStatus.PROCESSED:
        move_api_order(state, order, ApiOrderStatus.PROCESSED, "accredited")
        off_pos(state, order)
        publish_api_order(state, order, "order.processed")
    elif payment.status in (PaymentStatus.PENDING, PaymentStatus.IN_PROCESS):
        if order.status is ApiOrderStatus.CREATED:
            move_api_order(state, order, ApiOrderStatus.PROCESSING, "in_process")
    elif order.status is ApiOrderStatus.PROCESSING and payment.status is PaymentStatus.REJECTED:
        move_api_order(state, order, ApiOrderStatus.CREATED, "created")


def after_refund(state: SandboxState, payment: Payment) -> None:
    order = state.data.api_orders.get(payment.api_order_id or "")
    if order is None:
        return
    payments = state.payments_of(state.data.merchant_orders[order.mo_id])
    order.refunded_amount = sum((p.amount_refunded for p in payments), Decimal(0))
    if payment.status is PaymentStatus.REFUNDED:
        move_api_order(state, order, ApiOrderStatus.REFUNDED, "refunded")
    else:
        order.status_detail = "partially_refunded"
        order.last_updated = state.now()
    publish_api_order(state, order, "order.refunded")


def _str_or_none(value: object) -> str | None:
    return None if value is None else str(value)
