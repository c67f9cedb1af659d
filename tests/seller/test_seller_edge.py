"""Input at the edge and the error shape (issue 7, defects 2, 7, 8): every refusal is JSON
``{error, message, reason, request_id}``, made before anything is stored or sent."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from seller_env import Running
from seller_fakes import FakeGateway

from mpqr.clock import FrozenClock

ITEMS = [{"title": "Pasta", "unit_price": "20.50", "quantity": 2}]


def assert_problem(r: Any, status: int, reason: str) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/json")
    body: dict[str, Any] = r.json()
    assert body["reason"] == reason, body
    assert isinstance(body["error"], str)
    assert isinstance(body["message"], str)
    assert body["request_id"] == r.headers["x-request-id"]
    return body


@pytest.mark.parametrize(
    ("field", "value"),
    [("title", "a\u0000b"), ("title", "line\nbreak"), ("description", "tab\there")],
)
async def test_control_characters_are_refused_before_anything_happens(
    seller: Running, gateway: FakeGateway, field: str, value: str
) -> None:
    """Defect 2: on PostgreSQL a NUL used to fail after the order was on the cashbox."""
    item = {**ITEMS[0], field: value}
    r = await seller.http.post("/api/sales", json={"cashbox": "CAJA1", "items": [item]})
    body = assert_problem(r, 422, "control_characters")
    assert body["field"] == f"items[0].{field}"
    assert gateway.orders == []
    assert (await seller.http.get("/api/sales")).json()["sales"] == []


@pytest.mark.parametrize(
    ("price", "quantity", "field", "reason"),
    [
        ("99999999.01", 1, "items[0].unit_price", "amount_too_large"),
        ("50000000", 2, "items", "amount_too_large"),
        ("10.555", 1, "items[0].unit_price", "too_many_decimals"),
        ("0", 1, "items[0].unit_price", "not_positive"),
        ("abc", 1, "items[0].unit_price", "not_a_number"),
        ("10", 0, "items[0].quantity", "not_positive"),
    ],
)
async def test_amounts_mercado_pago_would_refuse_are_422_naming_the_field(
    seller: Running, gateway: FakeGateway, price: str, quantity: int, field: str, reason: str
) -> None:
    """Defect 8: amounts beyond Mercado Pago's limits used to come back as 502."""
    item = {"title": "x", "unit_price": price, "quantity": quantity}
    r = await seller.http.post("/api/sales", json={"cashbox": "CAJA1", "items": [item]})
    assert assert_problem(r, 422, reason)["field"] == field
    assert gateway.orders == []


async def test_whole_pesos_only_where_the_currency_has_no_cents(
    seller: Running, gateway: FakeGateway
) -> None:
    gateway.currency = "CLP"
    item = {"title": "x", "unit_price": "1000.50", "quantity": 1}
    r = await seller.http.post("/api/sales", json={"cashbox": "CAJA1", "items": [item]})
    assert assert_problem(r, 422, "too_many_decimals")["field"] == "items[0].unit_price"


async def test_every_error_is_json_with_a_request_id(seller: Running) -> None:
    """Defect 8: unparsable bodies and unknown paths answered ``{"detail": ...}``."""
    http = seller.http
    assert_problem(await http.get("/nowhere"), 404, "not_found")
    assert_problem(await http.delete("/api/sales"), 405, "method_not_allowed")
    r = await http.post(
        "/api/sales", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert_problem(r, 422, "malformed_body")
    r = await http.post(
        "/api/sales", content=b"cashbox=CAJA1", headers={"content-type": "text/plain"}
    )
    assert_problem(r, 415, "unsupported_media_type")
    assert_problem(await http.post("/api/sales", json=[1, 2]), 422, "malformed_body")
    r = await http.post("/api/sales", json={"cashbox": "CAJA1", "items": ITEMS, "x": 1})
    assert assert_problem(r, 422, "unknown_field")["field"] == "x"
    r = await http.get("/api/sales/S-NOPE")
    assert assert_problem(r, 404, "sale_not_found")["error"] == "not_found"
    unauth = await http.get("/api/sales", headers={"authorization": "Bearer wrong"})
    assert_problem(unauth, 401, "unauthorized")


async def test_bodies_over_64_kib_are_413(seller: Running) -> None:
    big = b'{"cashbox": "' + b"x" * (64 * 1024) + b'"}'
    r = await seller.http.post(
        "/api/sales", content=big, headers={"content-type": "application/json"}
    )
    assert_problem(r, 413, "body_too_large")

    async def chunks() -> Any:  # no Content-Length: counted as it streams
        for _ in range(70):
            yield b"x" * 1024

    r = await seller.http.post("/notifications?topic=merchant_order&id=1", content=chunks())
    assert_problem(r, 413, "body_too_large")


async def test_an_unhandled_error_is_a_logged_json_500(
    seller: Running, gateway: FakeGateway, caplog: pytest.LogCaptureFixture
) -> None:
    gateway.explode = True
    with caplog.at_level(logging.ERROR, logger="mpqr.seller.http"):
        r = await seller.http.post("/api/sales", json={"cashbox": "CAJA1", "items": ITEMS})
    body = assert_problem(r, 500, "internal")
    assert "Traceback" not in r.text
    assert "RuntimeError" not in r.text
    logged = [rec for rec in caplog.records if rec.name == "mpqr.seller.http"]
    assert logged
    assert logged[0].exc_info is not None
    assert getattr(logged[0], "request_id", None) == body["request_id"]


async def test_a_forged_notification_is_fetched_three_times_then_settled(
    seller: Running, gateway: FakeGateway, clock: FrozenClock
) -> None:
    """Defect 7: a made-up id was fetched from Mercado Pago up to 20 times."""
    r = await seller.http.post("/notifications?topic=merchant_order&id=424242424242")
    assert r.status_code == 200
    for _ in range(10):
        await seller.process()
        clock.advance(600)
    assert gateway.calls.count("fetch") == 3


async def test_the_inbox_keeps_few_unresolved_rows_per_resource(
    seller: Running, gateway: FakeGateway
) -> None:
    forms = [
        "/notifications?topic=merchant_order&id=777",
        "/notifications?id=777&topic=merchant_order&x=1",
        "/notifications?data.id=777&type=topic_merchant_order_wh",
    ]
    for i in range(12):
        url = forms[i % 3] + f"&n={i}"
        assert (await seller.http.post(url)).status_code == 200
    async with seller.state.ctx.db.transaction() as conn:
        from mpqr.seller.notifications import inbox

        counts = await inbox.counts(conn)
    assert counts.get("received", 0) <= 5
