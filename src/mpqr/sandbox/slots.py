"""The POS's one live order: placing an order on a POS's printed QR and taking it off again.

A POS holds at most one live order, of any kind. Placing a new one retires the old one as
``replaced``; deleting, expiring or paying retires it too. Retiring an order cancels the merchant
orders it produced that are not paid, so they read ``expired``. A waiting Orders API order ends
``canceled`` (replaced or deleted) or ``expired`` and notifies on topic ``order``.

This module sits below both ``orders.py`` (legacy / v2 / dynamic / hybrid) and ``orders_api.py``
(``/v1/orders``): each of them places orders through it, and neither imports the other.
"""

from __future__ import annotations

from mpqr.sandbox.lifecycle import (
    API_ORDER_TRANSITIONS,
    LIVE_TRANSITIONS,
    ApiOrderStatus,
    LiveState,
    MOStatus,
    OrderKind,
    check_transition,
)
from mpqr.sandbox.models import ApiOrder, InstoreOrder, LegacyOrder, Pos
from mpqr.sandbox.state import SandboxState

__all__ = [
    "LiveOrder",
    "end_api_order",
    "live_order",
    "live_order_by_id",
    "move_api_order",
    "off_pos",
    "place_on_pos",
    "publish_api_order",
    "retire",
    "retire_pos_order",
]

LiveOrder = LegacyOrder | InstoreOrder


def live_order(state: SandboxState, pos: Pos) -> LiveOrder | None:
    """The legacy / v2 / hybrid order the POS's static QR shows now, if any."""
    if pos.live_id is None or pos.live_kind is None or pos.live_kind is OrderKind.ORDERS:
        return None
    return live_order_by_id(state, pos.live_kind, pos.live_id)


def live_order_by_id(state: SandboxState, kind: OrderKind, order_id: str) -> LiveOrder | None:
    if kind is OrderKind.LEGACY:
        return state.data.legacy_orders.get(order_id)
    return state.data.instore_orders.get(order_id)


def place_on_pos(state: SandboxState, pos: Pos, kind: OrderKind, order_id: str) -> None:
    """Make ``order_id`` the POS's live order, retiring the previous one as ``replaced``."""
    retire_pos_order(state, pos, LiveState.REPLACED)
    pos.live_kind, pos.live_id = kind, order_id
    pos.last_scanned_mo_id = None


def retire_pos_order(state: SandboxState, pos: Pos, new_state: LiveState) -> bool:
    """Take the POS's live order off it; ``False`` if there was none."""
    if pos.live_id is None or pos.live_kind is None:
        return False
    kind, order_id = pos.live_kind, pos.live_id
    pos.live_kind = pos.live_id = None
    if kind is OrderKind.ORDERS:
        api_order = state.data.api_orders.get(order_id)
        if api_order is not None and api_order.status is ApiOrderStatus.CREATED:
            expired = new_state is LiveState.EXPIRED
            end_api_order(state, api_order, expired=expired)
        return True
    order = live_order_by_id(state, kind, order_id)
    if order is not None:
        retire(state, order, new_state)
    return True


def retire(state: SandboxState, order: LiveOrder, new_state: LiveState) -> None:
    """Move a live order to ``new_state``; its unpaid merchant orders become cancelled."""
    if order.state is not LiveState.LIVE:
        return
    order.state = check_transition(LIVE_TRANSITIONS, order.state, new_state)
    pos = state.data.pos.get(order.pos_id)
    if pos is not None and pos.live_id == order.id:
        pos.live_kind = pos.live_id = None
    if new_state is LiveState.PAID:
        return  # other scans of a paid legacy order stay opened "indefinitely", as MP documents
    mo_ids = order.mo_ids if isinstance(order, LegacyOrder) else [order.mo_id]
    for mo_id in mo_ids:
        mo = state.data.merchant_orders.get(mo_id)
        if mo is not None and not mo.cancelled and state.mo_view(mo).status is not MOStatus.CLOSED:
            mo.cancelled = True
            state.mo_changed(mo)


# ---- Orders API orders leaving the POS ---------------------------------------------------------


def move_api_order(
    state: SandboxState, order: ApiOrder, status: ApiOrderStatus, detail: str
) -> None:
    order.status = check_transition(API_ORDER_TRANSITIONS, order.status, status)
    order.status_detail = detail
    order.last_updated = state.now()


def publish_api_order(state: SandboxState, order: ApiOrder, action: str) -> None:
    state.publish(
        seller_id=order.seller_id,
        url=order.notification_url,
        topic="order",
        resource_id=order.id,
        action=action,
        status=order.status.value,
    )


def off_pos(state: SandboxState, order: ApiOrder) -> None:
    """Take an Orders API order off its POS; its merchant order is cancelled if unpaid."""
    pos = state.data.pos.get(order.pos_id)
    if pos is not None and pos.live_id == order.id:
        pos.live_kind = pos.live_id = None
    mo = state.data.merchant_orders.get(order.mo_id)
    if mo is not None and not mo.cancelled and not mo.payment_ids:
        mo.cancelled = True
        state.mo_changed(mo)


def end_api_order(state: SandboxState, order: ApiOrder, *, expired: bool) -> None:
    """A waiting Orders API order ends: ``expired`` on time, else ``canceled``."""
    if expired:
        move_api_order(state, order, ApiOrderStatus.EXPIRED, "expired")
    else:
        move_api_order(state, order, ApiOrderStatus.CANCELED, "canceled")
    off_pos(state, order)
    publish_api_order(state, order, "order.expired" if expired else "order.canceled")
