"""Group commit of the notification inbox: a batch stored with ``store_many`` ends exactly as the
same deliveries stored one by one, and the writer answers only after the commit."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from seller_env import pg_database

from mpqr.notifications import Notification, parse_notification
from mpqr.seller.db import Database
from mpqr.seller.db.tables import notifications
from mpqr.seller.notifications import inbox, writer_driver, writer_sql
from mpqr.seller.notifications.writer import InboxWriter, Pending, store_batch, store_many

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def _ipn(topic: str, rid: str) -> Notification:
    return parse_notification("POST", f"topic={topic}&id={rid}", {}, b"")


def _webhook(rid: str) -> Notification:
    return parse_notification("POST", f"data.id={rid}&type=payment", {}, b"")


def _mix() -> list[Notification]:
    """New ones, repeats within the batch, a processed one to re-arm, and a flooded resource."""
    flood = [_webhook("9") for _ in range(2)] + [_ipn("payment", "9")]
    return [
        _ipn("merchant_order", "1"),
        _ipn("merchant_order", "1"),
        _ipn("merchant_order", "2"),  # processed before: re-armed
        _ipn("merchant_order", "2"),
        _webhook("3"),
        _ipn("payment", "3"),
        *flood,
        _ipn("merchant_order", "1"),
    ]


async def _prepared(url: str) -> Database:
    db = Database(url)
    await db.migrate()
    async with db.transaction() as conn:
        await inbox.store(conn, _ipn("merchant_order", "2"), {}, NOW)
        await conn.execute(notifications.update().values(state=inbox.InboxState.PROCESSED))
        for n in (
            _ipn("merchant_order", "9"),
            parse_notification(
                "POST", "topic=merchant_order&id=9", {"x-request-id": "a"}, b'{"a":1}'
            ),
        ):
            await inbox.store(conn, n, {}, NOW, max_open_per_resource=2)
    return db


@contextlib.asynccontextmanager
async def _two(database_url: str, tmp_path: Path) -> AsyncIterator[tuple[Database, Database]]:
    """Two databases of the fixture's kind, prepared alike."""
    async with contextlib.AsyncExitStack() as stack:
        if database_url.startswith("sqlite"):
            other = f"sqlite:///{tmp_path}/other.db"
        else:
            other = await stack.enter_async_context(pg_database())
        one, many = await _prepared(database_url), await _prepared(other)
        try:
            yield one, many
        finally:
            await one.dispose()
            await many.dispose()


async def _rows(db: Database) -> list[tuple[object, ...]]:
    t = notifications
    query = sa.select(t.c.dedupe_key, t.c.state, t.c.deliveries, t.c.resource_id).order_by(
        t.c.dedupe_key
    )
    async with db.transaction() as conn:
        return [tuple(r) for r in (await conn.execute(query)).all()]


async def test_a_batch_ends_as_the_same_deliveries_one_by_one(
    database_url: str, tmp_path: Path
) -> None:
    async with _two(database_url, tmp_path) as (one, many):
        async with one.transaction() as conn:
            expected = [await inbox.store(conn, n, {}, NOW, 3) for n in _mix()]
        async with many.transaction() as conn:
            got = await store_many(conn, [Pending(n, {}, NOW) for n in _mix()], 3)
        assert got == expected
        assert inbox.Stored.REARMED in got
        assert inbox.Stored.DUPLICATE in got
        assert await _rows(many) == await _rows(one)


async def test_the_writer_answers_after_the_commit_and_batches_a_burst(database_url: str) -> None:
    db = Database(database_url)
    await db.migrate()
    writer = InboxWriter(db, 5)
    try:
        burst = [_ipn("merchant_order", str(i)) for i in range(50)]
        results = await asyncio.gather(*(writer.store(n, {}, NOW) for n in burst))
        assert results == [inbox.Stored.NEW] * 50
        assert len(await _rows(db)) == 50  # committed: visible to another connection
        assert await writer.store(burst[0], {}, NOW) is inbox.Stored.DUPLICATE
    finally:
        await writer.close()
        await db.dispose()


