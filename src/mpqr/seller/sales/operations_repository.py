"""Every SQL statement about operations: the stored intent of a cancel or a refund.

An operation is written (state ``open``) and committed before Mercado Pago is called, then marked
``done`` or ``failed`` with the outcome. One left ``open`` by a crash or an unanswered call is
picked up by the recovery job once its lease runs out, and driven again with the same
``mp_key`` (the ``X-Idempotency-Key`` Mercado Pago dedupes on), so it happens exactly once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

import sqlalchemy as sa

from mpqr.seller.db.engine import Conn
from mpqr.seller.db.tables import sale_operations

__all__ = [
    "OpKind",
    "OpState",
    "Operation",
    "claim_due",
    "finish",
    "for_sale",
    "get",
    "insert",
    "open_for_payment",
    "open_for_sale",
    "operation_of",
    "refund_sums",
    "refund_totals",
    "retry_later",
]


class OpKind(StrEnum):
    CANCEL = "cancel"
    REFUND = "refund"
    UNMATCHED_REFUND = "unmatched_refund"


class OpState(StrEnum):
    OPEN = "open"
    DONE = "done"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class Operation:
    id: str
    kind: OpKind
    state: OpState
    sale_id: str | None
    payment_id: str | None
    amount: Decimal | None
    mp_key: str
    attempts: int
    created_at: datetime


def operation_of(row: Any) -> Operation:
    """A ``sale_operations`` row as an :class:`Operation`."""
    return Operation(
        id=row.id,
        kind=OpKind(row.kind),
        state=OpState(row.state),
        sale_id=row.sale_id,
        payment_id=row.payment_id,
        amount=row.amount,
        mp_key=row.mp_key,
        attempts=row.attempts,
        created_at=row.created_at,
    )


async def insert(
    conn: Conn,
    op_id: str,
    kind: OpKind,
    *,
    sale_id: str | None,
    payment_id: str | None,
    amount: Decimal | None,
    now: datetime,
    lease_until: datetime,
) -> Operation:
    values = {
        "id": op_id,
        "kind": kind.value,
        "state": OpState.OPEN.value,
        "sale_id": sale_id,
        "payment_id": payment_id,
        "amount": amount,
        "mp_key": f"mpqr-{kind.value}-{op_id}",
        "attempts": 0,
        "lease_until": lease_until,
        "created_at": now,
        "updated_at": now,
    }
    await conn.execute(sale_operations.insert().values(**values))
    return await get(conn, op_id)


async def get(conn: Conn, op_id: str) -> Operation:
    query = sa.select(sale_operations).where(sale_operations.c.id == op_id)
    return operation_of((await conn.execute(query)).one())


async def open_for_sale(conn: Conn, sale_id: str, kind: OpKind) -> list[Operation]:
    """The sale's open operations of ``kind``, oldest first."""
    rows = await conn.execute(_OPEN_OF_KIND, {"sale_id": sale_id, "kind": kind.value})
    return [operation_of(r) for r in rows.all()]


async def for_sale(conn: Conn, sale_id: str) -> list[Operation]:
    """Every operation of the sale (open or closed), oldest first."""
    return [operation_of(r) for r in (await conn.execute(_OF_SALE, {"sale_id": sale_id})).all()]


# built once (the hottest reads of this table): reusing the statement skips building and keying it
_OF_SALE = (
    sa.select(sale_operations)
    .where(sale_operations.c.sale_id == sa.bindparam("sale_id"))
    .order_by(sale_operations.c.created_at, sale_operations.c.id)
)
_OPEN_OF_KIND = _OF_SALE.where(
    sale_operations.c.state == OpState.OPEN.value,
    sale_operations.c.kind == sa.bindparam("kind"),
)


async def open_for_payment(conn: Conn, payment_id: str) -> list[Operation]:
    t = sale_operations
    query = sa.select(t).where(t.c.payment_id == payment_id, t.c.state == OpState.OPEN.value)
    return [operation_of(r) for r in (await conn.execute(query.order_by(t.c.created_at))).all()]


def refund_sums(operations: Iterable[Operation]) -> tuple[dict[str, Decimal], dict[str, Decimal]]:
    """Per payment: what our refunds among ``operations`` gave back (done) and what they are
    giving back (open)."""
    done: dict[str, Decimal] = {}
    running: dict[str, Decimal] = {}
    for op in operations:
        if op.kind is not OpKind.REFUND or op.state is OpState.FAILED or op.payment_id is None:
            continue
        into = done if op.state is OpState.DONE else running
        into[op.payment_id] = into.get(op.payment_id, Decimal(0)) + (op.amount or Decimal(0))
    return done, running


async def refund_totals(conn: Conn, sale_id: str) -> tuple[dict[str, Decimal], dict[str, Decimal]]:
    """:func:`refund_sums` of the sale's operations."""
    return refund_sums(await for_sale(conn, sale_id))


async def finish(
    conn: Conn, op_id: str, state: OpState, now: datetime, error: str | None = None
) -> bool:
    """Close an open operation; False if it was closed already (by another worker)."""
    t = sale_operations
    done = await conn.execute(
        t.update()
        .where(t.c.id == op_id, t.c.state == OpState.OPEN.value)
        .values(state=state.value, updated_at=now, lease_until=None, error=error)
    )
    return bool(done.rowcount == 1)


async def retry_later(conn: Conn, op_id: str, attempts: int, at: datetime, error: str) -> None:
    t = sale_operations
    await conn.execute(
        t.update()
        .where(t.c.id == op_id)
        .values(attempts=attempts, lease_until=at, error=error[:2000])
    )


async def claim_due(
    conn: Conn, now: datetime, lease_until: datetime, limit: int
) -> list[Operation]:
    """Lease open operations whose lease ran out (their request crashed or gave up)."""
    t = sale_operations
    query = (
        sa.select(t)
        .where(
            t.c.state == OpState.OPEN.value,
            sa.or_(t.c.lease_until.is_(None), t.c.lease_until <= now),
        )
        .order_by(t.c.created_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    rows = (await conn.execute(query)).all()
    if rows:
        ids = [r.id for r in rows]
        await conn.execute(t.update().where(t.c.id.in_(ids)).values(lease_until=lease_until))
    return [operation_of(r) for r in rows]
