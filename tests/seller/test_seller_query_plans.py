"""Every statement the seller sends to SQLite finds its rows through an index.

A statement that reads a whole growing table (every sale, every notification ever received) is
fast in a test and slow a year later. These tests run a day's kinds of work on SQLite (sales
paid, cancelled, refunded; notifications for unknown orders; the sales list with each filter; the
unmatched-payments sweep; recovery; ``/metrics``), catch every statement sent, and ask SQLite for
each one's plan (``EXPLAIN QUERY PLAN``). SQLite plans without table statistics, so the plan is
the same on an empty database as on a full one.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from seller_e2e import e2e

from mpqr.sandbox.testing import Sandbox
from mpqr.seller.db import Database
from mpqr.seller.notifications import writer_driver
from mpqr.seller.settings import Integration

# The only whole-index walks allowed, and why.
ALLOWED_SCANS = {
    # /metrics reports how many inbox rows each state holds: a count over the state index
    "SCAN notifications USING COVERING INDEX ix_notifications_state",
    # the unfiltered sales list walks the newest first and stops at the page size (LIMIT)
    "SCAN sales USING INDEX ix_sales_created",
}


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(seed=5) as sb:
        yield sb


@pytest.fixture
def statements() -> Iterator[dict[str, Any]]:
    """Every distinct statement sent to SQLite meanwhile, with the parameters it was sent with."""
    seen: dict[str, Any] = {}

    def catch(conn: Any, _cursor: Any, statement: str, params: Any, _ctx: Any, many: bool) -> None:
        if conn.dialect.name == "sqlite" and statement not in seen:
            seen[statement] = params[0] if many else params

    sa.event.listen(sa.Engine, "before_cursor_execute", catch)
    try:
        yield seen
    finally:
        sa.event.remove(sa.Engine, "before_cursor_execute", catch)


def plans(db_file: Path, statements: dict[str, Any]) -> dict[str, list[str]]:
    """The plan of each data statement (an INSERT ... VALUES has none worth reading)."""
    db = sqlite3.connect(db_file)
    try:
        out = {}
        for sql, params in statements.items():
            if re.match(r"\s*(SELECT|UPDATE|DELETE)\b", sql, re.IGNORECASE):
                rows = db.execute("EXPLAIN QUERY PLAN " + sql, params).fetchall()
                out[sql] = [str(row[3]) for row in rows]
        return out
    finally:
        db.close()


@pytest.mark.parametrize("integration", [Integration.INSTORE_V1, Integration.ORDERS])
async def test_no_statement_of_a_days_work_reads_a_whole_table(
    sandbox: Sandbox, tmp_path: Path, statements: dict[str, Any], integration: Integration
) -> None:
    db_file = tmp_path / "plans.db"
    async with e2e(sandbox, f"sqlite:///{db_file}", integration) as env:
        http = env.seller.http
        cancelled = await env.new_sale()
        assert (await http.post(f"/api/sales/{cancelled['id']}/cancel")).status_code == 200
        sale = await env.new_sale()
        await env.pay("approved")
        await env.settle_deliveries()
        refund = await http.post(f"/api/sales/{sale['id']}/refund", json={"amount": "100.00"})
        assert refund.status_code == 200, refund.text
        await env.settle_deliveries()
        for n in range(3):  # orders nobody announced: fetched, not found, retried
            await http.post(f"/notifications?topic=merchant_order&id={990000 + n}")
        await env.seller.process()
        await env.advance(10)
        await env.seller.process()
        await env.seller.reconcile()
        await env.seller.state.unmatched.sweep()
        await env.seller.state.recovery.run_once()
        for query in ("", "?cashbox=CAJA1", "?status=paid", "?limit=1"):
            assert (await http.get("/api/sales" + query)).status_code == 200
        assert (await http.get("/metrics")).status_code == 200
    found = plans(db_file, statements)
    assert len(found) > 20  # the day's work did run
    full_reads = {sql: plan for sql, plan in found.items() if reads_a_whole_table(sql, plan)}
    assert full_reads == {}


def reads_a_whole_table(sql: str, plan: list[str]) -> bool:
    """A table scan not allowed above, or sorting every matching sale to show one page."""
    for line in plan:
        if line.startswith("SCAN ") and line not in ALLOWED_SCANS:
            return True
        if line == "USE TEMP B-TREE FOR ORDER BY" and "\nFROM sales " in sql:
            return True
    return False


@pytest.mark.parametrize("count", [1, 2, 5, 40])
async def test_an_ack_batch_finds_its_rows_through_indexes(tmp_path: Path, count: int) -> None:
    """The inbox writer's statements on SQLite (sent to the driver, unseen by the capture above).
    With an index on ``resource_id`` alone SQLite picked the ``state`` index for one resource or
    for five and more, reading every unresolved row of the inbox on each ack batch."""
    db = Database(f"sqlite:///{tmp_path}/inbox.db")
    await db.migrate()
    await db.dispose()
    values = [str(n) for n in range(count)]
    statements = {
        writer_driver.open_counts_sql(count): [*values, "received"],
        writer_driver.states_sql(count): values,
        writer_driver.rearm_sql(count): ["received", "2026-01-01", *values, "received"],
    }
    by_key = "SEARCH notifications USING INDEX sqlite_autoindex_notifications_1 (dedupe_key=?)"
    assert list(plans(tmp_path / "inbox.db", statements).values()) == [
        [
            "SEARCH notifications USING COVERING INDEX ix_notifications_resource_state"
            " (resource_id=? AND state=?)"
        ],
        [by_key],
        [by_key],
    ]


_WIDE = r"Seq Scan|ix_notifications_state\b"
_TEN = "{" + ",".join(str(n) for n in range(10)) + "}"  # a batch's ten keys or resources
# PostgreSQL: (statement, its parameter types, sample arguments) for each of the writer's.
_PG_WRITER = {
    "known": (
        writer_driver.PG_KNOWN,
        "varchar[], varchar[], varchar",
        f"'{_TEN}', '{_TEN}', 'received'",
    ),
    "deliveries": (writer_driver.PG_ADD_DELIVERIES, "varchar[], int[]", "'{a,b,c}', '{1,1,1}'"),
    "rearm": (writer_driver.PG_REARM, "varchar[], varchar, timestamp", "'{a,b}', 'x', 'today'"),
}


@pytest.mark.postgres
async def test_on_postgres_the_writer_finds_its_rows_through_indexes_on_a_young_table() -> None:
    """The inbox writer's statements on PostgreSQL, planned as the server plans them: once when
    the table is empty (prepared statements may keep that plan) and again 5,000 rows later with
    no statistics gathered (autovacuum off), as in the first minute of a new database. A plan
    kept from the empty table, or made without statistics for ``resource_id = ANY(...)``, read
    the whole table on every ack batch."""
    from seller_env import pg_database
    from sqlalchemy.util import await_only

    from mpqr.seller.notifications.writer import store_batch

    def prepare(raw: Any) -> None:
        for name, (sql, types, args) in _PG_WRITER.items():
            await_only(raw.execute(f"PREPARE {name}({types}) AS {sql}"))
            for _ in range(6):  # after five runs a generic plan may be kept for good
                await_only(raw.execute(f"EXECUTE {name}({args})"))

    def explain(raw: Any) -> dict[str, str]:
        return {
            name: "\n".join(r[0] for r in await_only(raw.fetch(f"EXPLAIN EXECUTE {name}({args})")))
            for name, (_sql, _types, args) in _PG_WRITER.items()
        }

    async with pg_database() as url:
        db = Database(url, pool_size=1)  # one connection: PREPARE is the connection's
        try:
            await db.migrate()
            async with db.transaction() as conn:
                await conn.exec_driver_sql(
                    "ALTER TABLE notifications SET (autovacuum_enabled = false)"
                )
            await db.driver_unit(prepare)  # in the writer's units, with their settings
            for n in range(50):
                batch = [_pending(n * 100 + i) for i in range(100)]
                await db.driver_unit(store_batch, db.engine.dialect, batch, 5)
            found = await db.driver_unit(explain)
        finally:
            await db.dispose()
    assert set(found) == set(_PG_WRITER)
    # neither the whole table nor every unresolved row (the state index) for a batch's lookup
    wide = {name: plan for name, plan in found.items() if re.search(_WIDE, plan)}
    assert wide == {}
    assert all("Index" in plan for plan in found.values()), found


def _pending(n: int) -> Any:
    from datetime import UTC, datetime

    from mpqr.notifications import parse_notification
    from mpqr.seller.notifications.writer import Pending

    notification = parse_notification("POST", f"topic=merchant_order&id={n}", {}, b"")
    return Pending(notification, {}, datetime(2026, 1, 1, tzinfo=UTC))
