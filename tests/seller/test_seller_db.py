"""The migrations build exactly the schema the code declares (SQLite and PostgreSQL), the
database itself refuses two live sales on one cashbox, and a unit of work commits whole or not at
all (on SQLite, whole on a worker thread)."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from seller_env import PG_ADMIN, pg_database
from sqlalchemy.exc import IntegrityError

from mpqr.seller.db import Database
from mpqr.seller.db.engine import Conn
from mpqr.seller.db.tables import metadata, notifications, sales


def _diff(sync_conn: sa.Connection) -> list[object]:
    context = MigrationContext.configure(sync_conn, opts={"compare_type": False})
    return list(compare_metadata(context, metadata))


async def test_migrations_match_the_tables(database_url: str) -> None:
    db = Database(database_url)
    try:
        await db.migrate()
        async with db.engine.connect() as conn:
            diff = await conn.run_sync(_diff)
        assert diff == []
    finally:
        await db.dispose()


def _sale(sale_id: str, cashbox: str, status: str, reference: str) -> dict[str, object]:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    return {
        "id": sale_id,
        "external_reference": reference,
        "cashbox": cashbox,
        "status": status,
        "total_amount": 10,
        "currency_id": "ARS",
        "paid_amount": 0,
        "refunded_amount": 0,
        "alerts": [],
        "integration": "instore-v1",
        "created_at": now,
        "expires_at": now,
        "updated_at": now,
    }


@pytest.mark.parametrize("second", ["opening", "pending"])
async def test_one_live_sale_per_cashbox_is_a_database_rule(database_url: str, second: str) -> None:
    db = Database(database_url)
    try:
        await db.migrate()
        async with db.transaction() as conn:
            await conn.execute(sales.insert().values(**_sale("S1", "CAJA1", "pending", "R1")))
            await conn.execute(sales.insert().values(**_sale("S2", "CAJA1", "cancelled", "R2")))
        with pytest.raises(IntegrityError):
            async with db.transaction() as conn:
                await conn.execute(sales.insert().values(**_sale("S3", "CAJA1", second, "R3")))
        with pytest.raises(IntegrityError):  # one reference, one sale, across cashboxes
            async with db.transaction() as conn:
                await conn.execute(sales.insert().values(**_sale("S4", "CAJA2", "pending", "R1")))
    finally:
        await db.dispose()


async def _insert_then(conn: Conn, sale: dict[str, object], fail: bool) -> int:
    """A unit: insert a sale, then fail if asked; returns the thread it ran on."""
    await conn.execute(sales.insert().values(**sale))
    if fail:
        raise ValueError("boom")
    return threading.get_ident()


async def _count(conn: Conn) -> int:
    return int((await conn.execute(sa.select(sa.func.count()).select_from(sales))).scalar_one())


async def test_a_unit_commits_on_success_and_rolls_back_when_it_raises(database_url: str) -> None:
    db = Database(database_url)
    try:
        await db.migrate()
        await db.unit(_insert_then, _sale("S1", "CAJA1", "pending", "R1"), False)
        with pytest.raises(ValueError, match="boom"):
            await db.unit(_insert_then, _sale("S2", "CAJA2", "pending", "R2"), True)
        assert await db.read_unit(_count) == 1
        async with db.read() as conn:
            assert await _count(conn) == 1
    finally:
        await db.dispose()


def _driver_insert(driver: Any, key: str, fail: str) -> None:
    """A driver unit: insert an inbox row through the driver itself, then fail if asked (with
    an error of ours, or one of the database's: the same key again)."""
    from sqlalchemy.util import await_only

    sqlite = driver.__class__.__module__ == "sqlite3"
    mark = "?" if sqlite else "$1"
    sql = (
        "INSERT INTO notifications (dedupe_key, received_at, query, headers, body, topic,"  # noqa: S608
        f" resource_id, state, attempts, deliveries, next_attempt_at) VALUES ({mark},"
        " '2026-01-01', '', '{}', '', 't', 'r', 'received', 0, 1, '2026-01-01')"
    )
    for _ in range(2 if fail == "database" else 1):
        if sqlite:
            driver.execute(sql, (key,))
        else:
            await_only(driver.execute(sql, key))
    if fail == "ours":
        raise ValueError("boom")


@pytest.mark.parametrize("fail", ["ours", "database"])
async def test_a_driver_unit_commits_on_success_and_rolls_back_when_it_raises(
    database_url: str, fail: str
) -> None:
    """The inbox writer's units (straight to sqlite3 / asyncpg): all or nothing, and the
    connection serves the next unit after a failure."""
    db = Database(database_url, pool_size=1)
    count = sa.select(sa.func.count()).select_from(notifications)
    try:
        await db.migrate()
        await db.driver_unit(_driver_insert, "a", "")
        with pytest.raises((ValueError, sa.exc.DBAPIError, sqlite3.Error, *_pg_errors())):
            await db.driver_unit(_driver_insert, "b", fail)
        await db.driver_unit(_driver_insert, "c", "")
        async with db.read() as conn:
            assert (await conn.execute(count)).scalar_one() == 2
    finally:
        await db.dispose()


def _pg_errors() -> tuple[type[Exception], ...]:
    import asyncpg

    return (asyncpg.PostgresError,)


async def test_on_sqlite_a_unit_runs_whole_off_the_event_loop(tmp_path: Path) -> None:
    """One hand-over per unit: every statement runs on a worker thread, none on the loop's."""
    db = Database(f"sqlite:///{tmp_path}/units.db")
    try:
        await db.migrate()
        ran_on = await db.unit(_insert_then, _sale("S1", "CAJA1", "pending", "R1"), False)
        assert ran_on != threading.get_ident()
        assert await db.read_unit(_count) == 1
    finally:
        await db.dispose()


async def _synchronous(conn: Conn) -> int:
    return int((await conn.execute(sa.text("PRAGMA synchronous"))).scalar_one())


async def test_on_sqlite_every_commit_reaches_the_disk_before_it_returns(tmp_path: Path) -> None:
    """synchronous=FULL (2) on both connections: an acknowledged notification survives a power
    cut, not only a crash of the server (WAL with NORMAL loses the last commits then)."""
    db = Database(f"sqlite:///{tmp_path}/durable.db")
    try:
        await db.migrate()
        assert await db.read_unit(_synchronous) == 2  # the worker thread's connection
        async with db.read() as conn:  # the async engine's
            assert await _synchronous(conn) == 2
    finally:
        await db.dispose()


async def _awaits_something_else(conn: Conn) -> None:
    await conn.execute(sales.insert().values(**_sale("S1", "CAJA1", "pending", "R1")))
    await asyncio.sleep(0)


async def test_on_sqlite_a_unit_that_awaits_anything_but_its_connection_is_refused(
    tmp_path: Path,
) -> None:
    db = Database(f"sqlite:///{tmp_path}/units.db")
    try:
        await db.migrate()
        with pytest.raises(RuntimeError, match="awaited something else"):
            await db.unit(_awaits_something_else)
        assert await db.read_unit(_count) == 0  # rolled back
    finally:
        await db.dispose()


@pytest.mark.postgres
async def test_postgres_reconnects_after_the_server_dropped_its_connections() -> None:
    """No ping on checkout: a pooled connection the server dropped fails one unit of work at
    most, and the units after it run on fresh connections."""
    async with pg_database() as url:
        db = Database(url, pool_size=2)
        try:
            await db.migrate()
            assert await db.read_unit(_count) == 0  # a pooled connection now exists
            await _drop_connections_to(url)
            outcomes: list[bool] = []
            for _ in range(3):
                try:
                    outcomes.append(await db.read_unit(_count) == 0)
                except sa.exc.DBAPIError as exc:
                    outcomes.append(not exc.connection_invalidated)  # only a dropped one fails
            assert outcomes[1:] == [True, True]
        finally:
            await db.dispose()


@pytest.mark.postgres
async def test_postgres_acks_go_on_after_the_server_dropped_their_connection() -> None:
    """The inbox writer's batches run on the pooled asyncpg connection itself: a dropped one
    fails one batch at most (a 500: Mercado Pago sends again) and is not put back in the pool."""
    from mpqr.notifications import parse_notification
    from mpqr.seller.notifications.inbox import Stored
    from mpqr.seller.notifications.writer import InboxWriter

    def ipn(n: int) -> Any:
        return parse_notification("POST", f"topic=merchant_order&id={n}", {}, b"")

    now = datetime(2026, 1, 1, tzinfo=UTC)
    async with pg_database() as url:
        db = Database(url, pool_size=2)
        writer = InboxWriter(db, 5)
        try:
            await db.migrate()
            assert await writer.store(ipn(0), {}, now) is Stored.NEW  # a pooled connection
            await _drop_connections_to(url)
            outcomes: list[bool] = []
            for n in range(1, 4):
                try:
                    outcomes.append(await writer.store(ipn(n), {}, now) is Stored.NEW)
                except Exception:  # whatever the driver says: the sender gets a 500
                    outcomes.append(False)
            assert outcomes[1:] == [True, True]
        finally:
            await writer.close()
            await db.dispose()


async def _drop_connections_to(url: str) -> None:
    import asyncpg

    name = url.rsplit("/", 1)[1]
    conn = await asyncpg.connect(PG_ADMIN)
    try:
        query = "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1"
        await conn.execute(query, name)
    finally:
        await conn.close()


async def _slow_insert(conn: Conn, sale: dict[str, object], log: list[str]) -> None:
    await conn.execute(sales.insert().values(**sale))
    time.sleep(0.3)  # noqa: ASYNC251 - on the worker thread: still running when its caller gives up
    log.append("slow unit ended")


async def _next_unit(conn: Conn, log: list[str]) -> None:
    log.append("next unit started")
    await conn.execute(sa.select(1))


async def test_on_sqlite_a_cancelled_unit_keeps_the_write_lock_until_its_thread_ends(
    tmp_path: Path,
) -> None:
    db = Database(f"sqlite:///{tmp_path}/units.db")
    try:
        await db.migrate()
        log: list[str] = []
        slow = asyncio.create_task(
            db.unit(_slow_insert, _sale("S1", "CAJA1", "pending", "R1"), log)
        )
        await asyncio.sleep(0.1)
        slow.cancel()
        with pytest.raises(asyncio.CancelledError):
            await slow
        await db.unit(_next_unit, log)
        assert log == ["slow unit ended", "next unit started"]
    finally:
        await db.dispose()
