"""Placing orders on a POS, replacing, deleting and expiring them (legacy, v2, dynamic, hybrid).

One POS holds at most one live order (mp-api §15.1): placing a new one retires the old one as
``replaced``. Retiring an order cancels the merchant orders it produced that are not paid, so they
read
``expired`` (mp-api §9.1). Expiry runs on the virtual clock: :func:`expire_due` is called lazily
before every
request and after every clock advance.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from mpqr.qr.emvco import dynamic_qr_payload
from mpqr.sandbox.lifecycle import (
    LIVE_TRANSITIONS,
    ApiOrderStatus,
    LiveState,
    MOStatus,
    OrderKind,
    check_transition,
)
from mpqr.sandbox.models import InstoreOrder, Item, LegacyOrder, MerchantOrder, Pos, Seller
from mpqr.sandbox.state import SandboxState

__all__ = [
    "LiveOrder",
    "create_instore",
    "create_legacy",
    "expire_due",
    "live_order",
    "new_merchant_order",
    "place_on_pos",
    "qr_payload_for_order",
    "retire",
    "retire_pos_order",
]

LiveOrder = LegacyOrder | InstoreOrder


def live_order(state: SandboxState, pos: Pos) -> LiveOrder | None:
    """The legacy / v2 / hybrid order the POS's static QR shows now, if any (after lazy expiry)."""
    if pos.live_id is None:
        return None
    match pos.live_kind:
        case OrderKind.LEGACY:
            return state.data.legacy_orders.get(pos.live_id)
        case OrderKind.V2 | OrderKind.HYBRID | OrderKind.DYNAMIC:
            return state.data.instore_orders.get(pos.live_id)
        case OrderKind.ORDERS | None:
            return None


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
        from mpqr.sandbox.orders_api import retire_api_order

        retire_api_order(state, order_id, new_state)
        return True
    order = live_order_by_id(state, kind, order_id)
    if order is not None:
        retire(state, order, new_state)
    return True


def live_order_by_id(state: SandboxState, kind: OrderKind, order_id: str) -> LiveOrder | None:
    if kind is OrderKind.LEGACY:
        return state.data.legacy_orders.get(order_id)
    return state.data.instore_orders.get(order_id)


def retire(state: SandboxState, order: LiveOrder, new_state: LiveState) -> None:
    """Move a live order to ``new_state``; its unpaid merchant orders become cancelled
    (``expired``).
    """
    if order.state is not LiveState.LIVE:
        return
    order.state = check_transition(LIVE_TRANSITIONS, order.state, new_state)
    pos = state.data.pos.get(order.pos_id)
    if pos is not None and pos.live_id == order.id:
        pos.live_kind = pos.live_id = None
    if new_state is LiveState.PAID:
        return  # other scans of a paid legacy order stay opened "indefinitely" (mp-api §3.8)
    mo_ids = order.mo_ids if isinstance(order, LegacyOrder) else [order.mo_id]
    for mo_id in mo_ids:
        mo = state.data.merchant_orders.get(mo_id)
        if mo is not None and not mo.cancelled and state.mo_view(mo).status is not MOStatus.CLOSED:
            mo.cancelled = True
            state.mo_changed(mo)


def new_merchant_order(
    state: SandboxState,
    *,
    seller: Seller,
    kind: OrderKind,
    source_id: str,
    items: list[Item],
    total: Decimal,
    pos: Pos | None,
    external_reference: str | None,
    notification_url: str | None,
    sponsor_id: int | None = None,
    preference_id: str | None = None,
) -> MerchantOrder:
    """A new ``opened`` merchant order, notified with action ``create`` and version 0."""
    now = state.now()
    mo = MerchantOrder(
        id=state.new_number(state.data.merchant_orders, 11),
        seller_id=seller.id,
        source_kind=kind,
        source_id=source_id,
        preference_id=preference_id,
        external_reference=external_reference,
        notification_url=notification_url,
        sponsor_id=sponsor_id,
        items=items,
        total_amount=total,
        pos_id=pos.id if pos else None,
        store_id=pos.store_id if pos else None,
        date_created=now,
        last_updated=now,
    )
    state.data.merchant_orders[mo.id] = mo
    state.mo_changed(mo, created=True)
    return mo


