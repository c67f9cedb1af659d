"""Render a stored sale as the API's JSON (for endpoints, SSE and idempotent replays)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mpqr.seller.db.engine import Conn
from mpqr.seller.sales import repository as repo
from mpqr.seller.sales.schemas import EventOut, OperationOut, PaymentOut, SaleOut
from mpqr.seller.sales.state import SaleState, load

__all__ = ["event_view", "sale_view", "view_of"]


async def sale_view(conn: Conn, row: Any) -> SaleOut:
    """The sale of ``row`` as the API shows it (its state and lines read now)."""
    state = await load(conn, row)
    return view_of(state, await repo.items(conn, row.id))


def view_of(state: SaleState, lines: Sequence[Any]) -> SaleOut:
    """The API's view of a sale already loaded (``lines``: its ``sale_items`` rows)."""
    row, pays, orders, running = state.row, state.pays, state.orders, state.running
    return SaleOut(
        id=row.id,
        external_reference=row.external_reference,
        cashbox=row.cashbox,
        status=row.status,
        total_amount=str(row.total_amount),
        currency_id=row.currency_id,
        paid_amount=str(row.paid_amount),
        refunded_amount=str(row.refunded_amount),
        created_at=row.created_at,
        expires_at=row.expires_at,
        payments=[
            PaymentOut(
                id=p.id,
                status=p.status.value,
                status_detail=p.status_detail,
                amount=str(p.amount),
            )
            for p in pays.values()
        ],
        merchant_order_ids=list(orders),
        alerts=list(row.alerts),
        items=[
            {
                "title": i.title,
                "unit_price": str(i.unit_price),
                "quantity": i.quantity,
                "description": i.description,
                "picture_url": i.picture_url,
                "sku": i.sku,
            }
            for i in lines
        ],
        in_progress=[
            OperationOut(
                id=op.id,
                kind=op.kind.value,
                amount=None if op.amount is None else str(op.amount),
                payment_id=op.payment_id,
                since=op.created_at,
            )
            for op in running
        ],
    )


def event_view(row: Any) -> EventOut:
    return EventOut(
        id=row.id,
        at=row.at,
        source=row.source,
        kind=row.kind,
        from_status=row.from_status,
        to_status=row.to_status,
        detail=row.detail,
    )