async def _stored(db: Database) -> list[tuple[object, ...]]:
    """Every column but the id as the database holds it (its text, not what SQLAlchemy's types
    make of it)."""
    columns = ", ".join(f'CAST("{c.name}" AS TEXT)' for c in notifications.c if c.name != "id")
    async with db.read() as conn:
        query = f"SELECT {columns} FROM notifications ORDER BY dedupe_key"  # noqa: S608
        return [tuple(r) for r in await conn.exec_driver_sql(query)]


async def test_the_driver_path_stores_what_sqlalchemy_stores(
    database_url: str, tmp_path: Path
) -> None:
    """The writer's batch goes straight to the driver (``writer_driver``): every column of
    every row, and every answer, equal what SQLAlchemy Core stored one by one."""
    headers = {"user-agent": "MercadoPago", "x-request-id": "r-1"}
    async with _two(database_url, tmp_path) as (one, many):
        async with one.transaction() as conn:
            expected = [await inbox.store(conn, n, headers, NOW, 3) for n in _mix()]
        batch = [Pending(n, headers, NOW) for n in _mix()]
        assert await many.driver_unit(store_batch, many.engine.dialect, batch, 3) == expected
        assert await _stored(many) == await _stored(one)
        async with many.read() as conn:
            query = sa.select(notifications).where(notifications.c.resource_id == "1")
            row = (await conn.execute(query)).one()
        assert (row.headers, row.received_at) == (headers, NOW)


def _meet_stored_rows(
    driver: object, dialect: sa.Dialect, met: list[Pending]
) -> list[inbox.Stored]:
    sql = writer_driver.for_driver(driver, dialect)
    return [sql.stored_elsewhere(p) for p in met]


def _meet_with_core(conn: sa.Connection, met: list[Pending]) -> list[inbox.Stored]:
    sql = writer_sql.CoreStatements(conn)
    return [sql.stored_elsewhere(p) for p in met]


@pytest.mark.parametrize("path", ["driver", "core"])
async def test_an_insert_that_meets_a_row_stored_meanwhile_counts_a_delivery(
    database_url: str, path: str
) -> None:
    """Another instance stored the key between the batch's read and its insert: the delivery is
    counted, and a row handled before is re-armed (a row still waiting is a duplicate)."""
    db = await _prepared(database_url)  # merchant order 2 processed, 9 waiting
    met = [Pending(_ipn("merchant_order", rid), {}, NOW) for rid in "29"]
    try:
        if path == "driver":
            got = await db.driver_unit(_meet_stored_rows, db.engine.dialect, met)
        else:
            async with db.transaction() as conn:
                got = await conn.run_sync(_meet_with_core, met)
        assert got == [inbox.Stored.REARMED, inbox.Stored.DUPLICATE]
        rows = {key: (state, deliveries) for key, state, deliveries, _ in await _rows(db)}
        assert rows["ipn:merchant_order:2"] == (inbox.InboxState.RECEIVED, 2)
        assert rows["ipn:merchant_order:9"] == (inbox.InboxState.RECEIVED, 3)
    finally:
        await db.dispose()


async def test_a_failed_batch_answers_every_waiter_with_the_error(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'x.db'}")  # never migrated: no inbox table
    writer = InboxWriter(db, 5)
    try:
        with pytest.raises(sa.exc.OperationalError):
            await writer.store(_ipn("merchant_order", "1"), {}, NOW)
    finally:
        await writer.close()
        await db.dispose()


async def test_urgent_units_of_work_go_before_waiting_ordinary_ones() -> None:
    from mpqr.seller.db.lock import WriteLock

    lock, order = WriteLock(), []

    async def work(name: str, urgent: bool) -> None:
        async with lock.hold(urgent):
            order.append(name)
            await asyncio.sleep(0)

    async with lock.hold():
        tasks = [
            asyncio.create_task(work("a", False)),
            asyncio.create_task(work("b", False)),
            asyncio.create_task(work("u", True)),
        ]
        cancelled = asyncio.create_task(work("gone", True))
        await asyncio.sleep(0)
        cancelled.cancel()
        await asyncio.sleep(0)
    await asyncio.gather(*tasks)
    assert order == ["u", "a", "b"]
    async with lock.hold():  # free again
        pass
