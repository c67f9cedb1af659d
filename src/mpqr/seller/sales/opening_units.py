"""The units of work a sale's creation and its recovery run, and the order they put on a cashbox
(see :mod:`mpqr.seller.sales.opening`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from mpqr.seller.cashboxes import repository as cash_repo
from mpqr.seller.db.engine import Conn
from mpqr.seller.errors import Conflict, Reason
from mpqr.seller.gateway import ItemLine, OrderRequest
from mpqr.seller.sales import repository as repo
from mpqr.seller.sales.apply import apply_evidence
from mpqr.seller.sales.rules import EventSource, Evidence, SaleStatus
from mpqr.seller.sales.schemas import SaleOut
from mpqr.seller.sales.views import view_of
from mpqr.seller.unmatched import repository as unmatched

__all__ = [
    "check_free",
    "open_sale",
    "order_request",
    "sale_items_box",
]


async def sale_items_box(conn: Conn, sale_id: str) -> tuple[Any, Sequence[Any], Any]:
    """The sale, its lines and its cashbox (None, (), None: no such sale)."""
    row = await repo.get_sale(conn, sale_id=sale_id)
    if row is None:
        return None, (), None
    items = await repo.items(conn, sale_id)
    return row, items, await cash_repo.get_cashbox(conn, row.cashbox)


async def open_sale(
    conn: Conn,
    sale_id: str,
    reference: str,
    mp_order_id: str | None,
    now: datetime,
    first_check: datetime,
) -> SaleOut | None:
    """``opening`` → ``pending`` once the order is on the cashbox, and the sale as it is now
    (None: the sale was ended meanwhile)."""
    moved = await repo.transition(
        conn,
        sale_id,
        SaleStatus.OPENING,
        SaleStatus.PENDING,
        mp_order_id=mp_order_id,
        lease_until=None,
        updated_at=now,
    )
    if not moved:
        return None
    await repo.add_status_event(
        conn,
        sale_id,
        at=now,
        source=EventSource.API.value,
        old=SaleStatus.OPENING,
        new=SaleStatus.PENDING,
        detail={"mp_order_id": mp_order_id},
    )
    await repo.schedule(conn, sale_id, first_check, 0)
    # facts a notification brought while the sale was opening count now
    applied = await apply_evidence(conn, Evidence(reference), EventSource.API, now)
    if applied is None:  # the reference is the sale's own: it cannot be gone in this transaction
        raise RuntimeError(f"sale {sale_id} vanished while it was opened")
    return view_of(applied.state, await repo.items(conn, sale_id))


def order_request(
    sale: dict[str, Any], lines: Sequence[ItemLine], default_url: str
) -> OrderRequest:
    """What goes on the cashbox for the stored sale ``sale`` (its row's values) and its lines."""
    ttl = int((sale["expires_at"] - sale["created_at"]).total_seconds())
    return OrderRequest(
        external_reference=sale["external_reference"],
        items=tuple(lines),
        total_amount=sale["total_amount"],
        expires_at=sale["expires_at"],
        ttl_seconds=ttl,
        notification_url=sale["notification_url"] or default_url,
        idempotency_key=f"sale-{sale['id']}",
    )


async def check_free(conn: Conn, cashbox: str, reference: str) -> None:
    live = await repo.live_for_cashbox(conn, cashbox)
    if live is not None:
        raise Conflict(
            f"cashbox {cashbox!r} already has {live.status} sale {live.id}; "
            "cancel it or send replace: true",
            reason=Reason.CASHBOX_BUSY,
            field="cashbox",
            sale_id=live.id,
        )
    taken = await repo.get_sale(conn, external_reference=reference)
    if taken is not None:
        raise Conflict(
            f"external_reference {reference!r} is already used by sale {taken.id}",
            reason=Reason.REFERENCE_IN_USE,
            field="external_reference",
            sale_id=taken.id,
        )
    if await unmatched.reference_has_payments(conn, reference):
        raise Conflict(
            f"external_reference {reference!r} has unmatched payments at Mercado Pago",
            reason=Reason.REFERENCE_IN_USE,
            field="external_reference",
        )
