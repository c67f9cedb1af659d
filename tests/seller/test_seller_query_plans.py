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
from mpqr.seller.notifications import writer_sql
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
        writer_sql.open_counts_sql(count): [*values, "received"],
        writer_sql.states_sql(count): values,
    }
    assert list(plans(tmp_path / "inbox.db", statements).values()) == [
        [
            "SEARCH notifications USING COVERING INDEX ix_notifications_resource_state"
            " (resource_id=? AND state=?)"
        ],
        ["SEARCH notifications USING INDEX sqlite_autoindex_notifications_1 (dedupe_key=?)"],
    ]
