"""The sandbox's defaults are Mercado Pago's (issue 10): the rows of the fidelity table as tests."""

from __future__ import annotations

from typing import Any

import pytest
from sandbox_env import Env

from mpqr.sandbox.testing import Sandbox


def _orders_body(**extra: Any) -> dict[str, Any]:
    return {
        "type": "qr",
        "total_amount": "50",
        "external_reference": "ref-1",
        "config": {"qr": {"external_pos_id": "CAJA1", "mode": "static"}},
        "transactions": {"payments": [{"amount": "50"}]},
        **extra,
    }


def _order(env: Env, key: str = "k", **extra: Any) -> Any:
    r = env.http.post("/v1/orders", json=_orders_body(**extra), headers={"X-Idempotency-Key": key})
    assert r.status_code == 201, r.text
    return r.json()


def test_partial_refund_is_partially_refunded(env: Env, pos: dict[str, Any]) -> None:
    env.legacy(amount=100)
    pid = env.control("pay", {"pos_id": pos["id"]}, 201)["payment"]["id"]
    env.http.post(
        f"/v1/payments/{pid}/refunds", json={"amount": 10}, headers={"X-Idempotency-Key": "a"}
    )
    p = env.http.get(f"/v1/payments/{pid}").json()
    assert (p["status"], p["status_detail"]) == ("approved", "partially_refunded")


def test_orders_api_expires_after_15_minutes_by_default(env: Env) -> None:
    order = _order(env)
    assert order["total_amount"] == "50.00"  # "two decimals or none" in, two decimals out
    assert order["expiration_time"] == "PT15M"
    env.control("clock/advance", {"seconds": 899}, 200)
    assert env.http.get(f"/v1/orders/{order['id']}").json()["status"] == "created"
    env.control("clock/advance", {"seconds": 1}, 200)
    assert env.http.get(f"/v1/orders/{order['id']}").json()["status"] == "expired"


@pytest.mark.parametrize(
    ("extra", "detail"),
    [
        ({"expiration_time": "PT10S"}, "expiration_time must be between PT30S and PT3600H"),
        ({"expiration_time": "PT3601H"}, "expiration_time must be between PT30S and PT3600H"),
        ({"description": "x" * 151}, "description must be a string of at most 150 characters"),
        (
            {"items": [{"title": "a", "unit_price": "1.00", "quantity": 1}] * 11},
            "items must be a list of at most 10 items",
        ),
    ],
)
def test_orders_api_limits(env: Env, extra: dict[str, Any], detail: str) -> None:
    r = env.http.post("/v1/orders", json=_orders_body(**extra), headers={"X-Idempotency-Key": "l"})
    assert r.status_code == 400
    assert r.json()["errors"][0]["details"] == [detail]


def test_orders_api_reference_is_unique(env: Env) -> None:
    _order(env, "a", expiration_time="PT30S")
    r = env.http.post("/v1/orders", json=_orders_body(), headers={"X-Idempotency-Key": "b"})
    assert (r.status_code, r.json()["errors"][0]["code"]) == (400, "invalid_properties")


def test_orders_api_refund_entries(env: Env, pos: dict[str, Any]) -> None:
    order = _order(env)
    paid = env.control("pay", {"pos_id": pos["id"], "payment_method_id": "debvisa"}, 201)
    tx = order["transactions"]["payments"][0]["id"]
    for key, amount in (("r1", "10.00"), ("r2", "15.00")):
        body = {"transactions": [{"id": tx, "amount": amount}]}
        r = env.http.post(
            f"/v1/orders/{order['id']}/refund", json=body, headers={"X-Idempotency-Key": key}
        )
        assert r.status_code == 201, r.text
    got = env.http.get(f"/v1/orders/{order['id']}").json()
    refunds = got["transactions"]["refunds"]
    assert [r["amount"] for r in refunds] == ["10.00", "15.00"]
    assert all(r["id"].startswith("REF01") and len(r["id"]) == 29 for r in refunds)
    assert {r["transaction_id"] for r in refunds} == {tx}
    assert {r["status"] for r in refunds} == {"processed"}
    listed = env.http.get(f"/v1/payments/{paid['payment']['id']}/refunds").json()
    assert [str(x["id"]) for x in listed] == [r["reference_id"] for r in refunds]
    assert got["transactions"]["payments"][0]["payment_method"] == {
        "id": "debvisa",
        "type": "debit_card",
        "installments": 1,
    }


