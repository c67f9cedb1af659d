"""Instore v2 orders (mp-api §4) and dynamic / hybrid QR (§5)."""

from __future__ import annotations

from typing import Any

import pytest
from sandbox_env import Env

from mpqr.qr.emvco import decode_mp_reference, parse

NOT_FOUND = {
    "error": "point_of_sale_in_store_order_not_found",
    "message": "No associated order found.",
    "status": 404,
    "causes": [],
}


def _v2_path(env: Env, pos: str = "CAJA1") -> str:
    return f"/instore/qr/seller/collectors/{env.uid}/pos/{pos}/orders"


def test_put_204_creates_the_merchant_order_at_once(env: Env, pos: dict[str, Any]) -> None:
    r = env.v2()
    assert (r.status_code, r.content) == (204, b"")
    assert [(n.topic, n.action, n.status, n.version) for n in env.notices] == [
        ("merchant_order", "create", "opened", 0)
    ]
    mos = env.http.get("/merchant_orders/search", params={"external_reference": "order-1"}).json()
    assert mos["total"] == 1
    mo = mos["elements"][0]
    assert (mo["status"], mo["order_status"], mo["total_amount"]) == (
        "opened",
        "payment_required",
        100,
    )
    assert mo["items"][0]["id"] == "KS955RUR"
    assert mo["items"][0]["category_id"] == "COMIDA"
    # scanning shows that same merchant order (no new one per scan, unlike legacy)
    scan = env.control("scan", {"pos_id": pos["id"]}, 200)
    assert scan["merchant_order_id"] == mo["id"]
    assert scan["order"]["title"] == "Compra"
    assert env.control("scan", {"pos_id": pos["id"]}, 200)["merchant_order_id"] == mo["id"]


def test_put_with_store_path(env: Env) -> None:
    base = f"/instore/qr/seller/collectors/{env.uid}"
    body = {"external_reference": "x", "title": "t", "total_amount": 5, "cash_out": {"amount": 5}}
    r = env.http.put(f"{base}/stores/SUC001/pos/CAJA1/orders", json=body)
    assert r.status_code == 204
    r = env.http.put(f"{base}/stores/OTHER/pos/CAJA1/orders", json=body)
    assert (r.status_code, r.json()["error"]) == (404, "pos_obtainment_error")


def test_get_returns_an_array_then_404(env: Env) -> None:
    r = env.http.get(_v2_path(env))
    assert (r.status_code, r.json()) == (404, NOT_FOUND)
    env.v2(expiration_date="2999-08-22T16:34:56.559-04:00")
    got = env.http.get(_v2_path(env)).json()
    assert isinstance(got, list)
    assert got[0]["external_reference"] == "order-1"
    assert got[0]["user_id"] == env.uid
    assert got[0]["external_pos_id"] == "CAJA1"
    assert got[0]["expiration_date"] == "2999-08-22T16:34:56.559-04:00"
    assert got[0]["notification_url"] == "http://127.0.0.1:9/hook"


def test_delete_204_then_documented_500(env: Env, pos: dict[str, Any]) -> None:
    env.v2()
    assert env.http.delete(_v2_path(env)).status_code == 204
    mo = env.http.get("/merchant_orders/search").json()["elements"][0]
    assert (mo["status"], mo["cancelled"]) == ("expired", True)
    r = env.http.delete(_v2_path(env))
    assert r.status_code == 500
    assert r.json() == {
        "error": "in_store_order_creation_error",
        "message": "Failed to delete order.",
        "status": 500,
        "causes": [],
    }


def test_delete_204_switch() -> None:
    from mpqr.sandbox.testing import Sandbox

    with Sandbox(seed=3, deliver=False, v2_delete_204=True) as sb:
        sb.create_pos("CAJA1")
        assert sb.seller is not None
        path = f"/instore/qr/seller/collectors/{sb.seller.id}/pos/CAJA1/orders"
        assert sb.request("DELETE", path)[0] == 204


