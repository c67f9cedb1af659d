"""Helpers for crash tests: seller instances that die at a crash point and instances that come up
after them on the same database, against one mpqr sandbox; and the invariants they must keep."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

from fastapi import FastAPI
from seller_e2e import eventually
from seller_env import Running, serve, settings_for

from mpqr.chaos.truth import live_orders, truth_of
from mpqr.clock import VirtualClock
from mpqr.ids import IdFactory
from mpqr.sandbox.testing import Sandbox
from mpqr.seller.app import create_app
from mpqr.seller.sales.schemas import RefundIn, SaleCreate
from mpqr.seller.settings import Integration

ITEMS = [{"title": "Alfajor", "unit_price": "150.00", "quantity": 2}]
LEASE = 30.0


@dataclass
class World:
    """One sandbox, one seller database, one clock shared by every instance started on them."""

    sandbox: Sandbox
    database_url: str
    integration: Integration
    clock: VirtualClock = field(default_factory=lambda: VirtualClock(timedelta(0)))
    starts: int = 0

    @asynccontextmanager
    async def instance(self, crash_points: str = "") -> AsyncIterator[Running]:
        """A seller server on the shared database; ``crash_points`` arms raise-mode crashes."""
        assert self.sandbox.seller is not None
        self.starts += 1
        seed = 100 + self.starts  # a restarted server must not repeat its predecessor's ids

        def make(base: str) -> FastAPI:
            cfg = settings_for(
                self.database_url,
                base,
                mp_base_url=self.sandbox.base_url,
                mp_access_token=self.sandbox.seller.access_token,  # type: ignore[union-attr]
                integration=self.integration,
                crash_points=crash_points,
                crash_mode="raise",
                lease_seconds=LEASE,
            )
            return create_app(cfg, clock=self.clock, ids=IdFactory(seed))

        async with serve(make) as running:
            yield running

    async def setup(self, seller: Running) -> None:
        r = await seller.http.post(
            "/api/stores",
            json={"external_id": "SUC1", "name": "Sucursal", "location": {"city_name": "X"}},
        )
        assert r.status_code == 201, r.text
        for box in ("CAJA1", "CAJA2"):
            r = await seller.http.post(
                "/api/cashboxes",
                json={"external_id": box, "name": box, "store_external_id": "SUC1"},
            )
            assert r.status_code == 201, r.text

    async def sandbox_call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        return await asyncio.to_thread(getattr(self.sandbox, name), *args, **kwargs)

    async def delivered(self) -> None:
        """Wait until the sandbox has no notification left to deliver."""

        async def quiet() -> bool:
            found = await self.sandbox_call("deliveries")
            return not any(d.get("state") == "pending" for d in found)

        await eventually(quiet)

    async def advance(self, seconds: float) -> None:
        self.clock.advance(seconds)
        await self.sandbox_call("advance", seconds)

    async def past_lease(self) -> None:
        await self.advance(LEASE + 1)

    async def state(self) -> dict[str, Any]:
        state: dict[str, Any] = await self.sandbox_call("state")
        return state

    async def pay(self, cashbox: str = "CAJA1", status: str = "approved") -> dict[str, Any]:
        assert self.sandbox.seller is not None
        paid: dict[str, Any] = await self.sandbox_call(
            "pay", status=status, user_id=self.sandbox.seller.id, external_pos_id=cashbox
        )
        return paid


def body(cashbox: str = "CAJA1", **extra: Any) -> SaleCreate:
    return SaleCreate.model_validate({"cashbox": cashbox, "items": ITEMS, **extra})


def refund(amount: str | None) -> RefundIn:
    return RefundIn.model_validate({"amount": amount})


async def sales_by_reference(seller: Running) -> dict[str, dict[str, Any]]:
    listed = (await seller.http.get("/api/sales", params={"limit": 200})).json()["sales"]
    return {s["external_reference"]: s for s in listed}


async def assert_invariants(world: World, seller: Running) -> None:
    """Mercado Pago holds no order on a cashbox whose reference no live sale owns, and every
    sale's money matches Mercado Pago's."""
    state = await world.state()
    sales = await sales_by_reference(seller)
    for cashbox, reference in live_orders(state).items():
        assert reference in sales, f"{cashbox} holds {reference}, which no sale owns"
        assert sales[reference]["status"] in {"opening", "pending"}, (cashbox, sales[reference])
    truth = truth_of(state)
    for reference, sale in sales.items():
        if sale["status"] == "opening":
            continue
        assert truth.paid_for(reference) == Decimal(sale["paid_amount"]), sale
        assert truth.refunded_for(reference) <= Decimal(sale["refunded_amount"]), sale
