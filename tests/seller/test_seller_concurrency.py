"""Races that used to put two live orders on Mercado Pago for one reference, or starve the pool
(issue #7, defects 1 and 3). SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from seller_crash import ITEMS, World, assert_invariants
from seller_env import Running

from mpqr.chaos.truth import live_orders
from mpqr.sandbox.testing import Sandbox
from mpqr.seller.settings import Integration


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(seed=13) as sb:
        yield sb


@pytest.mark.parametrize("integration", [Integration.INSTORE_V1, Integration.ORDERS])
async def test_one_reference_on_two_cashboxes_at_once(
    sandbox: Sandbox, database_url: str, integration: Integration
) -> None:
    """Defect 1: one 201 and a plain-text 500, with two live orders at Mercado Pago."""
    world = World(sandbox, database_url, integration)
    async with world.instance() as seller:
        await world.setup(seller)
        for round_ in range(4):
            reference = f"FACT-{round_}"
            answers = await asyncio.gather(
                *(
                    seller.http.post(
                        "/api/sales",
                        json={"cashbox": box, "items": ITEMS, "external_reference": reference},
                    )
                    for box in ("CAJA1", "CAJA2")
                )
            )
            assert sorted(r.status_code for r in answers) == [201, 409], [r.text for r in answers]
            won = next(r.json() for r in answers if r.status_code == 201)
            lost = next(r.json() for r in answers if r.status_code == 409)
            assert lost["reason"] in {"reference_in_use", "cashbox_busy"}
            orders = live_orders(await world.state())
            assert list(orders.values()) == [reference]
            assert list(orders) == [won["cashbox"]]
            await world.pay(won["cashbox"])
            await seller.state.sales.refresh(won["id"], _api())
            assert (await seller.state.sales.get(won["id"])).status == "paid"
            await assert_invariants(world, seller)


async def _cashboxes(seller: Running, count: int) -> list[str]:
    await seller.http.post("/api/stores", json={"external_id": "S", "name": "S"})
    names = [f"C{i:03d}" for i in range(count)]
    for name in names:
        r = await seller.http.post(
            "/api/cashboxes", json={"external_id": name, "name": name, "store_external_id": "S"}
        )
        assert r.status_code == 201, r.text
    return names


async def test_a_hundred_creates_on_a_hundred_cashboxes(seller: Running) -> None:
    """Defect 3: on PostgreSQL 25 concurrent creates exhausted the pool (all 500 after 30 s)."""
    boxes = await _cashboxes(seller, 100)
    answers = await asyncio.gather(
        *(
            seller.http.post("/api/sales", json={"cashbox": b, "items": ITEMS}, timeout=120)
            for b in boxes
        )
    )
    assert [r.status_code for r in answers] == [201] * 100, _texts(answers)


async def test_a_hundred_creates_on_one_cashbox(seller: Running) -> None:
    answers = await asyncio.gather(
        *(
            seller.http.post("/api/sales", json={"cashbox": "CAJA1", "items": ITEMS})
            for _ in range(100)
        )
    )
    codes = sorted(r.status_code for r in answers)
    assert codes == [201] + [409] * 99, _texts(answers)
    assert {r.json()["reason"] for r in answers if r.status_code == 409} == {"cashbox_busy"}


def _texts(answers: list[Any]) -> list[str]:
    return [r.text[:200] for r in answers if r.status_code >= 500][:3]


def _api() -> Any:
    from mpqr.seller.sales.rules import EventSource

    return EventSource.API
