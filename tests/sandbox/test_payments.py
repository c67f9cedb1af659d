"""Merchant orders (mp-api §9), payments (§10.1, §10.2) and refunds (§10.3)."""

from __future__ import annotations

from typing import Any

import pytest
from sandbox_env import Env


def _paid(env: Env, pos: dict[str, Any], amount: float = 120.0, **pay: Any) -> Any:
    env.legacy(amount=amount)
    return env.control("pay", {"pos_id": pos["id"], **pay}, 201)


def test_payment_fields(env: Env, pos: dict[str, Any]) -> None:
    paid = _paid(env, pos, payer_email="buyer@testuser.com")
    p = env.http.get(f"/v1/payments/{paid['payment']['id']}").json()
    assert p["order"] == {"id": str(paid["merchant_order"]["id"]), "type": "mercadopago"}
    assert (p["pos_id"], p["store_id"]) == (str(pos["id"]), pos["store_id"])
    assert p["point_of_interaction"]["type"] == "INSTORE"
    assert p["point_of_interaction"]["business_info"]["branch"] == "QR"
    assert (p["status"], p["status_detail"]) == ("approved", "accredited")
    assert (p["transaction_amount"], p["transaction_amount_refunded"]) == (120, 0)
    assert (p["external_reference"], p["collector_id"]) == ("F-1", env.uid)
    assert p["payer"]["email"] == "buyer@testuser.com"
    assert p["currency_id"] == "ARS"
    assert p["refunds"] == []
    assert p["date_approved"] is not None


def test_merchant_order_fields(env: Env, pos: dict[str, Any]) -> None:
    paid = _paid(env, pos)
    mo = env.http.get(f"/merchant_orders/{paid['merchant_order']['id']}").json()
    assert mo["preference_id"].startswith(f"{env.uid}-")
    assert (mo["status"], mo["order_status"], mo["paid_amount"]) == ("closed", "paid", 120)
    assert mo["collector"]["id"] == env.uid
    assert (mo["site_id"], mo["marketplace"], mo["cancelled"]) == ("MLA", "NONE", False)
    assert mo["payments"][0]["status"] == "approved"
    assert mo["items"][0]["title"] == "Shampoo"
    assert mo["notification_url"] == "http://127.0.0.1:9/hook"


def test_merchant_order_errors(env: Env) -> None:
    r = env.http.get("/merchant_orders/abc")
    assert r.json() == {
        "message": "invalid id.",
        "error": "invalid_format",
        "status": 400,
        "cause": [],
    }
    r = env.http.get("/merchant_orders/123")
    assert (r.status_code, r.json()["error"]) == (404, "not_found")
    r = env.http.get("/merchant_orders/search", params={"limit": "x"})
    assert (r.status_code, r.json()["error"], r.json()["message"]) == (
        400,
        "ds_search_query",
        "invalid query.",
    )
    r = env.http.get("/merchant_orders/search", params={"date_created_from": "yesterday"})
    assert r.status_code == 400


def test_merchant_order_search_filters_and_paging(env: Env, pos: dict[str, Any]) -> None:
    env.legacy(external_reference="A")
    for _ in range(3):
        env.control("scan", {"pos_id": pos["id"]}, 200)
    env.control("pay", {"pos_id": pos["id"]}, 201)
    search = env.http.get("/merchant_orders/search", params={"external_reference": "A"}).json()
    assert search["total"] == 3
    page = env.http.get("/merchant_orders/search", params={"limit": 2, "offset": 1}).json()
    assert (len(page["elements"]), page["next_offset"], page["total"]) == (2, 3, 3)
    closed = env.http.get("/merchant_orders/search", params={"status": "closed"}).json()
    assert closed["total"] == 1
    assert closed["elements"][0]["order_status"] == "paid"
    assert (
        env.http.get("/merchant_orders/search", params={"order_status": "payment_required"}).json()[
            "total"
        ]
        == 2
    )
    pref = closed["elements"][0]["preference_id"]
    assert (
        env.http.get("/merchant_orders/search", params={"preference_id": pref}).json()["total"] == 3
    )
    assert env.http.get("/merchant_orders", params={"site_id": "MLB"}).json() == {
        "elements": None,
        "next_offset": 0,
        "total": 0,
    }
    created = closed["elements"][0]["date_created"]
    since = env.http.get("/merchant_orders/search", params={"date_created_from": created}).json()
    assert since["total"] >= 1


def test_payment_search(env: Env, pos: dict[str, Any]) -> None:
    _paid(env, pos, status="rejected")
    env.control("pay", {"pos_id": pos["id"]}, 201)
    everything = env.http.get("/v1/payments/search").json()
    assert everything["paging"] == {"total": 2, "limit": 30, "offset": 0}
    for params, total in [
        ({"external_reference": "F-1"}, 2),
        ({"external_reference": "nope"}, 0),
        ({"pos_id": str(pos["id"])}, 2),
        ({"store_id": pos["store_id"]}, 2),
        ({"status": "approved"}, 1),
        ({"status": "rejected"}, 1),
    ]:
        assert env.http.get("/v1/payments/search", params=params).json()["paging"]["total"] == total
    asc = env.http.get("/v1/payments/search", params={"sort": "id", "criteria": "asc"}).json()
    ids = [p["id"] for p in asc["results"]]
    assert ids == sorted(ids, key=str)
    limited = env.http.get("/v1/payments/search", params={"limit": 1, "offset": 1}).json()
    assert len(limited["results"]) == 1


