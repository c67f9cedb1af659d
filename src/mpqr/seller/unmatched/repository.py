"""Every SQL statement about unmatched payments. Functions take an open connection."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from mpqr.seller.db.engine import Conn
from mpqr.seller.db.tables import cashboxes, sale_payments, unmatched_payments
from mpqr.seller.sales.rules import ZERO, Evidence, PaymentFact

__all__ = [
    "get",
    "known_ids",
    "list_recent",
    "record",
    "reference_has_payments",
    "set_refunded",
]

Row = sa.Row[Any]


async def record(
    conn: Conn, evidence: Evidence, source: str, now: datetime, currency: str
) -> list[str]:
    """Keep every payment of ``evidence`` (whose reference owns no sale); the ids seen for the
    first time are returned. A payment seen again gets its newest status and refund.
    ``currency`` is the seller's, for payments that do not say theirs."""
    fresh = []
    for p in evidence.payments:
        if await _upsert(conn, p, evidence.external_reference, source, now, currency):
            fresh.append(p.id)
    return fresh


async def _upsert(
    conn: Conn,
    p: PaymentFact,
    reference: str | None,
    source: str,
    now: datetime,
    currency: str,
) -> bool:
    t = unmatched_payments
    found = (await conn.execute(sa.select(t.c.payment_id).where(t.c.payment_id == p.id))).first()
    values: dict[str, Any] = {
        "status": p.status.value,
        "status_detail": p.status_detail,
        "amount": p.amount,
        "refunded_amount": p.refunded,
        "updated_at": now,
    }
    if found is not None:
        await conn.execute(t.update().where(t.c.payment_id == p.id).values(**values))
        return False
    await conn.execute(
        t.insert().values(
            payment_id=p.id,
            merchant_order_id=p.merchant_order_id,
            external_reference=reference or p.external_reference,
            currency_id=p.currency_id or currency,
            cashbox=await _cashbox_of(conn, p.pos_id),
            source=source,
            seen_at=now,
            **values,
        )
    )
    return True


async def _cashbox_of(conn: Conn, pos_id: str | None) -> str | None:
    if pos_id is None:
        return None
    query = sa.select(cashboxes.c.external_id).where(cashboxes.c.mp_pos_id == pos_id)
    row = (await conn.execute(query)).first()
    return None if row is None else str(row.external_id)


async def list_recent(conn: Conn, limit: int = 500) -> Sequence[Row]:
    t = unmatched_payments
    query = sa.select(t).order_by(t.c.seen_at.desc(), t.c.payment_id).limit(limit)
    return (await conn.execute(query)).all()


async def get(conn: Conn, payment_id: str, *, for_update: bool = False) -> Row | None:
    query = sa.select(unmatched_payments).where(unmatched_payments.c.payment_id == payment_id)
    if for_update:
        query = query.with_for_update()
    return (await conn.execute(query)).first()


async def set_refunded(conn: Conn, payment_id: str, refunded: Decimal, now: datetime) -> None:
    t = unmatched_payments
    row = await get(conn, payment_id)
    if row is None:
        return
    total = max(row.refunded_amount or ZERO, refunded)
    status = "refunded" if total >= row.amount else row.status
    await conn.execute(
        t.update()
        .where(t.c.payment_id == payment_id)
        .values(refunded_amount=total, status=status, updated_at=now)
    )


async def known_ids(conn: Conn, ids: Sequence[str]) -> set[str]:
    """Which of these payment ids a sale or the unmatched list already holds."""
    if not ids:
        return set()
    sold = sa.select(sale_payments.c.payment_id).where(sale_payments.c.payment_id.in_(ids))
    kept = sa.select(unmatched_payments.c.payment_id).where(
        unmatched_payments.c.payment_id.in_(ids)
    )
    rows = (await conn.execute(sold.union(kept))).all()
    return {str(r[0]) for r in rows}


async def reference_has_payments(conn: Conn, reference: str) -> bool:
    t = unmatched_payments
    query = sa.select(t.c.payment_id).where(t.c.external_reference == reference).limit(1)
    return (await conn.execute(query)).first() is not None
