"""Iterators walk every page, and stop on the last, empty or non-advancing page."""

from __future__ import annotations

from typing import Any

from client_testkit import Api

from mpqr.client.models import MerchantOrderSearch, PaymentSearch
from mpqr.client.resources import merchant_orders, payments


def mo(i: int) -> dict[str, Any]:
    return {"id": i, "status": "closed"}


def pay(i: int) -> dict[str, Any]:
    return {"id": i, "status": "approved"}


async def test_merchant_orders_iter_all(api: Api, server: Any) -> None:
    server.reply(200, {"elements": [mo(1), mo(2)], "next_offset": 2, "total": 3})
    server.reply(200, {"elements": [mo(3)], "next_offset": 3, "total": 3})
    got = await api.collect("merchant_orders.iter_all", external_reference="A1", limit=2)
    assert [m.id for m in got] == [1, 2, 3]
    assert [r.query["offset"] for r in server.requests] == [["0"], ["2"]]
    assert all(r.query["external_reference"] == ["A1"] for r in server.requests)
    assert all(r.query["limit"] == ["2"] for r in server.requests)


async def test_merchant_orders_null_elements(api: Api, server: Any) -> None:
    server.reply(200, {"elements": None, "total": 0})
    assert await api.collect("merchant_orders.iter_all", external_reference="none") == []
    assert len(server.requests) == 1
    server.reply(200, {"elements": None, "total": 0})
    page = await api("merchant_orders.search", external_reference="none")
    assert page.elements == []


async def test_payments_iter_all(api: Api, server: Any) -> None:
    server.reply(
        200, {"paging": {"total": 3, "limit": 2, "offset": 0}, "results": [pay(1), pay(2)]}
    )
    server.reply(200, {"paging": {"total": 3, "limit": 2, "offset": 2}, "results": [pay(3)]})
    got = await api.collect("payments.iter_all", external_reference="A1", limit=2)
    assert [p.id for p in got] == [1, 2, 3]
    assert [r.query["offset"] for r in server.requests] == [["0"], ["2"]]


async def test_payments_iter_all_starts_at_given_offset(api: Api, server: Any) -> None:
    server.reply(200, {"paging": {"total": 12, "limit": 30, "offset": 10}, "results": [pay(11)]})
    server.reply(200, {"paging": {"total": 12, "limit": 30, "offset": 11}, "results": []})
    got = await api.collect("payments.iter_all", offset=10)
    assert [p.id for p in got] == [11]
    assert [r.query["offset"] for r in server.requests] == [["10"], ["11"]]


def test_next_offset_never_goes_backwards() -> None:
    stuck = MerchantOrderSearch.model_validate({"elements": [mo(1)], "next_offset": 0})
    assert merchant_orders.next_offset(stuck, 0) is None
    open_ended = MerchantOrderSearch.model_validate({"elements": [mo(1), mo(2)]})
    assert merchant_orders.next_offset(open_ended, 4) == 6
    page = PaymentSearch.model_validate({"paging": {"offset": 0}, "results": [pay(1)]})
    assert payments.next_offset(page, 0) == 1
    last = PaymentSearch.model_validate({"paging": {"total": 1, "offset": 0}, "results": [pay(1)]})
    assert payments.next_offset(last, 0) is None
