"""Every SQL statement about sales. Functions take an open connection; the caller commits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from mpqr.seller.db.dialect import Upsert
from mpqr.seller.db.engine import Conn
from mpqr.seller.db.tables import (
    reconcile_schedule,
    sale_events,
    sale_items,
    sale_merchant_orders,
    sale_payments,
    sales,
)
from mpqr.seller.mpmap import order_state, payment_status
from mpqr.seller.sales.rules import OrderFact, PaymentFact, SaleStatus

__all__ = [
    "add_event",
    "add_status_event",
    "claim_opening",
    "events",
    "facts",
    "get_sale",
    "insert_sale",
    "list_sales",
    "live_for_cashbox",
    "take_lease",
    "transition",
    "update_sale",
]

Row = sa.Row[Any]


async def insert_sale(conn: Conn, values: dict[str, Any], items: Sequence[dict[str, Any]]) -> None:
    await conn.execute(sales.insert().values(**values))
    rows = [{"sale_id": values["id"], "position": i, **item} for i, item in enumerate(items)]
    await conn.execute(sale_items.insert(), rows)


# The hottest reads, built once: a statement object reused skips building and keying it again.
_SALE_BY_ID = sa.select(sales).where(sales.c.id == sa.bindparam("sale_id"))
_SALE_BY_REF = sa.select(sales).where(sales.c.external_reference == sa.bindparam("reference"))
_LOCKED = {
    (False, False): _SALE_BY_ID,
    (False, True): _SALE_BY_ID.with_for_update(),
    (True, False): _SALE_BY_REF,
    (True, True): _SALE_BY_REF.with_for_update(),
}
_ITEMS = (
    sa.select(sale_items)
    .where(sale_items.c.sale_id == sa.bindparam("sale_id"))
    .order_by(sale_items.c.position)
)
_PAYMENTS = (
    sa.select(sale_payments)
    .where(sale_payments.c.sale_id == sa.bindparam("sale_id"))
    .order_by(sale_payments.c.payment_id)
)
_ORDERS = (
    sa.select(sale_merchant_orders)
    .where(sale_merchant_orders.c.sale_id == sa.bindparam("sale_id"))
    .order_by(sale_merchant_orders.c.merchant_order_id)
)


async def get_sale(
    conn: Conn,
    *,
    sale_id: str | None = None,
    external_reference: str | None = None,
    for_update: bool = False,
) -> Row | None:
    if (sale_id is None) != (external_reference is None):
        by_ref = external_reference is not None
        params = {"reference": external_reference} if by_ref else {"sale_id": sale_id}
        return (await conn.execute(_LOCKED[by_ref, for_update], params)).first()
    query = sa.select(sales)
    if sale_id is not None:
        query = query.where(sales.c.id == sale_id)
    if external_reference is not None:
        query = query.where(sales.c.external_reference == external_reference)
    if for_update:
        query = query.with_for_update()
    return (await conn.execute(query)).first()


_LIVE = (SaleStatus.OPENING.value, SaleStatus.PENDING.value)


async def live_for_cashbox(conn: Conn, cashbox: str) -> Row | None:
    """The sale whose order is (or is being put) on ``cashbox``: at most one, by a unique index."""
    query = sa.select(sales).where(sales.c.cashbox == cashbox, sales.c.status.in_(_LIVE))
    return (await conn.execute(query.order_by(sales.c.created_at.desc()))).first()


# Writes built once: the values go as parameters, so each run reuses the compiled statement
# instead of building and keying a new one (the SET list follows the parameters' names).
_UPDATE_SALE = sales.update().where(sales.c.id == sa.bindparam("sale_id_"))
_TRANSITION = sales.update().where(
    sales.c.id == sa.bindparam("sale_id_"), sales.c.status == sa.bindparam("old_status_")
)
_ADD_EVENT = sale_events.insert()


async def transition(
    conn: Conn, sale_id: str, old: SaleStatus, new: SaleStatus, **values: Any
) -> bool:
    """Move the sale from ``old`` to ``new`` only if it still is ``old`` (a compare-and-set)."""
    params = {"sale_id_": sale_id, "old_status_": old.value, "status": new.value, **values}
    return bool((await conn.execute(_TRANSITION, params)).rowcount == 1)


async def take_lease(conn: Conn, sale_id: str, now: datetime, lease_until: datetime) -> bool:
    """Take over one ``opening`` sale if its lease ran out (False: someone still holds it)."""
    stmt = (
        sales.update()
        .where(
            sales.c.id == sale_id,
            sales.c.status == SaleStatus.OPENING.value,
            sa.or_(sales.c.lease_until.is_(None), sales.c.lease_until <= now),
        )
        .values(lease_until=lease_until)
    )
    return bool((await conn.execute(stmt)).rowcount == 1)


async def claim_opening(conn: Conn, now: datetime, lease_until: datetime, limit: int) -> list[str]:
    """Take over ``opening`` sales whose create lease ran out (the create crashed or timed out)."""
    query = (
        sa.select(sales.c.id)
        .where(
            sales.c.status == SaleStatus.OPENING.value,
            sa.or_(sales.c.lease_until.is_(None), sales.c.lease_until <= now),
        )
        .order_by(sales.c.created_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    ids = [r.id for r in (await conn.execute(query)).all()]
    if ids:
        await conn.execute(
            sales.update().where(sales.c.id.in_(ids)).values(lease_until=lease_until)
        )
    return ids


async def list_sales(
    conn: Conn,
    *,
    status: str | None,
    cashbox: str | None,
    limit: int,
    after: tuple[datetime, str] | None,
    external_reference: str | None = None,
) -> Sequence[Row]:
    query = sa.select(sales)
    if status is not None:
        query = query.where(sales.c.status == status)
    if cashbox is not None:
        query = query.where(sales.c.cashbox == cashbox)
    if external_reference is not None:
        query = query.where(sales.c.external_reference == external_reference)
    if after is not None:
        at, sid = after
        query = query.where(
            sa.or_(sales.c.created_at < at, sa.and_(sales.c.created_at == at, sales.c.id < sid))
        )
    query = query.order_by(sales.c.created_at.desc(), sales.c.id.desc()).limit(limit)
    return (await conn.execute(query)).all()


async def update_sale(conn: Conn, sale_id: str, **values: Any) -> None:
    await conn.execute(_UPDATE_SALE, {"sale_id_": sale_id, **values})


async def items(conn: Conn, sale_id: str) -> Sequence[Row]:
    return (await conn.execute(_ITEMS, {"sale_id": sale_id})).all()


async def facts(conn: Conn, sale_id: str) -> tuple[dict[str, PaymentFact], dict[str, OrderFact]]:
    """Every payment and merchant order held for a sale, keyed by id."""
    params = {"sale_id": sale_id}
    pays = {
        r.payment_id: PaymentFact(
            id=r.payment_id,
            status=payment_status(r.status),
            amount=r.amount,
            status_detail=r.status_detail,
            refunded_amount=r.refunded_amount,
            merchant_order_id=r.merchant_order_id,
            approved_at=r.approved_at,
        )
        for r in (await conn.execute(_PAYMENTS, params)).all()
    }
    orders = {
        r.merchant_order_id: OrderFact(
            r.merchant_order_id, r.status, order_state(r.status), r.total_amount
        )
        for r in (await conn.execute(_ORDERS, params)).all()
    }
    return pays, orders


_SAVE_PAYMENT = Upsert(sale_payments, ["sale_id", "payment_id"])
_SAVE_ORDER = Upsert(sale_merchant_orders, ["sale_id", "merchant_order_id"])
_SCHEDULE = Upsert(reconcile_schedule, ["sale_id"])


async def save_payment(conn: Conn, sale_id: str, p: PaymentFact) -> None:
    values = {
        "sale_id": sale_id,
        "payment_id": p.id,
        "status": p.status.value,
        "status_detail": p.status_detail,
        "amount": p.amount,
        "refunded_amount": p.refunded_amount,
        "merchant_order_id": p.merchant_order_id,
        "approved_at": p.approved_at,
    }
    await conn.execute(_SAVE_PAYMENT.on(conn), values)


async def save_order(conn: Conn, sale_id: str, o: OrderFact) -> None:
    values = {
        "sale_id": sale_id,
        "merchant_order_id": o.id,
        "status": o.status,
        "total_amount": o.total_amount,
    }
    await conn.execute(_SAVE_ORDER.on(conn), values)


async def add_event(
    conn: Conn,
    sale_id: str,
    *,
    at: datetime,
    source: str,
    kind: str,
    from_status: str | None = None,
    to_status: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    values = {
        "sale_id": sale_id,
        "at": at,
        "source": source,
        "kind": kind,
        "from_status": from_status,
        "to_status": to_status,
        "detail": detail or {},
    }
    await conn.execute(_ADD_EVENT, values)


async def add_status_event(
    conn: Conn,
    sale_id: str,
    *,
    at: datetime,
    source: str,
    old: SaleStatus,
    new: SaleStatus,
    detail: dict[str, Any] | None = None,
) -> None:
    await add_event(
        conn,
        sale_id,
        at=at,
        source=source,
        kind="status",
        from_status=old.value,
        to_status=new.value,
        detail=detail,
    )


async def events(conn: Conn, sale_id: str) -> Sequence[Row]:
    query = sa.select(sale_events).where(sale_events.c.sale_id == sale_id)
    return (await conn.execute(query.order_by(sale_events.c.id))).all()


async def schedule(conn: Conn, sale_id: str, at: datetime, checks: int) -> None:
    values = {"sale_id": sale_id, "next_check_at": at, "checks": checks, "lease_until": None}
    await conn.execute(_SCHEDULE.on(conn), values)


async def open_sale_ids(conn: Conn, now: datetime) -> list[str]:
    """Sales the reconciler must still watch: pending, or ended without money but recently."""
    ended = [SaleStatus.CANCELLED.value, SaleStatus.EXPIRED.value]
    query = sa.select(sales.c.id).where(
        sa.or_(
            sales.c.status == SaleStatus.PENDING.value,
            sa.and_(
                sales.c.status.in_(ended),
                sales.c.updated_at > now - timedelta(hours=1),
            ),
        )
    )
    return [r.id for r in (await conn.execute(query)).all()]


async def unschedule(conn: Conn, sale_id: str) -> None:
    await conn.execute(reconcile_schedule.delete().where(reconcile_schedule.c.sale_id == sale_id))


async def claim_due(
    conn: Conn, now: datetime, lease_until: datetime, limit: int
) -> list[tuple[str, int]]:
    """Lease up to ``limit`` due sales (``FOR UPDATE SKIP LOCKED`` on PostgreSQL)."""
    rows = (await conn.execute(_DUE, {"now": now, "limit": limit})).all()
    ids = [r.sale_id for r in rows]
    if ids:
        await conn.execute(_LEASE, {"ids": ids, "lease_until": lease_until})
    return [(r.sale_id, r.checks) for r in rows]


async def next_due(conn: Conn) -> datetime | None:
    """When the earliest scheduled check may run (its lease, if any, over)."""
    found = (await conn.execute(_NEXT_DUE)).scalar_one_or_none()
    return found if isinstance(found, datetime) else None


# The reconciler's statements, built once (it runs them all day): each run binds its values.
_rs = reconcile_schedule
_DUE = (
    sa.select(_rs.c.sale_id, _rs.c.checks)
    .where(
        _rs.c.next_check_at <= sa.bindparam("now"),
        sa.or_(_rs.c.lease_until.is_(None), _rs.c.lease_until < sa.bindparam("now")),
    )
    .order_by(_rs.c.next_check_at)
    .limit(sa.bindparam("limit"))
    .with_for_update(skip_locked=True)
)
_LEASE = _rs.update().where(_rs.c.sale_id.in_(sa.bindparam("ids", expanding=True)))
_NEXT_DUE = sa.select(
    sa.func.min(
        sa.case(
            (
                sa.and_(_rs.c.lease_until.is_not(None), _rs.c.lease_until > _rs.c.next_check_at),
                _rs.c.lease_until,
            ),
            else_=_rs.c.next_check_at,
        )
    )
)
