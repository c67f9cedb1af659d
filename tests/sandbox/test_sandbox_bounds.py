"""What keeps the sandbox's cost flat over a long life: searches by ``external_reference`` read an
index (that follows its table through inserts, resets and loaded state), finished deliveries and
in-memory notices are kept up to a bound, and the token is read as the security schemes say.
"""

from __future__ import annotations

import asyncio
import gc
import re
import tracemalloc
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

from starlette.requests import Request

from mpqr.clock import VirtualClock
from mpqr.sandbox.api.common import request_token
from mpqr.sandbox.delivery import DeliveryState, Outbox, OutgoingRequest, SendResult
from mpqr.sandbox.events import Notice
from mpqr.sandbox.lookup import ReferenceIndex
from mpqr.sandbox.state import MemorySink
from mpqr.sandbox.testing import Sandbox


def _record(seller_id: int, reference: str | None) -> SimpleNamespace:
    return SimpleNamespace(seller_id=seller_id, reference=reference)


def test_the_index_finds_by_seller_and_exact_reference() -> None:
    index: ReferenceIndex[int, SimpleNamespace] = ReferenceIndex(lambda r: r.reference)
    table: dict[int, SimpleNamespace] = {}
    for key, (seller, ref) in enumerate([(1, "A"), (2, "A"), (1, "B"), (1, "A"), (1, None)]):
        table[key] = _record(seller, ref)
        index.add(table, key, table[key])
    assert index.find(table, 1, "A") == [table[0], table[3]]
    assert index.find(table, 2, "A") == [table[1]]
    assert index.find(table, 1, "a") == []


def test_the_index_catches_up_with_records_it_was_not_told_of() -> None:
    index: ReferenceIndex[int, SimpleNamespace] = ReferenceIndex(lambda r: r.reference)
    table = {1: _record(1, "A")}
    assert index.find(table, 1, "A") == [table[1]]
    table[2] = _record(1, "A")  # stored without add()
    table[3] = _record(1, "A")
    index.add(table, 3, table[3])  # out of step: the next find rebuilds
    assert index.find(table, 1, "A") == [table[1], table[2], table[3]]
    replaced = {9: _record(1, "A")}  # a reset or a loaded state file
    assert index.find(replaced, 1, "A") == [replaced[9]]


def test_searches_by_reference_see_new_and_reloaded_records() -> None:
    from mpqr.sandbox.testing import Sandbox

    with Sandbox(seed=3, deliver=False) as sb:
        sb.create_pos("CAJA1")
        assert sb.seller is not None
        seller_id = sb.seller.id
        path = f"/instore/qr/seller/collectors/{seller_id}/pos/CAJA1/orders"
        for ref in ("R-1", "R-2"):
            body = {
                "external_reference": ref,
                "title": "T",
                "total_amount": 10,
                "items": [
                    {
                        "title": "I",
                        "unit_price": 10,
                        "quantity": 1,
                        "unit_measure": "unit",
                        "total_amount": 10,
                    }
                ],
            }
            status, _ = sb.request("PUT", path, body)
            assert status == 204
            sb.pay(user_id=sb.seller.id, external_pos_id="CAJA1")
        status, found = sb.request("GET", "/merchant_orders/search?external_reference=R-2")
        assert status == 200
        assert [mo["external_reference"] for mo in found["elements"]] == ["R-2"]
        status, paid = sb.request("GET", "/v1/payments/search?external_reference=R-1")
        assert [p["external_reference"] for p in paid["results"]] == ["R-1"]
        assert sb.app is not None
        state = sb.app.state.sandbox
        state.load_dict(state.to_dict())  # a state file read back: the tables are new objects
        status, found = sb.request("GET", "/merchant_orders/search?external_reference=R-1")
        assert found["total"] == 1
        sb.reset()
        status, found = sb.request("GET", "/merchant_orders/search?external_reference=R-1")
        assert found == {"elements": None, "next_offset": 0, "total": 0}


class _Ok:
    async def open(self) -> None: ...

    async def close(self) -> None: ...

    async def send(self, request: OutgoingRequest, timeout_s: float) -> SendResult:
        return SendResult(status_code=200, latency_ms=0.1)


def _notice(number: int) -> Notice:
    return Notice(
        seller_id=1,
        notification_url="http://127.0.0.1:9/hook?source_news=ipn",
        topic="merchant_order",
        resource_id=str(number),
        action="create",
        at=datetime(2026, 3, 1, tzinfo=UTC),
        status="opened",
    )


