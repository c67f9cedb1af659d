"""Live sale changes for SSE clients on every instance.

:class:`LocalBroadcaster` fans a sale id out to this process's subscribers (SQLite, one instance).
:class:`PostgresBroadcaster` publishes with ``NOTIFY mpqr_sales`` and LISTENs on its own asyncpg
connection, so a change committed by any instance reaches the subscribers of all of them.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Protocol

import sqlalchemy as sa

from mpqr.seller.db import Database
from mpqr.seller.db.engine import plain_postgres_dsn

__all__ = ["Broadcaster", "LocalBroadcaster", "PostgresBroadcaster", "make_broadcaster"]

CHANNEL = "mpqr_sales"


class Broadcaster(Protocol):
    delivered: int  # changes this process handed to its subscribers so far

    async def start(self) -> None: ...
    async def stop(self) -> None: ...
    async def publish(self, sale_id: str) -> None: ...
    def subscribe(self) -> Any: ...  # async context manager yielding asyncio.Queue[str]


class LocalBroadcaster:
    """In-process fan-out; each subscriber gets its own queue of changed sale ids."""

    def __init__(self) -> None:
        self._queues: set[asyncio.Queue[str]] = set()
        self.delivered = 0  # changes handed to subscribers so far (of any sale)

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def publish(self, sale_id: str) -> None:
        self.deliver(sale_id)

    def deliver(self, sale_id: str) -> None:
        self.delivered += 1
        for queue in list(self._queues):
            queue.put_nowait(sale_id)

    @asynccontextmanager
    async def subscribe(self) -> AsyncIterator[asyncio.Queue[str]]:
        queue: asyncio.Queue[str] = asyncio.Queue()
        self._queues.add(queue)
        try:
            yield queue
        finally:
            self._queues.discard(queue)


class PostgresBroadcaster(LocalBroadcaster):
    """LISTEN/NOTIFY across instances sharing one PostgreSQL database."""

    def __init__(self, db: Database) -> None:
        super().__init__()
        self._db = db
        self._conn: Any = None

    async def start(self) -> None:
        import asyncpg

        self._conn = await asyncpg.connect(plain_postgres_dsn(self._db.url))
        await self._conn.add_listener(CHANNEL, self._on_notify)

    async def stop(self) -> None:
        if self._conn is not None:
            await self._conn.close()
            self._conn = None

    def _on_notify(self, _conn: Any, _pid: int, _channel: str, payload: str) -> None:
        self.deliver(payload)

    async def publish(self, sale_id: str) -> None:
        async with self._db.transaction() as conn:
            await conn.execute(sa.select(sa.func.pg_notify(CHANNEL, sale_id)))


def make_broadcaster(db: Database) -> LocalBroadcaster:
    return LocalBroadcaster() if db.is_sqlite else PostgresBroadcaster(db)
