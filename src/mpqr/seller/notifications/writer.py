"""Group commit for the notification inbox: many deliveries stored in one transaction.

``POST /notifications`` hands its parsed notification to :class:`InboxWriter` and waits; the
writer takes everything queued so far, stores it with a handful of statements in **one**
transaction (:func:`store_batch`, straight to the database driver, see
:meth:`Database.driver_unit`), commits, and only then answers each waiter. So a 200 still means
"the row is committed" (durable ack), but a burst of deliveries costs one unit of work, not one
each. If the transaction fails, every waiter of that batch gets the error (a 500: Mercado Pago
sends again).

:func:`store_many` gives each notification exactly what :func:`.inbox.store` would have given
it, had the batch been stored one by one in order.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from mpqr.notifications import Notification
from mpqr.seller.db import Database
from mpqr.seller.db.engine import Conn
from mpqr.seller.notifications.inbox import InboxState, Stored
from mpqr.seller.notifications.writer_driver import for_driver
from mpqr.seller.notifications.writer_sql import CoreStatements, Statements

__all__ = ["InboxWriter", "Pending", "store_batch", "store_many", "store_many_sync"]

MAX_BATCH = 200


@dataclass(slots=True)
class Pending:
    """One delivery waiting to be stored."""

    n: Notification
    headers: Mapping[str, str]
    now: datetime
    done: asyncio.Future[Stored] = field(default_factory=lambda: _future())

    @property
    def key(self) -> str:
        return self.n.dedupe_key[:300]

    @property
    def resource(self) -> str:
        return self.n.resource_id[:100]


def _future() -> asyncio.Future[Stored]:
    return asyncio.get_running_loop().create_future()


class InboxWriter:
    """Stores notifications in batches; :meth:`store` returns once its row is committed."""

    def __init__(self, db: Database, max_open_per_resource: int) -> None:
        self.db = db
        self.max_open = max_open_per_resource
        self._queue: list[Pending] = []
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._task: asyncio.Task[None] | None = None

    async def store(self, n: Notification, headers: Mapping[str, str], now: datetime) -> Stored:
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run())
        pending = Pending(n, headers, now)
        self._queue.append(pending)
        self._idle.clear()
        self._wake.set()
        return await asyncio.shield(pending.done)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        for pending in self._queue:  # never stored: the sender gets no 200 and sends again
            if not pending.done.done():
                pending.done.set_exception(ConnectionAbortedError("server stopping"))
        self._queue.clear()
        self._idle.set()

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._queue:
                batch, self._queue = self._queue[:MAX_BATCH], self._queue[MAX_BATCH:]
                await self._commit(batch)
            self._idle.set()

    async def wait_idle(self) -> None:
        """Return when nothing is waiting to be stored (the processor gives way to acks)."""
        await self._idle.wait()

    async def _commit(self, batch: list[Pending]) -> None:
        try:
            results = await self.db.driver_unit(
                store_batch, self.db.engine.dialect, batch, self.max_open
            )
        except Exception as exc:  # every waiter of the batch answers 500
            for pending in batch:
                if not pending.done.done():
                    pending.done.set_exception(exc)
            return
        for pending, result in zip(batch, results, strict=True):
            if not pending.done.done():
                pending.done.set_result(result)


async def store_many(
    conn: Conn, batch: Sequence[Pending], max_open_per_resource: int
) -> list[Stored]:
    """:func:`store_many_sync` inside an async unit of work."""
    return await conn.run_sync(store_many_sync, batch, max_open_per_resource)


def store_many_sync(
    conn: sa.Connection, batch: Sequence[Pending], max_open_per_resource: int
) -> list[Stored]:
    """:func:`store_with` SQLAlchemy Core, in any unit of work."""
    return store_with(CoreStatements(conn), batch, max_open_per_resource)


def store_batch(
    driver: Any, dialect: sa.Dialect, batch: Sequence[Pending], max_open_per_resource: int
) -> list[Stored]:
    """:func:`store_with` straight through ``driver`` (a :meth:`Database.driver_unit`)."""
    return store_with(for_driver(driver, dialect), batch, max_open_per_resource)


def store_with(
    sql: Statements, batch: Sequence[Pending], max_open_per_resource: int
) -> list[Stored]:
    """Store ``batch`` in order, as :func:`.inbox.store` one by one would, in a few
    statements."""
    state, open_rows = sql.known(list({p.key for p in batch}), list({p.resource for p in batch}))
    results: list[Stored] = []
    new: dict[str, Pending] = {}
    more: Counter[str] = Counter()  # deliveries to add per existing key
    rearm: set[str] = set()
    for p in batch:
        if open_rows[p.resource] >= max_open_per_resource:
            results.append(Stored.DUPLICATE)
            continue
        if p.key not in state:
            state[p.key] = InboxState.RECEIVED
            open_rows[p.resource] += 1
            new[p.key] = p
            results.append(Stored.NEW)
            continue
        more[p.key] += 1
        if state[p.key] != InboxState.RECEIVED:
            state[p.key] = InboxState.RECEIVED
            open_rows[p.resource] += 1
            rearm.add(p.key)
            results.append(Stored.REARMED)
        else:
            results.append(Stored.DUPLICATE)
    if new:
        inserted = sql.insert(list(new.values()))
        for i, p in enumerate(batch):  # another instance stored it meanwhile: count a delivery
            if results[i] is Stored.NEW and new.get(p.key) is p and p.key not in inserted:
                results[i] = sql.stored_elsewhere(p)
    if more:
        sql.add_deliveries(more)
    if rearm:
        sql.rearm(rearm, batch[-1].now)
    return results