async def test_the_outbox_keeps_only_the_latest_finished_deliveries() -> None:
    outbox = Outbox(
        clock=VirtualClock(),
        secret_for=lambda uid: "s",
        base_url=lambda: "http://127.0.0.1:1",
        transport=_Ok(),
        keep_finished=5,
    )
    await outbox.start()
    try:
        for number in range(12):
            outbox.publish(_notice(number))
            await outbox.drain(5.0)
        kept = outbox.deliveries()
        assert [d.resource_id for d in kept] == [str(n) for n in range(7, 12)]
        assert all(d.state is DeliveryState.DELIVERED for d in kept)
        assert outbox.get(1) is None
        outbox.resend(kept[0].id)  # a resent one becomes the newest again
        await outbox.drain(5.0)
        outbox.publish(_notice(12))
        await asyncio.wait_for(outbox.drain(5.0), 6)
        assert [d.resource_id for d in outbox.deliveries()] == ["7", "9", "10", "11", "12"]
    finally:
        await outbox.stop()


def test_the_memory_sink_keeps_the_latest_notices() -> None:
    sink = MemorySink(keep=3)
    for number in range(10):
        sink.publish(_notice(number))
    assert 3 <= len(sink.notices) <= 6
    assert sink.notices[-1].resource_id == "9"


def _request(headers: dict[str, str], query: str = "") -> Request:
    raw = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    return Request({"type": "http", "headers": raw, "query_string": query.encode()})


def test_the_token_comes_from_a_bearer_header_then_the_query() -> None:
    assert request_token(_request({"Authorization": "Bearer  TOKEN "})) == "TOKEN"
    assert request_token(_request({"Authorization": "bearer T"}, "access_token=Q")) == "T"
    assert request_token(_request({"Authorization": "Basic X"}, "access_token=Q")) == "Q"
    assert request_token(_request({"Authorization": "Bearer "}, "access_token=Q")) == "Q"
    assert request_token(_request({}, "access_token=")) is None
    assert request_token(_request({})) is None


def test_no_path_is_served_by_two_route_families() -> None:
    """So the order in which the families are tried (the most called first) changes no answer."""
    from mpqr.sandbox import api, control, delivery, faults, web

    families = [*api.routers(), control.router, delivery.router, faults.router, web.router]
    routes = [(index, route) for index, family in enumerate(families) for route in family.routes]
    overlaps = []
    for index, route in routes:
        for value in ("123", "abc", "search", "me", "MLA", "CAJA1"):
            path = re.sub(r"\{[^}]+\}", value, route.path_format)
            overlaps += [
                (route.path_format, other.path_format)
                for other_index, other in routes
                if other_index != index
                and other.path_regex.match(path)
                and set(route.methods or ()) & set(other.methods or ())
            ]
    assert overlaps == []


def _order_body(reference: str) -> dict[str, Any]:
    item = {
        "sku_number": "SKU-1",
        "category": "marketplace",
        "title": "Point Mini",
        "unit_price": 150,
        "quantity": 1,
        "unit_measure": "unit",
        "total_amount": 150,
    }
    return {
        "external_reference": reference,
        "title": "Point Mini",
        "description": "Point Mini",
        "notification_url": "http://127.0.0.1:9/hook",
        "total_amount": 150,
        "items": [item],
    }


class _Discard:
    """A notice sink that keeps nothing: only the stored records are measured."""

    def publish(self, notice: Notice) -> None:
        pass

    def reset(self) -> None:
        pass


def test_a_sale_keeps_a_few_kilobytes_of_records() -> None:
    """Every record is kept (later GETs and searches read them), so each must be compact: a flow
    (order on a cashbox, payment) stores about 3 KB; as pydantic models with the order's parsed
    body it was about 10 KB. The bound leaves room for small additions, not for that again."""
    with Sandbox(seed=3, deliver=False) as sb:
        assert sb.seller is not None
        assert sb.app is not None
        sb.app.state.sandbox.sink = _Discard()
        sb.create_pos("CAJA1")
        seller_id = sb.seller.id
        path = f"/instore/qr/seller/collectors/{seller_id}/pos/CAJA1/orders"

        def flows(first: int, count: int) -> None:
            for n in range(first, first + count):
                body = _order_body(f"REF-{n}")
                assert sb.request("PUT", path, body)[0] == 204
                sb.pay(user_id=seller_id, external_pos_id="CAJA1")

        flows(0, 30)  # warm-up: lazy imports, caches, the first connection
        gc.collect()
        tracemalloc.start(1)
        try:
            before = tracemalloc.get_traced_memory()[0]
            flows(30, 150)
            gc.collect()
            per_flow = (tracemalloc.get_traced_memory()[0] - before) / 150
        finally:
            tracemalloc.stop()
        assert len(sb.app.state.sandbox.data.payments) == 180
    assert per_flow < 5_000, f"{per_flow:.0f} bytes per flow"
