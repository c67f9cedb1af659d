"""Every endpoint's method, path, query, body and headers, through Client and AsyncClient alike."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest

from mpqr.client.models import (
    DynamicQr,
    InstoreItem,
    InstoreOrderV1Request,
    InstoreOrderV1Response,
    InstoreOrderV2,
    InstoreOrderV2Item,
    InstoreOrderV2Request,
    MerchantOrder,
    MerchantOrderSearch,
    Order,
    OrderCreateRequest,
    Payment,
    PaymentSearch,
    Pos,
    PosCreateRequest,
    PosSearch,
    Refund,
    Store,
    StoreDeleted,
    StoreSearch,
    TestUser,
    User,
)

V1_ORDER = {
    "external_reference": "Factura-0001",
    "items": [
        {"title": "Shampoo", "currency_id": "ARS", "unit_price": "120.00", "quantity": 1},
    ],
}
V2_ORDER = {
    "external_reference": "order-1234",
    "title": "Compra",
    "total_amount": "100.00",
    "items": [
        {
            "title": "Pasta",
            "unit_price": 20,
            "quantity": 5,
            "unit_measure": "unit",
            "total_amount": 100,
        }
    ],
}
ORDERS_ORDER = {
    "external_reference": "mate-001",
    "total_amount": "500",
    "config": {"qr": {"external_pos_id": "POS001", "mode": "static"}},
    "transactions": {"payments": [{"amount": 500}]},
    "items": [{"title": "Agua", "unit_price": Decimal("500"), "quantity": 1}],
}
STORE = {"id": "1234567", "name": "Sucursal", "external_id": "S1"}
POS = {"id": 2711382, "name": "Caja", "fixed_amount": True, "external_id": "CAJA01"}
ORDER = {"id": "ORD01", "type": "qr", "status": "created", "total_amount": "500.00"}
MO = {"id": 99, "status": "closed", "order_status": "paid", "total_amount": 5, "payments": []}
PAYMENT = {"id": 137159042654, "status": "approved", "transaction_amount": 5200}
REFUND = {"id": 1009042015, "payment_id": 137159042654, "amount": 335.0, "status": "approved"}


@dataclass
class Case:
    call: str
    args: tuple[Any, ...]
    method: str
    path: str
    reply: Any = None
    status: int = 200
    kwargs: dict[str, Any] = field(default_factory=dict)
    query: dict[str, list[str]] = field(default_factory=dict)
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    result: type | None = None


CASES = [
    Case("users.me", (), "GET", "/users/me", {"id": 123456789, "site_id": "MLA"}, result=User),
    Case(
        "test_users.create",
        ("mla",),
        "POST",
        "/users/test_user",
        {"id": 1, "nickname": "TT1", "password": "qatest1"},
        status=201,
        body={"site_id": "MLA"},
        result=TestUser,
    ),
    Case(
        "stores.create",
        (123, {"name": "Sucursal", "external_id": "S1"}),
        "POST",
        "/users/123/stores",
        STORE,
        body={"name": "Sucursal", "external_id": "S1"},
        result=Store,
    ),
    Case("stores.get", ("1234567",), "GET", "/stores/1234567", STORE, result=Store),
    Case(
        "stores.update",
        (123, 1234567, {"name": "Nuevo"}),
        "PUT",
        "/users/123/stores/1234567",
        STORE,
        body={"name": "Nuevo"},
        result=Store,
    ),
    Case(
        "stores.delete",
        (123, 1234567),
        "DELETE",
        "/users/123/stores/1234567",
        {"store": 1234567, "user": 123},
        result=StoreDeleted,
    ),
    Case(
        "stores.search",
        (123,),
        "GET",
        "/users/123/stores/search",
        {"paging": {"total": 1, "offset": 0, "limit": 30}, "results": [STORE]},
        kwargs={"external_id": "S1", "limit": 30, "offset": 0},
        query={"external_id": ["S1"], "limit": ["30"], "offset": ["0"]},
        result=StoreSearch,
    ),
    Case(
        "pos.create",
        (PosCreateRequest(name="Caja", external_id="CAJA01", store_id="1234567", category=621102),),
        "POST",
        "/pos",
        POS,
        body={
            "name": "Caja",
            "fixed_amount": True,
            "external_id": "CAJA01",
            "store_id": "1234567",
            "category": 621102,
        },
        result=Pos,
    ),
    Case("pos.get", (2711382,), "GET", "/pos/2711382", POS, result=Pos),
    Case(
        "pos.update",
        (2711382, {"name": "Caja 2"}),
        "PUT",
        "/pos/2711382",
        POS,
        body={"name": "Caja 2"},
        result=Pos,
    ),
    Case("pos.delete", (2711382,), "DELETE", "/pos/2711382", None, status=204),
    Case(
        "pos.search",
        (),
        "GET",
        "/pos",
        {"paging": {"total": 1}, "results": [POS]},
        kwargs={
            "external_id": "CAJA01",
            "external_store_id": "S1",
            "store_id": 5,
            "category": 5611,
        },
        query={
            "external_id": ["CAJA01"],
            "external_store_id": ["S1"],
            "store_id": ["5"],
            "category": ["5611"],
        },
        result=PosSearch,
    ),
    Case(
        "qr_orders.create_v1",
        (123, "CAJA01", V1_ORDER),
        "POST",
        "/mpmobile/instore/qr/123/CAJA01",
        {"id": "123-3d2c", "total_amount": 120, "site_id": "MLA"},
        kwargs={"ttl_seconds": 300},
        body={
            "external_reference": "Factura-0001",
            "items": [{"title": "Shampoo", "currency_id": "ARS", "unit_price": 120, "quantity": 1}],
        },
        headers={"x-ttl-store-preference": "300"},
        result=InstoreOrderV1Response,
    ),
    Case(
        "qr_orders.delete_v1",
        (123, "CAJA 01"),
        "DELETE",
        "/mpmobile/instore/qr/123/CAJA%2001",
        None,
        status=204,
    ),
    Case(
        "qr_orders.put",
        (123, "CAJA01", V2_ORDER),
        "PUT",
        "/instore/qr/seller/collectors/123/pos/CAJA01/orders",
        None,
        status=204,
        body={**V2_ORDER, "total_amount": 100},
    ),
    Case(
        "qr_orders.put",
        (123, "CAJA01", V2_ORDER, "SUC001"),
        "PUT",
        "/instore/qr/seller/collectors/123/stores/SUC001/pos/CAJA01/orders",
        None,
        status=204,
        body={**V2_ORDER, "total_amount": 100},
    ),
    Case(
        "qr_orders.delete",
        (123, "CAJA01"),
        "DELETE",
        "/instore/qr/seller/collectors/123/pos/CAJA01/orders",
        None,
        status=204,
    ),
    Case(
        "qr_orders.create_dynamic",
        (123, "CAJA01", V2_ORDER),
        "POST",
        "/instore/orders/qr/seller/collectors/123/pos/CAJA01/qrs",
        {"qr_data": "000201010212", "in_store_order_id": "abc"},
        body={**V2_ORDER, "total_amount": 100},
        result=DynamicQr,
    ),
    Case(
        "qr_orders.put_hybrid",
        (123, "CAJA01", V2_ORDER),
        "PUT",
        "/instore/orders/qr/seller/collectors/123/pos/CAJA01/qrs",
        {"qr_data": "000201010212"},
        status=201,
        body={**V2_ORDER, "total_amount": 100},
        result=DynamicQr,
    ),
    Case(
        "orders.create",
        (ORDERS_ORDER,),
        "POST",
        "/v1/orders",
        ORDER,
        status=201,
        kwargs={"idempotency_key": "my-key-1"},
        body={
            **ORDERS_ORDER,
            "type": "qr",
            "total_amount": "500.00",
            "transactions": {"payments": [{"amount": "500.00"}]},
            "items": [{"title": "Agua", "unit_price": "500.00", "quantity": 1}],
        },
        headers={"x-idempotency-key": "my-key-1"},
        result=Order,
    ),
    Case("orders.get", ("ORD01",), "GET", "/v1/orders/ORD01", ORDER, result=Order),
    Case(
        "orders.cancel",
        ("ORD01",),
        "POST",
        "/v1/orders/ORD01/cancel",
        {**ORDER, "status": "canceled"},
        kwargs={"idempotency_key": "cancel-1"},
        headers={"x-idempotency-key": "cancel-1"},
        result=Order,
    ),
    Case(
        "orders.refund",
        ("ORD01",),
        "POST",
        "/v1/orders/ORD01/refund",
        {**ORDER, "status": "refunded"},
        status=201,
        result=Order,
    ),
    Case(
        "orders.refund",
        ("ORD01",),
        "POST",
        "/v1/orders/ORD01/refund",
        {**ORDER, "status": "processed", "status_detail": "partially_refunded"},
        status=201,
        kwargs={"amount": "10", "transaction_id": "PAY01"},
        body={"transactions": [{"id": "PAY01", "amount": "10.00"}]},
        result=Order,
    ),
    Case("merchant_orders.get", (99,), "GET", "/merchant_orders/99", MO, result=MerchantOrder),
    Case(
        "merchant_orders.search",
        (),
        "GET",
        "/merchant_orders/search",
        {"elements": [MO], "next_offset": 1, "total": 1},
        kwargs={
            "status": "closed",
            "preference_id": "p",
            "application_id": 1,
            "payer_id": 2,
            "sponsor_id": 3,
            "external_reference": "A1",
            "site_id": "MLA",
            "marketplace": "NONE",
            "date_created_from": "2024-01-01T00:00:00.000-03:00",
            "date_created_to": "2024-01-02T00:00:00.000-03:00",
            "last_updated_from": "2024-01-01T00:00:00.000-03:00",
            "last_updated_to": "2024-01-03T00:00:00.000-03:00",
            "items": "i1",
            "order_status": "paid",
            "limit": 10,
            "offset": 0,
        },
        query={
            "status": ["closed"],
            "preference_id": ["p"],
            "application_id": ["1"],
            "payer_id": ["2"],
            "sponsor_id": ["3"],
            "external_reference": ["A1"],
            "site_id": ["MLA"],
            "marketplace": ["NONE"],
            "date_created_from": ["2024-01-01T00:00:00.000-03:00"],
            "date_created_to": ["2024-01-02T00:00:00.000-03:00"],
            "last_updated_from": ["2024-01-01T00:00:00.000-03:00"],
            "last_updated_to": ["2024-01-03T00:00:00.000-03:00"],
            "items": ["i1"],
            "order_status": ["paid"],
            "limit": ["10"],
            "offset": ["0"],
        },
        result=MerchantOrderSearch,
    ),
    Case(
        "payments.get", (137159042654,), "GET", "/v1/payments/137159042654", PAYMENT, result=Payment
    ),
    Case(
        "payments.search",
        (),
        "GET",
        "/v1/payments/search",
        {"paging": {"total": 1, "limit": 30, "offset": 0}, "results": [PAYMENT]},
        kwargs={
            "external_reference": "A1",
            "pos_id": 122220915,
            "store_id": "72054947",
            "status": "approved",
            "sort": "date_created",
            "criteria": "desc",
            "limit": 30,
            "offset": 0,
            "begin_date": "NOW-1DAYS",
        },
        query={
            "external_reference": ["A1"],
            "pos_id": ["122220915"],
            "store_id": ["72054947"],
            "status": ["approved"],
            "sort": ["date_created"],
            "criteria": ["desc"],
            "limit": ["30"],
            "offset": ["0"],
            "begin_date": ["NOW-1DAYS"],
        },
        result=PaymentSearch,
    ),
    Case(
        "payments.refund",
        (137159042654,),
        "POST",
        "/v1/payments/137159042654/refunds",
        REFUND,
        status=201,
        result=Refund,
    ),
    Case(
        "payments.refund",
        (137159042654, Decimal("10.50")),
        "POST",
        "/v1/payments/137159042654/refunds",
        REFUND,
        status=201,
        body={"amount": 10.5},
        result=Refund,
    ),
    Case(
        "payments.list_refunds",
        (137159042654,),
        "GET",
        "/v1/payments/137159042654/refunds",
        [REFUND],
    ),
    Case(
        "payments.get_refund",
        (137159042654, 1009042015),
        "GET",
        "/v1/payments/137159042654/refunds/1009042015",
        REFUND,
        result=Refund,
    ),
]


def _id(case: Case) -> str:
    return f"{case.call}:{case.path}"


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
async def test_endpoint_wire_contract(api: Any, server: Any, case: Case) -> None:
    server.reply(case.status, case.reply)
    result = await api(case.call, *case.args, **case.kwargs)

    sent = server.last
    assert len(server.requests) == 1
    assert sent.method == case.method
    assert sent.path == case.path
    assert sent.query == case.query
    assert sent.json == case.body
    assert sent.headers["authorization"].startswith("Bearer APP_USR-")
    assert "access_token" not in sent.target
    for name, value in case.headers.items():
        assert sent.headers[name] == value
    if case.body is not None:
        assert sent.headers["content-type"] == "application/json"
    if case.method == "POST":
        assert sent.headers["x-idempotency-key"]
    else:
        assert "x-idempotency-key" not in sent.headers
    if case.result is not None:
        assert isinstance(result, case.result)
    elif case.status == 204:
        assert result is None


async def test_every_public_method_is_in_the_table(api: Any) -> None:
    covered = {c.call for c in CASES} | {"merchant_orders.iter_all", "payments.iter_all"}
    covered |= {"qr_orders.get"}  # its own tests below: array and object forms
    public = {
        f"{name}.{method}"
        for name in (
            "users",
            "test_users",
            "stores",
            "pos",
            "qr_orders",
            "orders",
            "merchant_orders",
            "payments",
        )
        for method in dir(getattr(api.client, name))
        if not method.startswith("_")
    }
    assert public == covered


async def test_post_gets_a_fresh_uuid4_idempotency_key_per_call(api: Any, server: Any) -> None:
    server.reply(200, {"id": "1-abc"}, times=2)
    await api("qr_orders.create_v1", 1, "CAJA01", V1_ORDER)
    await api("qr_orders.create_v1", 1, "CAJA01", V1_ORDER)
    first, second = (r.headers["x-idempotency-key"] for r in server.requests)
    assert first != second
    assert len(first) == 36
    assert first[14] == "4"


@pytest.mark.parametrize(
    "reply",
    [
        [{"external_reference": "12345", "total_amount": 100, "items": []}],
        {"external_reference": "12345", "total_amount": 100, "items": []},
    ],
    ids=["array", "object"],
)
async def test_v2_get_accepts_array_and_single_object(api: Any, server: Any, reply: Any) -> None:
    server.reply(200, reply)
    orders = await api("qr_orders.get", 123, "CAJA01")
    assert server.last.method == "GET"
    assert server.last.path == "/instore/qr/seller/collectors/123/pos/CAJA01/orders"
    assert len(orders) == 1
    assert isinstance(orders[0], InstoreOrderV2)
    assert orders[0].total_amount == Decimal(100)


@pytest.mark.parametrize("status", [201, 204])
async def test_hybrid_put_accepts_an_empty_answer(api: Any, server: Any, status: int) -> None:
    server.reply(status, None)
    assert await api("qr_orders.put_hybrid", 123, "CAJA01", V2_ORDER) is None


async def test_typed_request_models_are_accepted(api_mla: Any, server: Any) -> None:
    v1 = InstoreOrderV1Request(
        external_reference="F1",
        items=[
            InstoreItem(title="Shampoo", currency_id="ARS", unit_price=Decimal("120.5"), quantity=2)
        ],
    )
    server.reply(200, {"id": "1-abc"})
    await api_mla("qr_orders.create_v1", 1, "CAJA01", v1)
    assert server.last.json == {
        "external_reference": "F1",
        "items": [{"title": "Shampoo", "currency_id": "ARS", "unit_price": 120.5, "quantity": 2}],
    }
    v2 = InstoreOrderV2Request(
        external_reference="A1",
        title="Compra",
        total_amount=Decimal("100"),
        items=[
            InstoreOrderV2Item(
                title="Pasta", unit_price=Decimal(20), quantity=5, total_amount=Decimal(100)
            )
        ],
        notification_url="https://example.test/ipn",
    )
    server.reply(204)
    await api_mla("qr_orders.put", 1, "CAJA01", v2)
    assert server.last.json["items"][0] == {
        "title": "Pasta",
        "unit_price": 20,
        "quantity": 5,
        "unit_measure": "unit",
        "total_amount": 100,
    }
    order = OrderCreateRequest.simple(
        external_pos_id="CAJA01", total_amount="50", external_reference="A2", description="Mate"
    )
    server.reply(201, ORDER)
    await api_mla("orders.create", order)
    assert server.last.json == {
        "total_amount": "50.00",
        "external_reference": "A2",
        "config": {"qr": {"external_pos_id": "CAJA01", "mode": "static"}},
        "transactions": {"payments": [{"amount": "50.00"}]},
        "type": "qr",
        "description": "Mate",
    }


async def test_low_level_request(api: Any, server: Any) -> None:
    server.reply(200, {"ok": True})
    got = await api("request", "get", "/v1/anything", query={"a": "1"}, headers={"X-Extra": "y"})
    assert got == {"ok": True}
    assert server.last.target == "/v1/anything?a=1"
    assert server.last.headers["x-extra"] == "y"
    server.reply(204)
    assert await api("request", "POST", "/v1/x", json={"a": 1}, auto_idempotency_key=False) is None
    assert "x-idempotency-key" not in server.last.headers


def test_base_url_path_prefix_is_kept(server: Any) -> None:
    from mpqr import Client

    server.reply(200, {"id": 1})
    with Client("t", base_url=server.url + "/mp/") as client:
        client.users.me()
    assert server.last.path == "/mp/users/me"
