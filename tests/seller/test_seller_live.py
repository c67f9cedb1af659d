"""Live changes over SSE, and several instances on one PostgreSQL database."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from seller_env import Running, pg_database, serve, settings_for
from seller_fakes import FakeGateway

from mpqr.clock import FrozenClock
from mpqr.ids import IdFactory
from mpqr.seller.app import create_app

ITEMS = [{"title": "Mate", "unit_price": "50", "quantity": 1}]


async def sse_events(
    http: httpx.AsyncClient, sale_id: str, wanted: int, ready: asyncio.Event
) -> list[dict[str, Any]]:
    """Read ``wanted`` ``sale`` events from the stream (``ready`` is set after the first)."""
    found: list[dict[str, Any]] = []
    async with http.stream("GET", f"/api/sales/{sale_id}/events") as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        async for line in r.aiter_lines():
            if line.startswith("data: "):
                found.append(json.loads(line[6:]))
                ready.set()
                if len(found) == wanted:
                    return found
    return found


async def test_sse_single_instance(seller: Running, gateway: FakeGateway) -> None:
    sale = (await seller.http.post("/api/sales", json={"cashbox": "CAJA1", "items": ITEMS})).json()
    ready = asyncio.Event()
    reader = asyncio.create_task(sse_events(seller.http, sale["id"], 2, ready))
    async with asyncio.timeout(10):
        await ready.wait()
    mo = gateway.scan("CAJA1")
    gateway.pay(mo)
    await seller.http.post(f"/notifications?topic=merchant_order&id={mo.id}")
    await seller.process()
    async with asyncio.timeout(10):
        events = await reader
    assert [e["status"] for e in events] == ["pending", "paid"]
    missing = await seller.http.get("/api/sales/nope/events")
    assert missing.status_code == 404


@pytest.fixture
async def two_instances(clock: FrozenClock) -> AsyncIterator[tuple[Running, Running, FakeGateway]]:
    gateway = FakeGateway()  # one Mercado Pago for both instances
    async with pg_database() as url, AsyncExitStack() as stack:

        def make(name: str) -> Any:
            def build(base: str) -> FastAPI:
                cfg = settings_for(url, base, instance_id=name)
                return create_app(
                    cfg, clock=clock, gateway=gateway, ids=IdFactory(hash(name) % 100)
                )

            return build

        a = await stack.enter_async_context(serve(make("a")))
        b = await stack.enter_async_context(serve(make("b")))
        await a.http.post("/api/stores", json={"external_id": "S", "name": "S"})
        for box in ("CAJA1", "CAJA2", "CAJA3"):
            await a.http.post(
                "/api/cashboxes", json={"external_id": box, "name": box, "store_external_id": "S"}
            )
        yield a, b, gateway


def processed(metrics: str) -> float:
    line = next(
        x for x in metrics.splitlines() if x.startswith("mpqr_notifications_processed_total")
    )
    return float(line.split()[-1])


@pytest.mark.postgres
async def test_two_instances_process_each_notification_once(
    two_instances: tuple[Running, Running, FakeGateway],
) -> None:
    a, b, gateway = two_instances
    sales = []
    for box in ("CAJA1", "CAJA2", "CAJA3"):
        r = await a.http.post("/api/sales", json={"cashbox": box, "items": ITEMS})
        sales.append(r.json())
    urls = []
    for box in ("CAJA1", "CAJA2", "CAJA3"):
        mo = gateway.scan(box)
        gateway.pay(mo)
        urls.append(f"/notifications?topic=merchant_order&id={mo.id}")
    for url in urls:  # Mercado Pago delivers each to whichever instance; here: both
        assert (await a.http.post(url)).status_code == 200
        assert (await b.http.post(url)).status_code == 200
    await asyncio.gather(a.process(), b.process(), a.process(), b.process())
    total = processed((await a.http.get("/metrics")).text) + processed(
        (await b.http.get("/metrics")).text
    )
    assert total == 3
    for sale in sales:
        got = (await b.http.get(f"/api/sales/{sale['id']}")).json()
        assert got["status"] == "paid"
        history = (await a.http.get(f"/api/sales/{sale['id']}/history")).json()
        statuses = [e["to_status"] for e in history if e["kind"] == "status"]
        assert statuses == ["pending", "paid"]


@pytest.mark.postgres
async def test_reconcile_work_is_claimed_without_overlap(
    two_instances: tuple[Running, Running, FakeGateway], clock: FrozenClock
) -> None:
    a, b, gateway = two_instances
    for box in ("CAJA1", "CAJA2", "CAJA3"):
        await a.http.post("/api/sales", json={"cashbox": box, "items": ITEMS})
    clock.advance(5)
    gateway.calls.clear()
    claimed = await asyncio.gather(a.reconcile(), b.reconcile())
    assert sum(claimed) == 3
    assert gateway.calls.count("find") == 3


@pytest.mark.postgres
async def test_change_on_one_instance_reaches_sse_on_the_other(
    two_instances: tuple[Running, Running, FakeGateway],
) -> None:
    a, b, gateway = two_instances
    sale = (await a.http.post("/api/sales", json={"cashbox": "CAJA1", "items": ITEMS})).json()
    ready = asyncio.Event()
    reader = asyncio.create_task(sse_events(b.http, sale["id"], 2, ready))
    async with asyncio.timeout(10):
        await ready.wait()
    mo = gateway.scan("CAJA1")
    gateway.pay(mo)
    await a.http.post(f"/notifications?topic=merchant_order&id={mo.id}")
    await a.process()
    async with asyncio.timeout(10):
        events = await reader
    assert [e["status"] for e in events] == ["pending", "paid"]


@pytest.mark.postgres
async def test_two_instances_never_put_two_sales_on_one_cashbox(
    two_instances: tuple[Running, Running, FakeGateway],
) -> None:
    a, b, _ = two_instances
    body = {"cashbox": "CAJA1", "items": ITEMS}
    answers = await asyncio.gather(
        *(srv.http.post("/api/sales", json=body) for srv in (a, b, a, b))
    )
    assert sorted(r.status_code for r in answers) == [201, 409, 409, 409]


async def test_a_change_before_the_stream_subscribes_is_not_missed(
    seller: Running, gateway: FakeGateway
) -> None:
    """The stream's first event is the sale read for its 404 check, unless a change was
    delivered between that read and the subscription: then the sale is read again."""
    from types import SimpleNamespace

    from mpqr.seller.sales.endpoints import _stream

    sale = (await seller.http.post("/api/sales", json={"cashbox": "CAJA1", "items": ITEMS})).json()
    sales, broadcaster = seller.state.sales, seller.state.ctx.broadcaster
    request: Any = SimpleNamespace(app=seller.app)
    before = await sales.get(sale["id"])
    seen = broadcaster.delivered
    quiet = _stream(request, sales, before, seen)
    assert json.loads((await anext(quiet)).split("data: ")[1]) == json.loads(
        before.model_dump_json()
    )
    await quiet.aclose()
    mo = gateway.scan("CAJA1")
    gateway.pay(mo)
    await seller.http.post(f"/notifications?topic=merchant_order&id={mo.id}")
    await seller.process()  # paid and published after ``before`` was read
    late = _stream(request, sales, before, seen)
    first = json.loads((await anext(late)).split("data: ")[1])
    await late.aclose()
    assert (before.status, first["status"]) == ("pending", "paid")
