"""The migrations build exactly the schema the code declares (SQLite and PostgreSQL), and the
database itself refuses two live sales on one cashbox."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.exc import IntegrityError

from mpqr.seller.db import Database
from mpqr.seller.db.tables import metadata, sales


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