@pytest.mark.parametrize(
    ("change", "key", "message"),
    [
        (
            {"external_reference": None},
            "invalid_external_reference",
            "external_reference must be present.",
        ),
        (
            {"external_reference": 5},
            "invalid_external_reference",
            "external_reference must be string",
        ),
        ({"title": None}, "invalid_title", "title must be present."),
        ({"title": 1}, "invalid_title", "title must be string"),
        ({"description": 1}, "invalid_description", "description must be string"),
        ({"total_amount": None}, "invalid_total_amount", "total_amount must be present."),
        ({"total_amount": "100"}, "invalid_total_amount", "total_amount must be number"),
        ({"sponsor": {}}, "invalid_id", "sponsor.id must be present."),
        ({"sponsor": {"id": "x"}}, "invalid_sponsor.id", "sponsor.id must be number."),
        (
            {"items": None},
            "error_creating_seller_qr_order",
            "The cash out is required when order has no items.",
        ),
        ({"items": None, "cash_out": {}}, "invalid_amount", "cash_out.amount must be present."),
        (
            {"items": None, "cash_out": {"amount": "1"}},
            "invalid_cash_out.amount",
            "cash_out.amount must be number.",
        ),
        (
            {"expiration_date": "2001-01-01T00:00:00.000-04:00"},
            "invalid_expiration_date",
            "Expiration date must be a valid and future date.",
        ),
        (
            {"expiration_date": "tomorrow"},
            "invalid_expiration_date",
            "Expiration date must be a valid and future date.",
        ),
    ],
)
def test_put_validation(env: Env, change: dict[str, Any], key: str, message: str) -> None:
    r = env.v2(**change)
    assert r.status_code == 400
    assert r.json() == {"error": key, "message": message, "status": 400, "causes": []}


@pytest.mark.parametrize(
    ("item_change", "key", "message"),
    [
        ({"title": None}, "invalid_title", "title must be present."),
        ({"title": 3}, "invalid_items.title", "items.title must be string."),
        ({"unit_measure": None}, "invalid_unit_measure", "unit_measure must be present."),
        ({"unit_measure": 1}, "invalid_items.unit_measure", "items.unit_measure must be string."),
        ({"quantity": None}, "invalid_quantity", "quantity must be present."),
        ({"quantity": "5"}, "invalid_items.quantity", "items.quantity must be number."),
        ({"unit_price": None}, "invalid_unit_price", "unit_price must be present."),
        ({"unit_price": "2"}, "invalid_items.unit_price", "items.unit_price must be number."),
        ({"total_amount": "2"}, "invalid_items.total_amount", "items.total_amount must be number."),
        ({"sku_number": 1}, "invalid_items.sku_number", "items.sku_number must be string."),
        ({"category": 1}, "invalid_items.category", "items.category must be string."),
        ({"description": 1}, "invalid_items.description", "items.description must be string."),
        ({"currency_id": 1}, "invalid_items.currency_id", "items.currency_id must be string."),
    ],
)
def test_put_item_validation(env: Env, item_change: dict[str, Any], key: str, message: str) -> None:
    item = {
        "title": "Pasta",
        "unit_price": 20,
        "quantity": 5,
        "unit_measure": "unit",
        "total_amount": 100,
    }
    item.update(item_change)
    r = env.v2(items=[item])
    assert r.status_code == 400
    assert (r.json()["error"], r.json()["message"]) == (key, message)


def test_unknown_pos_and_bad_collector(env: Env) -> None:
    r = env.v2("NOPE")
    assert r.status_code == 404
    assert r.json() == {
        "error": "pos_obtainment_error",
        "message": "Point of sale not found",
        "status": 404,
        "causes": [],
    }
    r = env.http.get("/instore/qr/seller/collectors/abc/pos/CAJA1/orders")
    assert (r.status_code, r.json()["error"]) == (400, "invalid_collectorId")
    assert r.json()["message"] == "user_id must be a number."


