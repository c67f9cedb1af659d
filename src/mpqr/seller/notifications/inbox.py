"""Every SQL statement about the notification inbox."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any, NamedTuple

import sqlalchemy as sa

from mpqr.notifications import Notification
from mpqr.seller.db.engine import Conn
from mpqr.seller.db.tables import notifications

__all__ = [
    "Failed",
    "InboxState",
    "Stored",
    "claim",
    "mark_processed",
    "record_failures",
    "store",
]


class InboxState:
    RECEIVED = "received"
    PROCESSED = "processed"
    FAILED = "failed"


class Stored(StrEnum):
    NEW = "new"
    REARMED = "rearmed"  # seen and handled before: fetch again, the resource may have changed
    DUPLICATE = "duplicate"  # still queued: the coming fetch will see the newest state anyway


async def store(
    conn: Conn,
    n: Notification,
    headers: Mapping[str, str],
    now: datetime,
    max_open_per_resource: int = 5,
) -> Stored:
    """Insert the raw request under its dedupe key (on conflict: count the delivery).

    An IPN delivery (``?topic=merchant_order&id=...``) has the same key each time the merchant
    order changes, so a key that was already processed is re-armed, not dropped: re-fetching is
    harmless (an unchanged resource changes nothing) and losing an update is not. At most
    ``max_open_per_resource`` unresolved rows are kept per resource id: one fetch shows the
    resource's newest state however many forms announced it, and a flood of variants of one
    forged id cannot grow the inbox.
    """
    from mpqr.seller.notifications.writer import Pending, store_many  # writer imports this

    (stored,) = await store_many(conn, [Pending(n, headers, now)], max_open_per_resource)
    return stored


async def claim(conn: Conn, now: datetime, lease_until: datetime, limit: int) -> list[sa.Row[Any]]:
    """Lease due rows; ``SKIP LOCKED`` keeps two instances from taking the same row."""
    rows = list((await conn.execute(_DUE, {"now": now, "limit": limit})).all())
    if rows:
        await conn.execute(_LEASE, {"ids": [r.id for r in rows], "lease_until": lease_until})
    return rows


_t = notifications
# built once (the processor runs these all day): each run binds its values
_DUE = (
    sa.select(_t)
    .where(
        _t.c.state == InboxState.RECEIVED,
        _t.c.next_attempt_at <= sa.bindparam("now"),
        sa.or_(_t.c.lease_until.is_(None), _t.c.lease_until < sa.bindparam("now")),
    )
    .order_by(_t.c.id)
    .limit(sa.bindparam("limit"))
    .with_for_update(skip_locked=True)
)
_LEASE = _t.update().where(_t.c.id.in_(sa.bindparam("ids", expanding=True)))
_MARK_PROCESSED = (
    _t.update()
    .where(_t.c.id == sa.bindparam("row_id"), _t.c.deliveries == sa.bindparam("seen"))
    .values(state=InboxState.PROCESSED, lease_until=None, last_error=None)
)  # built once: each run binds the row, its deliveries and processed_at


async def mark_processed(conn: Conn, row_id: int, deliveries: int, now: datetime) -> bool:
    """Mark handled, unless another delivery of the same key came in meanwhile (then False, and
    the row is due again)."""
    t = notifications
    params = {"row_id": row_id, "seen": deliveries, "processed_at": now}
    done = await conn.execute(_MARK_PROCESSED, params)
    if done.rowcount == 1:
        return True
    await conn.execute(
        t.update().where(t.c.id == row_id).values(lease_until=None, next_attempt_at=now)
    )
    return False


class Failed(NamedTuple):
    """A row whose fetch failed: its attempts so far, when it is due again, the error, and
    whether it is given up (``failed`` for good) instead."""

    row_id: int
    attempts: int
    at: datetime
    error: str
    given_up: bool


async def record_failures(conn: Conn, rows: Sequence[Failed]) -> None:
    """Each row due again at its ``at``, or ``failed`` for good (one statement for all)."""
    params = [
        {
            "row_id": r.row_id,
            "state": InboxState.FAILED if r.given_up else InboxState.RECEIVED,
            "attempts": r.attempts,
            "at": r.at,
            "error": r.error[:2000],
        }
        for r in rows
    ]
    if params:
        await conn.execute(_RECORD_FAILURE, params)


_RECORD_FAILURE = (
    _t.update()
    .where(_t.c.id == sa.bindparam("row_id"))
    .values(
        state=sa.bindparam("state"),
        attempts=sa.bindparam("attempts"),
        next_attempt_at=sa.bindparam("at"),
        lease_until=None,
        last_error=sa.bindparam("error"),
    )
)


async def counts(conn: Conn) -> dict[str, int]:
    t = notifications
    rows = (await conn.execute(sa.select(t.c.state, sa.func.count()).group_by(t.c.state))).all()
    return {str(r[0]): int(r[1]) for r in rows}