def create_legacy(
    state: SandboxState,
    seller: Seller,
    pos: Pos,
    *,
    items: list[Item],
    body: dict[str, Any],
    notification_url: str | None,
    ttl_seconds: int | None,
) -> LegacyOrder:
    """A legacy order on ``pos`` (replacing its live order); its merchant orders appear at each
    scan.
    """
    now = state.now()
    ttl = ttl_seconds if ttl_seconds is not None else state.options.legacy_ttl_seconds
    order = LegacyOrder(
        id=f"{seller.id}-{state.ids.uuid4()}",
        seller_id=seller.id,
        pos_id=pos.id,
        items=items,
        total_amount=sum((i.unit_price * i.quantity for i in items), Decimal(0)),
        external_reference=_opt_str(body.get("external_reference")),
        notification_url=notification_url,
        sponsor_id=_opt_int(body.get("sponsor_id")),
        created_at=now,
        expires_at=now + timedelta(seconds=ttl),
    )
    place_on_pos(state, pos, OrderKind.LEGACY, order.id)
    state.data.legacy_orders[order.id] = order
    state.note_expiry(order.expires_at)
    return order


def create_instore(
    state: SandboxState,
    seller: Seller,
    pos: Pos,
    *,
    kind: OrderKind,
    body: dict[str, Any],
    items: list[Item],
    total: Decimal,
    expires_at: datetime | None,
) -> InstoreOrder:
    """A v2 / dynamic / hybrid order. Its merchant order is created now (mp-api §4.5)."""
    order_id = state.new_key(state.data.instore_orders, state.ids.uuid4)
    url = _opt_str(body.get("notification_url"))
    mo = new_merchant_order(
        state,
        seller=seller,
        kind=kind,
        source_id=order_id,
        items=items,
        total=total,
        pos=pos,
        external_reference=_opt_str(body.get("external_reference")),
        notification_url=url,
        sponsor_id=_opt_int((body.get("sponsor") or {}).get("id")),
    )
    order = InstoreOrder(
        id=order_id,
        kind=kind,
        seller_id=seller.id,
        pos_id=pos.id,
        body=body,
        total_amount=total,
        notification_url=url,
        created_at=state.now(),
        expires_at=expires_at,
        mo_id=mo.id,
    )
    if kind is not OrderKind.V2:
        order.qr_data = qr_payload_for_order(state, seller, order_id)
    if kind is not OrderKind.DYNAMIC:
        place_on_pos(state, pos, kind, order.id)
    state.data.instore_orders[order.id] = order
    state.note_expiry(expires_at)
    return order


def qr_payload_for_order(state: SandboxState, seller: Seller, order_uuid: str) -> str:
    """The dynamic EMVCo ``qr_data`` naming one order (its uuid in the MercadoLibre template)."""
    return dynamic_qr_payload(
        site_id=seller.site_id,
        order_uuid=order_uuid.replace("_", "-")[:64],
        merchant_name=seller.business_name or seller.nickname,
        city="CIUDAD",
    )


def expire_due(state: SandboxState) -> int:
    """Expire every live order whose time has come; returns how many expired.

    Cheap when nothing is due: :attr:`SandboxState.next_expiry` bounds the next expiry.
    """
    now = state.now()
    if state.next_expiry is not None and now < state.next_expiry:
        return 0
    with state.lock:
        count = 0
        for order in _live_with_expiry(state):
            if order.expires_at is not None and order.expires_at <= now:
                retire(state, order, LiveState.EXPIRED)
                count += 1
        count += _expire_api_orders(state, now)
        state.next_expiry = _earliest_expiry(state)
    return count


def _live_with_expiry(state: SandboxState) -> list[LiveOrder]:
    orders: list[LiveOrder] = [*state.data.legacy_orders.values()]
    orders.extend(state.data.instore_orders.values())
    return [o for o in orders if o.state is LiveState.LIVE and o.expires_at is not None]


def _earliest_expiry(state: SandboxState) -> datetime:
    waiting = [o.expires_at for o in _live_with_expiry(state) if o.expires_at is not None]
    waiting += [
        o.expires_at
        for o in state.data.api_orders.values()
        if o.status is ApiOrderStatus.CREATED and o.expires_at is not None
    ]
    return min(waiting, default=datetime.max.replace(tzinfo=UTC))


def _expire_api_orders(state: SandboxState, now: datetime) -> int:
    from mpqr.sandbox.orders_api import expire_api_order

    due = [
        o
        for o in state.data.api_orders.values()
        if o.status is ApiOrderStatus.CREATED and o.expires_at is not None and o.expires_at <= now
    ]
    for order in due:
        expire_api_order(state, order)
    return len(due)


def _opt_str(value: object) -> str | None:
    return None if value is None else str(value)


def _opt_int(value: object) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return int(str(value))
    except ValueError:
        return None
