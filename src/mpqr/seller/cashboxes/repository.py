"""Every SQL statement about stores and cashboxes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from mpqr.seller.db.engine import Conn
from mpqr.seller.db.tables import cashboxes, stores

__all__ = ["get_cashbox", "get_store", "insert_cashbox", "insert_store", "list_cashboxes"]

Row = sa.Row[Any]


async def get_store(conn: Conn, external_id: str) -> Row | None:
    query = sa.select(stores).where(stores.c.external_id == external_id)
    return (await conn.execute(query)).first()


async def insert_store(
    conn: Conn,
    external_id: str,
    name: str,
    location: dict[str, Any] | None,
    mp_store_id: str | None,
    now: datetime,
) -> None:
    await conn.execute(
        stores.insert().values(
            external_id=external_id,
            name=name,
            location=location,
            mp_store_id=mp_store_id,
            created_at=now,
        )
    )


async def get_cashbox(conn: Conn, external_id: str) -> Row | None:
    query = sa.select(cashboxes).where(cashboxes.c.external_id == external_id)
    return (await conn.execute(query)).first()


async def list_cashboxes(conn: Conn) -> Sequence[Row]:
    return (await conn.execute(sa.select(cashboxes).order_by(cashboxes.c.external_id))).all()


async def insert_cashbox(
    conn: Conn,
    *,
    external_id: str,
    name: str,
    store_external_id: str,
    mp_pos_id: str | None,
    qr_data: str | None,
    now: datetime,
) -> None:
    await conn.execute(
        cashboxes.insert().values(
            external_id=external_id,
            name=name,
            store_external_id=store_external_id,
            mp_pos_id=mp_pos_id,
            qr_data=qr_data,
            created_at=now,
        )
    )
