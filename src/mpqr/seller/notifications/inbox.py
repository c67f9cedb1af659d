"""Every SQL statement about the notification inbox."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from mpqr.notifications import Notification
from mpqr.seller.db.dialect import insert as _insert
from mpqr.seller.db.tables import notifications

__all__ = ["InboxState", "Stored", "claim", "mark_failed", "mark_processed", "retry_later", "store"]


class InboxState:
    RECEIVED = "received"
    PROCESSED = "processed"
    FAILED = "failed"


class Stored(StrEnum):
    NEW = "new"
    REARMED = "rearmed"  # seen and handled before: fetch again, the resource may have changed
    DUPLICATE = "duplicate"  # still queued: the coming fetch will see the newest state anyway


async def store(
    conn: AsyncConnection,
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
    if await _open_rows(conn, n.resource_id[:100]) >= max_open_per_resource:
        return Stored.DUPLICATE
    stmt = _insert(conn, notifications).values(
        dedupe_key=n.dedupe_key[:300],
        received_at=now,
        query=n.raw_query,
        headers=dict(headers),
        body=n.raw_body,
        topic=n.raw_topic[:40],
        resource_id=n.resource_id[:100],
        state=InboxState.RECEIVED,
        attempts=0,
        deliveries=1,
        next_attempt_at=now,
    )
    result = await conn.execute(stmt.on_conflict_do_nothing(index_elements=["dedupe_key"]))
    if result.rowcount == 1:
        return Stored.NEW
    t = notifications
    key = n.dedupe_key[:300]
    await conn.execute(
        t.update().where(t.c.dedupe_key == key).values(deliveries=t.c.deliveries + 1)
    )
    rearm = await conn.execute(
        t.update()
        .where(t.c.dedupe_key == key, t.c.state != InboxState.RECEIVED)
        .values(state=InboxState.RECEIVED, attempts=0, next_attempt_at=now, lease_until=None)
    )
    return Stored.REARMED if rearm.rowcount == 1 else Stored.DUPLICATE


async def _open_rows(conn: AsyncConnection, resource_id: str) -> int:
    t = notifications
    query = sa.select(sa.func.count()).where(
        t.c.resource_id == resource_id, t.c.state == InboxState.RECEIVED
    )
    return int((await conn.execute(query)).scalar_one())


async def claim(
    conn: AsyncConnection, now: datetime, lease_until: datetime, limit: int
) -> list[sa.Row[Any]]:
    """Lease due rows; ``SKIP LOCKED`` keeps two instances from taking the same row."""
    t = notifications
    query = (
        sa.select(t)
        .where(
            t.c.state == InboxState.RECEIVED,
            t.c.next_attempt_at <= now,
            sa.or_(t.c.lease_until.is_(None), t.c.lease_until < now),
        )
        .order_by(t.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    rows = list((await conn.execute(query)).all())
    if rows:
        ids = [r.id for r in rows]
        await conn.execute(t.update().where(t.c.id.in_(ids)).values(lease_until=lease_until))
    return rows


async def mark_processed(
    conn: AsyncConnection, row_id: int, deliveries: int, now: datetime
) -> bool:
    """Mark handled, unless another delivery of the same key came in meanwhile (then False, and
    the row is due again)."""
    t = notifications
    done = await conn.execute(
        t.update()
        .where(t.c.id == row_id, t.c.deliveries == deliveries)
        .values(state=InboxState.PROCESSED, processed_at=now, lease_until=None, last_error=None)
    )
    if done.rowcount == 1:
        return True
    await conn.execute(
        t.update().where(t.c.id == row_id).values(lease_until=None, next_attempt_at=now)
    )
    return False


async def retry_later(
    conn: AsyncConnection, row_id: int, attempts: int, at: datetime, error: str
) -> None:
    t = notifications
    await conn.execute(
        t.update()
        .where(t.c.id == row_id)
        .values(attempts=attempts, next_attempt_at=at, lease_until=None, last_error=error[:2000])
    )


async def mark_failed(conn: AsyncConnection, row_id: int, attempts: int, error: str) -> None:
    t = notifications
    await conn.execute(
        t.update()
        .where(t.c.id == row_id)
        .values(
            state=InboxState.FAILED, attempts=attempts, lease_until=None, last_error=error[:2000]
        )
    )


async def counts(conn: AsyncConnection) -> dict[str, int]:
    t = notifications
    rows = (await conn.execute(sa.select(t.c.state, sa.func.count()).group_by(t.c.state))).all()
    return {str(r[0]): int(r[1]) for r in rows}