@pytest.mark.parametrize(
    ("params", "code", "message"),
    [
        ({"sort": "bogus"}, 1003, "Invalid sort value"),
        ({"criteria": "up"}, 1004, "Invalid criteria value"),
        ({"limit": "5000"}, 1000, "Number of rows exceeded the limits"),
        ({"limit": "x"}, 1, "Params Error"),
    ],
)
def test_payment_search_errors(env: Env, params: dict[str, str], code: int, message: str) -> None:
    r = env.http.get("/v1/payments/search", params=params)
    assert r.status_code == 400
    assert r.json()["cause"] == [{"code": code, "description": message}]
    assert r.json()["message"] == message


def test_payment_not_found(env: Env) -> None:
    r = env.http.get("/v1/payments/1")
    assert (r.status_code, r.json()["message"], r.json()["cause"][0]["code"]) == (
        404,
        "Payment not found",
        2000,
    )


def test_full_refund(env: Env, pos: dict[str, Any]) -> None:
    pid = _paid(env, pos)["payment"]["id"]
    before = len(env.notices)
    r = env.http.post(f"/v1/payments/{pid}/refunds", headers={"X-Idempotency-Key": "r-1"})
    assert r.status_code == 201
    refund = r.json()
    assert (refund["payment_id"], refund["amount"], refund["status"]) == (pid, 120, "approved")
    p = env.http.get(f"/v1/payments/{pid}").json()
    assert (p["status"], p["status_detail"], p["transaction_amount_refunded"]) == (
        "refunded",
        "refunded",
        120,
    )
    assert p["refunds"][0]["id"] == refund["id"]
    mo = env.http.get(f"/merchant_orders/{p['order']['id']}").json()
    assert (mo["status"], mo["order_status"], mo["refunded_amount"]) == ("closed", "reverted", 120)
    assert [(n.topic, n.action) for n in env.notices[before:]] == [
        ("payment", "payment.updated"),
        ("merchant_order", "update"),
    ]
    again = env.http.post(f"/v1/payments/{pid}/refunds", headers={"X-Idempotency-Key": "r-1"})
    assert (again.status_code, again.json()["id"]) == (201, refund["id"])
    other = env.http.post(f"/v1/payments/{pid}/refunds", headers={"X-Idempotency-Key": "r-2"})
    assert other.status_code == 400
    assert other.json()["cause"][0]["code"] == 3005


def test_partial_refunds(env: Env, pos: dict[str, Any]) -> None:
    pid = _paid(env, pos, amount=100.5)["payment"]["id"]
    r = env.http.post(
        f"/v1/payments/{pid}/refunds", json={"amount": 10.5}, headers={"X-Idempotency-Key": "a"}
    )
    assert (r.status_code, r.json()["amount"]) == (201, 10.5)
    p = env.http.get(f"/v1/payments/{pid}").json()
    assert (p["status"], p["transaction_amount_refunded"]) == ("approved", 10.5)
    mo = env.http.get(f"/merchant_orders/{p['order']['id']}").json()
    assert mo["order_status"] == "partially_reverted"
    over = env.http.post(
        f"/v1/payments/{pid}/refunds", json={"amount": 91}, headers={"X-Idempotency-Key": "b"}
    )
    assert over.status_code == 400
    assert over.json()["message"] == "Invalid refund amount"
    bad = env.http.post(
        f"/v1/payments/{pid}/refunds", json={"amount": "x"}, headers={"X-Idempotency-Key": "c"}
    )
    assert bad.status_code == 400
    rest = env.http.post(
        f"/v1/payments/{pid}/refunds", json={"amount": 90}, headers={"X-Idempotency-Key": "d"}
    )
    assert rest.status_code == 201
    assert env.http.get(f"/v1/payments/{pid}").json()["status"] == "refunded"
    listed = env.http.get(f"/v1/payments/{pid}/refunds").json()
    assert [x["amount"] for x in listed] == [10.5, 90]
    one = env.http.get(f"/v1/payments/{pid}/refunds/{listed[0]['id']}").json()
    assert one == listed[0]
    assert env.http.get(f"/v1/payments/{pid}/refunds/1").status_code == 404


def test_refund_needs_an_idempotency_key(env: Env, pos: dict[str, Any]) -> None:
    pid = _paid(env, pos)["payment"]["id"]
    r = env.http.post(f"/v1/payments/{pid}/refunds")
    assert r.json() == {
        "message": "Header X-Idempotency-Key can't be null",
        "error": "bad_request",
        "status": 400,
        "cause": [],
    }


def test_refund_of_a_rejected_payment(env: Env, pos: dict[str, Any]) -> None:
    pid = _paid(env, pos, status="rejected")["payment"]["id"]
    r = env.http.post(f"/v1/payments/{pid}/refunds", headers={"X-Idempotency-Key": "z"})
    assert r.status_code == 400