def test_v2_expiration_date_expires_on_the_clock(env: Env, pos: dict[str, Any]) -> None:
    now = env.control("clock/advance", {"seconds": 0}, 200)["now"]
    from datetime import datetime, timedelta

    when = (datetime.fromisoformat(now) + timedelta(minutes=5)).isoformat(timespec="milliseconds")
    assert env.v2(expiration_date=when).status_code == 204
    env.control("clock/advance", {"seconds": 301}, 200)
    assert env.http.get(_v2_path(env)).status_code == 404
    mo = env.http.get("/merchant_orders/search").json()["elements"][0]
    assert mo["status"] == "expired"


def test_v2_paid_consumes_the_pos_order(env: Env, pos: dict[str, Any]) -> None:
    env.v2()
    paid = env.control("pay", {"pos_id": pos["id"]}, 201)
    assert paid["merchant_order"]["status"] == "closed"
    assert paid["payment"]["external_reference"] == "order-1"
    assert env.http.get(_v2_path(env)).status_code == 404


def test_v2_replace(env: Env) -> None:
    env.v2(total=100)
    env.v2(total=50)
    mos = env.http.get("/merchant_orders/search").json()["elements"]
    assert [(m["total_amount"], m["status"]) for m in mos] == [(100, "expired"), (50, "opened")]


def _qrs(env: Env) -> str:
    return f"/instore/orders/qr/seller/collectors/{env.uid}/pos/CAJA1/qrs"


def test_dynamic_qr(env: Env, pos: dict[str, Any]) -> None:
    body = {
        "external_reference": "dyn-1",
        "title": "Dyn",
        "total_amount": 30,
        "cash_out": {"amount": 0},
    }
    r = env.http.post(_qrs(env), json=body)
    assert r.status_code == 200
    qr = r.json()
    parse(qr["qr_data"])  # a valid CRC
    ref = decode_mp_reference(qr["qr_data"])
    assert (ref.kind, ref.order_id) == ("dynamic", qr["in_store_order_id"])
    # not on the POS's printed QR
    assert env.control("scan", {"pos_id": pos["id"]}, 200)["order"] is None
    scan = env.control("scan", {"qr_data": qr["qr_data"]}, 200)
    assert scan["order"]["total_amount"] == 30
    paid = env.control("pay", {"qr_data": qr["qr_data"]}, 201)
    assert paid["merchant_order"]["status"] == "closed"


def test_dynamic_notification_url_must_be_url(env: Env) -> None:
    body = {"external_reference": "d", "title": "D", "total_amount": 3, "cash_out": {"amount": 0}}
    r = env.http.post(_qrs(env), json={**body, "notification_url": "not a url"})
    assert r.json() == {
        "error": "invalid_notification_url",
        "message": "notification_url must be url.",
        "status": 400,
        "causes": [],
    }


def test_hybrid_qr(env: Env, pos: dict[str, Any]) -> None:
    body = {
        "external_reference": "hyb-1",
        "title": "Hyb",
        "total_amount": 30,
        "cash_out": {"amount": 0},
    }
    r = env.http.put(_qrs(env), json=body)
    assert r.status_code == 201
    assert set(r.json()) == {"qr_data", "in_store_order_id"}
    static = env.control("scan", {"pos_id": pos["id"]}, 200)
    dynamic = env.control("scan", {"qr_data": r.json()["qr_data"]}, 200)
    assert static["merchant_order_id"] == dynamic["merchant_order_id"]
    assert env.http.get(_qrs(env)).json()[0]["external_reference"] == "hyb-1"
    assert env.http.delete(_qrs(env)).status_code == 204
    assert env.http.delete(_qrs(env)).status_code == 500


def test_scan_of_a_bad_qr(env: Env) -> None:
    r = env.anon.post("/_sandbox/scan", json={"qr_data": "000201nonsense"})
    assert (r.status_code, r.json()["error"]) == (400, "invalid_qr")
