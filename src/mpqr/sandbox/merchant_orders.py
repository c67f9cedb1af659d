"""Opening merchant orders, and the dynamic QR that names one order.

Every kind of order (legacy scan, v2, dynamic, hybrid, Orders API) has a merchant order behind it;
:func:`new_merchant_order` opens one (``opened``, notified with action ``create``, version 0).
"""

from __future__ import annotations

from decimal import Decimal

from mpqr.qr.emvco import dynamic_qr_payload
from mpqr.sandbox.lifecycle import OrderKind
from mpqr.sandbox.models import Item, MerchantOrder, Pos, Seller
from mpqr.sandbox.state import SandboxState

__all__ = ["new_merchant_order", "qr_payload_for_order"]


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
    state.mo_refs.add(state.data.merchant_orders, mo.id, mo)
    state.mo_changed(mo, created=True)
    return mo


def qr_payload_for_order(state: SandboxState, seller: Seller, order_uuid: str) -> str:
    """The dynamic EMVCo ``qr_data`` naming one order (its uuid in the MercadoLibre template)."""
    return dynamic_qr_payload(
        site_id=seller.site_id,
        order_uuid=order_uuid.replace("_", "-")[:64],
        merchant_name=seller.business_name or seller.nickname,
        city="CIUDAD",
    )
