"""Helpers for end-to-end tests: the seller server with its real Mercado Pago gateway pointed at a
running mpqr sandbox (both on 127.0.0.1), clocks advanced together."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from fastapi import FastAPI
from seller_env import Running, serve, settings_for

from mpqr.clock import VirtualClock
from mpqr.ids import IdFactory
from mpqr.sandbox.testing import Sandbox
from mpqr.seller.app import create_app
from mpqr.seller.settings import Integration

ITEMS = [{"title": "Alfajor", "unit_price": "150.00", "quantity": 2}]


async def eventually(check: Callable[[], Awaitable[bool]], limit: float = 10.0) -> None:
    """Poll ``check`` until true (a state reached over the network), failing after ``limit`` s."""
    async with asyncio.timeout(limit):
        while True:
            if await check():
                return
            await asyncio.sleep(0.02)


@dataclass
class E2E:
    sandbox: Sandbox
    seller: Running
    clock: VirtualClock

    async def call(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run a blocking sandbox helper off the event loop (the seller serves meanwhile)."""
        return await asyncio.to_thread(fn, *args, **kwargs)

    async def advance(self, seconds: float) -> None:
        self.clock.advance(seconds)
        await self.call(self.sandbox.advance, seconds)

    async def deliveries(self, **filters: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = await self.call(self.sandbox.deliveries)
        return [d for d in found if all(d.get(k) == v for k, v in filters.items())]

    async def settle_deliveries(self) -> None:
        """Wait until the sandbox has nothing pending to deliver, then drain the inbox."""

        async def quiet() -> bool:
            return not await self.deliveries(state="pending")

        await eventually(quiet)
        await self.seller.process()

    async def sale(self, sale_id: str) -> dict[str, Any]:
        r = await self.seller.http.get(f"/api/sales/{sale_id}")
        assert r.status_code == 200, r.text
        body: dict[str, Any] = r.json()
        return body

    async def new_sale(self, **extra: Any) -> dict[str, Any]:
        r = await self.seller.http.post(
            "/api/sales", json={"cashbox": "CAJA1", "items": ITEMS, **extra}
        )
        assert r.status_code == 201, r.text
        body: dict[str, Any] = r.json()
        return body

    async def scan(self) -> dict[str, Any]:
        assert self.sandbox.seller is not None
        sel = {"user_id": self.sandbox.seller.id, "external_pos_id": "CAJA1"}
        result: dict[str, Any] = await self.call(self.sandbox.scan, **sel)
        return result

    async def pay(self, status: str = "approved", **options: Any) -> dict[str, Any]:
        assert self.sandbox.seller is not None
        sel = {"user_id": self.sandbox.seller.id, "external_pos_id": "CAJA1"}
        result: dict[str, Any] = await self.call(self.sandbox.pay, status=status, **sel, **options)
        return result


@asynccontextmanager
async def e2e(
    sandbox: Sandbox, database_url: str, integration: Integration, **settings: Any
) -> AsyncIterator[E2E]:
    assert sandbox.seller is not None
    clock = VirtualClock(timedelta(0))
    token = sandbox.seller.access_token

    def make(base: str) -> FastAPI:
        cfg = settings_for(
            database_url,
            base,
            mp_base_url=sandbox.base_url,
            mp_access_token=token,
            integration=integration,
            **settings,
        )
        return create_app(cfg, clock=clock, ids=IdFactory(3))

    async with serve(make) as running:
        env = E2E(sandbox, running, clock)
        r = await running.http.post(
            "/api/stores",
            json={"external_id": "SUC1", "name": "Sucursal", "location": {"city_name": "X"}},
        )
        assert r.status_code == 201, r.text
        r = await running.http.post(
            "/api/cashboxes",
            json={"external_id": "CAJA1", "name": "Caja 1", "store_external_id": "SUC1"},
        )
        assert r.status_code == 201, r.text
        yield env