def test_payment_search_date_range_and_operation_type(env: Env, pos: dict[str, Any]) -> None:
    env.legacy()
    first = env.control("pay", {"pos_id": pos["id"]}, 201)["payment"]
    env.control("clock/advance", {"seconds": 3600}, 200)
    env.legacy()
    second = env.control("pay", {"pos_id": pos["id"], "payment_method_id": "visa"}, 201)["payment"]

    def ids(**params: str) -> list[int]:
        r = env.http.get("/v1/payments/search", params=params)
        assert r.status_code == 200, r.text
        return sorted(p["id"] for p in r.json()["results"])

    everything = sorted([first["id"], second["id"]])
    assert ids(operation_type="regular_payment") == everything
    assert ids(operation_type="money_transfer") == []
    assert ids(range="date_created", begin_date="NOW-30MINUTES", end_date="NOW") == [second["id"]]
    assert ids(range="date_approved", end_date=first["date_created"]) == [first["id"]]
    assert ids(payment_type_id="credit_card") == [second["id"]]
    r = env.http.get("/v1/payments/search", params={"begin_date": "yesterday"})
    assert (r.status_code, r.json()["cause"][0]["code"]) == (400, 1001)


@pytest.mark.parametrize(
    ("site_id", "offset"),
    [("MLA", "-03:00"), ("MLB", "-03:00"), ("MCO", "-05:00"), ("MPE", "-05:00"), ("MLM", "-06:00")],
)
def test_dates_in_the_sites_zone(site_id: str, offset: str) -> None:
    with Sandbox(seed=3, site_id=site_id, deliver=False) as sb:
        me = sb.request("GET", "/users/me")[1]
        pos = sb.create_pos("CAJA1")
        assert me["registration_date"].endswith(offset)
        assert pos["date_created"].endswith(offset)


def test_one_zone_for_every_site() -> None:
    with Sandbox(seed=3, site_id="MLM", deliver=False, time_zone="UTC") as sb:
        assert sb.create_pos("CAJA1")["date_created"].endswith("+00:00")


def test_merchant_order_fields_of_a_test_user(env: Env, pos: dict[str, Any]) -> None:
    assert env.v2().status_code == 204
    env.control(
        "pay",
        {"pos_id": pos["id"], "card_number": "5031 7557 3453 0604", "cardholder_name": "FUND"},
        201,
    )
    (mo,) = env.http.get(
        "/merchant_orders/search", params={"external_reference": "order-1"}
    ).json()["elements"]
    assert mo["collector"] == {
        "id": env.uid,
        "email": f"test_user_{env.uid}@testuser.com",
        "nickname": f"TESTUSER{env.uid}",
    }
    assert mo["is_test"] is True
    assert mo["client_id"] == mo["application_id"]
    assert mo["preference_id"].startswith(f"{env.uid}-")
    (rejected,) = mo["payments"]
    assert (rejected["status"], rejected["status_detail"]) == (
        "rejected",
        "cc_rejected_insufficient_amount",
    )
    assert rejected["date_approved"] == "0001-01-01T00:00:00.000+00:00"


def test_a_production_seller_is_not_a_test_user(env: Env) -> None:
    seller = env.control("users", {"site_id": "MLA", "test_user": False}, 201)
    auth = {"Authorization": f"Bearer {seller['access_token']}"}
    store = {"name": "S", "external_id": "S1", "location": {}}
    assert env.anon.post(f"/users/{seller['id']}/stores", json=store, headers=auth).is_success
    pos = {"name": "C", "fixed_amount": True, "external_store_id": "S1", "external_id": "CAJA1"}
    assert env.anon.post("/pos", json=pos, headers=auth).is_success
    headers = {**auth, "X-Idempotency-Key": "p"}
    order = env.anon.post("/v1/orders", json=_orders_body(), headers=headers).json()
    assert order["id"].startswith("ORD01")
    env.control("pay", {"user_id": seller["id"], "external_pos_id": "CAJA1"}, 201)
    found = env.anon.get(
        "/merchant_orders/search", params={"external_reference": "ref-1"}, headers=auth
    )
    assert found.json()["elements"][0]["is_test"] is False
