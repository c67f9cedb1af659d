"""Placing legacy, v2, dynamic and hybrid orders, and expiring every kind on the virtual clock.

One POS holds at most one live order (``slots.py``): placing a new one retires the old one as
``replaced``. :func:`expire_due` runs lazily before every request and after every clock advance, and
is cheap when nothing is due.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from mpqr.sandbox.lifecycle import ApiOrderStatus, LiveState, OrderKind
from mpqr.sandbox.merchant_orders import new_merchant_order, qr_payload_for_order
from mpqr.sandbox.models import InstoreOrder, Item, JsonObject, LegacyOrder, Pos, Seller
from mpqr.sandbox.slots import LiveOrder, end_api_order, place_on_pos, retire
from mpqr.sandbox.state import SandboxState

__all__ = ["create_instore", "create_legacy", "expire_due"]


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
    """A v2 / dynamic / hybrid order. Its merchant order is created now."""
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
        preference_id=f"{seller.id}-{state.ids.uuid4()}",  # "<collector>-<uuid>", as MP shows
    )
    order = InstoreOrder(
        id=order_id,
        kind=kind,
        seller_id=seller.id,
        pos_id=pos.id,
        body=JsonObject(body),
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
    due = [
        o
        for o in state.data.api_orders.values()
        if o.status is ApiOrderStatus.CREATED and o.expires_at is not None and o.expires_at <= now
    ]
    for order in due:
        end_api_order(state, order, expired=True)
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
