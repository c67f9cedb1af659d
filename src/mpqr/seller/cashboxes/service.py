"""Create stores and cashboxes on Mercado Pago first, then record them (never the other way)."""

from __future__ import annotations

from typing import Any

from mpqr.seller.cashboxes import repository as repo
from mpqr.seller.context import Context
from mpqr.seller.errors import Conflict, NotFound, Reason

__all__ = ["CashboxService"]


class CashboxService:
    """Stores and cashboxes of the seller; every write goes to Mercado Pago before the database."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    async def create_store(
        self, external_id: str, name: str, location: dict[str, Any] | None
    ) -> dict[str, Any]:
        async with self.ctx.db.transaction() as conn:
            if await repo.get_store(conn, external_id) is not None:
                raise Conflict(
                    f"store {external_id!r} already exists",
                    reason=Reason.ALREADY_EXISTS,
                    field="external_id",
                )
        mp_id = await self.ctx.gateway.create_store(external_id, name, location or {})
        async with self.ctx.db.transaction() as conn:
            await repo.insert_store(conn, external_id, name, location, mp_id, self.ctx.now())
        return {
            "external_id": external_id,
            "name": name,
            "location": location,
            "mp_store_id": mp_id,
        }

    async def create_cashbox(self, external_id: str, name: str, store: str) -> dict[str, Any]:
        async with self.ctx.db.transaction() as conn:
            store_row = await repo.get_store(conn, store)
            if store_row is None:
                raise NotFound(
                    f"store_external_id: no store {store!r}",
                    reason=Reason.STORE_NOT_FOUND,
                    field="store_external_id",
                )
            if await repo.get_cashbox(conn, external_id) is not None:
                raise Conflict(
                    f"cashbox {external_id!r} already exists",
                    reason=Reason.ALREADY_EXISTS,
                    field="external_id",
                )
        pos = await self.ctx.gateway.create_pos(external_id, name, store, store_row.mp_store_id)
        async with self.ctx.db.transaction() as conn:
            await repo.insert_cashbox(
                conn,
                external_id=external_id,
                name=name,
                store_external_id=store,
                mp_pos_id=pos.mp_pos_id,
                qr_data=pos.qr_data,
                now=self.ctx.now(),
            )
            return dict((await repo.get_cashbox(conn, external_id))._mapping)  # type: ignore[union-attr]

    async def sync(self) -> list[dict[str, Any]]:
        """Import the POS that exist on Mercado Pago but not here (their stores too)."""
        imported = []
        for pos in await self.ctx.gateway.list_pos():
            async with self.ctx.db.transaction() as conn:
                if await repo.get_cashbox(conn, pos.external_id) is not None:
                    continue
                store = pos.store_external_id or "default"
                if await repo.get_store(conn, store) is None:
                    await repo.insert_store(conn, store, store, None, None, self.ctx.now())
                await repo.insert_cashbox(
                    conn,
                    external_id=pos.external_id,
                    name=pos.name or pos.external_id,
                    store_external_id=store,
                    mp_pos_id=pos.mp_pos_id,
                    qr_data=pos.qr_data,
                    now=self.ctx.now(),
                )
                imported.append(pos.external_id)
        return [await self.get(external_id) for external_id in imported]

    async def get(self, external_id: str) -> dict[str, Any]:
        async with self.ctx.db.transaction() as conn:
            row = await repo.get_cashbox(conn, external_id)
        if row is None:
            raise NotFound(f"cashbox: no cashbox {external_id!r}", reason=Reason.CASHBOX_NOT_FOUND)
        return dict(row._mapping)

    async def list(self) -> list[dict[str, Any]]:
        async with self.ctx.db.transaction() as conn:
            return [dict(r._mapping) for r in await repo.list_cashboxes(conn)]
