"""Legacy attended orders (mp-api §3) and their lifecycle, driven by the simulated customer."""

from __future__ import annotations

from typing import Any

import pytest
from sandbox_env import Env


def test_post_returns_the_preference_and_delete_204(env: Env, pos: dict[str, Any]) -> None:
    pref = env.legacy(notification_url="www.yourserver.com")
    assert pref["id"].startswith(f"{env.uid}-")
    assert pref["total_amount"] == 120
    assert pref["collector_id"] == env.uid
    assert pref["notification_url"] == "http://www.yourserver.com"
    assert pref["site_id"] == "MLA"
    assert pref["operation_type"] == "regular_payment"
    r = env.http.delete(f"/mpmobile/instore/qr/{env.uid}/CAJA1")
    assert r.status_code == 204
    assert r.content == b""
    scan = env.control("scan", {"pos_id": pos["id"]}, 200)
    assert scan == {"merchant_order_id": None, "order": None}


def test_post_and_delete_by_numeric_pos_id(env: Env, pos: dict[str, Any]) -> None:
    body = {"items": [{"title": "X", "currency_id": "ARS", "unit_price": 10, "quantity": 2}]}
    r = env.http.post(f"/mpmobile/instore/qr/{pos['id']}", json=body)
    assert r.status_code == 200
    assert r.json()["total_amount"] == 20
    assert env.http.delete(f"/mpmobile/instore/qr/{pos['id']}").status_code == 204


@pytest.mark.parametrize(
    ("items", "message"),
    [
        (None, "items needed."),
        ([], "items needed."),
        ([1], "items invalid. Wrong format"),
        ([{"unit_price": 1, "quantity": 1}], "currency_id needed."),
        ([{"currency_id": "BRL", "unit_price": 1, "quantity": 1}], "currency_id invalid."),
        ([{"currency_id": "ARS", "unit_price": 1}], "quantity needed."),
        ([{"currency_id": "ARS", "unit_price": 1, "quantity": "a"}], "quantity must be a number."),
        ([{"currency_id": "ARS", "quantity": 1}], "unit_price needed."),
        (
            [{"currency_id": "ARS", "unit_price": "1", "quantity": 1}],
            "unit_price must be a number.",
        ),
        (
            [{"currency_id": "ARS", "quantity": 0, "unit_price": 1}],
            "quantity must be a positive integer: got 0",
        ),
        (
            [{"currency_id": "ARS", "unit_price": 1.234, "quantity": 1}],
            "unit_price invalid: ARS takes at most 2 decimals: got 1.234",
        ),
        (
            [{"currency_id": "ARS", "unit_price": -5, "quantity": 1}],
            "unit_price invalid: it must be greater than 0: got -5",
        ),
        (
            [{"currency_id": "ARS", "unit_price": 100000000, "quantity": 1}],
            "unit_price invalid: the limit is 99999999: got 100000000",
        ),
        (
            [{"currency_id": "ARS", "unit_price": 99999999, "quantity": 2}],
            "amount cannot be paid with Mercado Pago: the total 199999998 is above 99999999.",
        ),
    ],
)
def test_item_validation_uses_mp_keys(
    env: Env, pos: dict[str, Any], items: Any, message: str
) -> None:
    body = {} if items is None else {"items": items}
    r = env.http.post(f"/mpmobile/instore/qr/{env.uid}/CAJA1", json=body)
    assert r.status_code == 400
    assert r.json() == {"error": "invalid_items", "message": message, "status": 400, "causes": []}


@pytest.mark.parametrize("items", ["x", {"title": "not a list"}])
def test_items_not_a_list_is_an_invalid_preference_body(
    env: Env, pos: dict[str, Any], items: Any
) -> None:
    """What Mercado Pago answers (sdk-php issue 171), not invalid_items."""
    r = env.http.post(f"/mpmobile/instore/qr/{env.uid}/CAJA1", json={"items": items})
    assert r.json() == {
        "error": "invalid_preference_body",
        "message": "Invalid preference_body",
        "status": 400,
        "causes": [],
    }


def test_clp_needs_whole_numbers() -> None:
    from mpqr.sandbox.testing import Sandbox

    with Sandbox(seed=2, site_id="MLC", deliver=False) as sb:
        sb.create_pos("CAJA1")
        assert sb.seller is not None
        path = f"/mpmobile/instore/qr/{sb.seller.id}/CAJA1"
        item = {"currency_id": "CLP", "unit_price": 1000.5, "quantity": 1}
        status, body = sb.request("POST", path, {"items": [item]})
        assert (status, body["error"], body["message"]) == (
            400,
            "invalid_items",
            "unit_price invalid: CLP takes whole numbers: got 1000.5",
        )
        item["unit_price"] = 1000
        assert sb.request("POST", path, {"items": [item]})[0] == 200


@pytest.mark.parametrize(
    ("sponsor", "message"),
    [
        ("abc", "sponsor_id must be a number"),
        ("SELF", "sponsor_id should be different than collector_id."),
        (123, "sponsor_id not found."),
    ],
)
def test_sponsor_validation(env: Env, pos: dict[str, Any], sponsor: Any, message: str) -> None:
    body = {
        "sponsor_id": env.uid if sponsor == "SELF" else sponsor,
        "items": [{"currency_id": "ARS", "unit_price": 1, "quantity": 1}],
    }
    r = env.http.post(f"/mpmobile/instore/qr/{env.uid}/CAJA1", json=body)
    assert (r.status_code, r.json()["error"], r.json()["message"]) == (
        400,
        "invalid_sponsor_id",
        message,
    )


def test_unknown_pos_and_foreign_collector(env: Env) -> None:
    body = {"items": [{"currency_id": "ARS", "unit_price": 1, "quantity": 1}]}
    r = env.http.post(f"/mpmobile/instore/qr/{env.uid}/NOPE", json=body)
    assert r.status_code == 404
    assert r.json() == {
        "error": "pos_obtainment_error",
        "message": "Point of sale not found",
        "status": 404,
        "causes": [],
    }
    r = env.http.post("/mpmobile/instore/qr/123/CAJA1", json=body)
    assert (r.status_code, r.json()["error"]) == (400, "invalid_collector_id")
    r = env.http.post("/mpmobile/instore/qr/abc/CAJA1", json=body)
    assert r.json()["message"] == "collector_id must be a number."


def test_each_scan_creates_a_new_merchant_order(env: Env, pos: dict[str, Any]) -> None:
    env.legacy()
    first = env.control("scan", {"pos_id": pos["id"]}, 200)
    second = env.control("scan", {"user_id": env.uid, "external_pos_id": "caja1"}, 200)
    assert first["merchant_order_id"] != second["merchant_order_id"]
    assert first["order"] == {
        "title": "Shampoo",
        "items": [{"title": "Shampoo", "quantity": 1, "unit_price": 120, "picture_url": None}],
        "total_amount": 120,
        "currency_id": "ARS",
        "external_reference": "F-1",
    }
    mo = env.http.get(f"/merchant_orders/{first['merchant_order_id']}").json()
    assert (mo["status"], mo["order_status"]) == ("opened", "payment_required")
    creates = [n for n in env.notices if n.topic == "merchant_order" and n.action == "create"]
    assert [(n.version, n.status) for n in creates] == [(0, "opened"), (0, "opened")]


def test_rejected_then_approved_without_rescanning(env: Env, pos: dict[str, Any]) -> None:
    env.legacy()
    mo_id = env.control("scan", {"pos_id": pos["id"]}, 200)["merchant_order_id"]
    rejected = env.control("pay", {"pos_id": pos["id"], "status": "rejected"}, 201)
    assert rejected["payment"]["status_detail"] == "cc_rejected_other_reason"
    assert rejected["merchant_order"]["id"] == mo_id
    assert rejected["merchant_order"]["status"] == "opened"
    approved = env.control("pay", {"pos_id": pos["id"]}, 201)
    mo = approved["merchant_order"]
    assert mo["id"] == mo_id
    assert (mo["status"], mo["order_status"]) == ("closed", "paid")
    assert [p["status"] for p in mo["payments"]] == ["rejected", "approved"]
    # the POS order is consumed: the QR shows the waiting screen again
    assert env.control("scan", {"pos_id": pos["id"]}, 200)["order"] is None
    payment_actions = [n.action for n in env.notices if n.topic == "payment"]
    assert payment_actions == ["payment.created", "payment.created"]
    mo_notices = [
        (n.action, n.version, n.status) for n in env.notices if n.topic == "merchant_order"
    ]
    assert mo_notices == [("create", 0, "opened"), ("update", 1, "opened"), ("update", 2, "closed")]
    assert all(n.notification_url == "http://127.0.0.1:9/hook" for n in env.notices)


def test_partial_payments_then_total(env: Env, pos: dict[str, Any]) -> None:
    env.legacy(amount=100)
    first = env.control("pay", {"pos_id": pos["id"], "amount": 40}, 201)
    assert first["merchant_order"]["order_status"] == "partially_paid"
    assert first["merchant_order"]["status"] == "opened"
    rest = env.control("pay", {"pos_id": pos["id"]}, 201)
    assert rest["payment"]["transaction_amount"] == 60
    assert rest["merchant_order"]["order_status"] == "paid"
    assert rest["merchant_order"]["paid_amount"] == 100


def test_pending_then_settled(env: Env, pos: dict[str, Any]) -> None:
    env.legacy()
    pending = env.control("pay", {"pos_id": pos["id"], "status": "pending"}, 201)
    assert pending["payment"]["status_detail"] == "pending_waiting_payment"
    assert pending["merchant_order"]["order_status"] == "payment_in_process"
    pid = pending["payment"]["id"]
    settled = env.control(f"payments/{pid}/settle", {"status": "approved"}, 200)
    assert settled["payment"]["status"] == "approved"
    assert settled["merchant_order"]["status"] == "closed"
    again = env.anon.post(f"/_sandbox/payments/{pid}/settle", json={"status": "rejected"})
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_status"
    updates = [n.action for n in env.notices if n.topic == "payment"]
    assert updates == ["payment.created", "payment.updated"]


def test_in_process_settles_rejected(env: Env, pos: dict[str, Any]) -> None:
    env.legacy()
    pending = env.control("pay", {"pos_id": pos["id"], "status": "in_process"}, 201)
    assert pending["payment"]["status_detail"] == "pending_review_manual"
    pid = pending["payment"]["id"]
    settled = env.control(f"payments/{pid}/settle", {"status": "rejected"}, 200)
    assert settled["merchant_order"]["order_status"] == "payment_required"


def test_expiry_on_the_virtual_clock(env: Env, pos: dict[str, Any]) -> None:
    env.http.post(
        f"/mpmobile/instore/qr/{env.uid}/CAJA1",
        json={"items": [{"currency_id": "ARS", "unit_price": 5, "quantity": 1}]},
        headers={"X-Ttl-Store-Preference": "300"},
    )
    mo_id = env.control("scan", {"pos_id": pos["id"]}, 200)["merchant_order_id"]
    assert env.control("clock/advance", {"seconds": 299}, 200)["expired"] == 0
    assert env.control("clock/advance", {"seconds": 2}, 200)["expired"] == 1
    mo = env.http.get(f"/merchant_orders/{mo_id}").json()
    assert (mo["status"], mo["order_status"], mo["cancelled"]) == ("expired", "expired", True)
    assert env.notices[-1].status == "expired"
    assert env.notices[-1].action == "update"
    assert env.control("scan", {"pos_id": pos["id"]}, 200)["order"] is None


def test_default_ttl_is_ten_minutes(env: Env, pos: dict[str, Any]) -> None:
    env.legacy()
    env.control("clock/advance", {"seconds": 599}, 200)
    assert env.control("scan", {"pos_id": pos["id"]}, 200)["order"] is not None
    env.control("clock/advance", {"seconds": 1}, 200)
    assert env.control("scan", {"pos_id": pos["id"]}, 200)["order"] is None


def test_paying_a_deleted_order_needs_late(env: Env, pos: dict[str, Any]) -> None:
    env.legacy()
    mo_id = env.control("scan", {"pos_id": pos["id"]}, 200)["merchant_order_id"]
    env.http.delete(f"/mpmobile/instore/qr/{env.uid}/CAJA1")
    refused = env.anon.post("/_sandbox/pay", json={"pos_id": pos["id"]})
    assert refused.status_code == 400
    assert refused.json()["error"] == "no_order"
    refused = env.anon.post("/_sandbox/pay", json={"merchant_order_id": mo_id})
    assert refused.status_code == 400
    assert refused.json()["error"] == "order_not_available"
    late = env.control("pay", {"pos_id": pos["id"], "late": True}, 201)
    assert late["merchant_order"]["id"] == mo_id
    assert (late["merchant_order"]["status"], late["merchant_order"]["cancelled"]) == (
        "closed",
        True,
    )


def test_late_needs_a_scan_before(env: Env, pos: dict[str, Any]) -> None:
    env.legacy()
    env.http.delete(f"/mpmobile/instore/qr/{env.uid}/CAJA1")
    r = env.anon.post("/_sandbox/pay", json={"pos_id": pos["id"], "late": True})
    assert r.status_code == 400
    assert r.json()["error"] == "no_order"


def test_paying_an_unscanned_order_scans_first(env: Env, pos: dict[str, Any]) -> None:
    env.legacy()
    paid = env.control("pay", {"pos_id": pos["id"]}, 201)
    assert paid["merchant_order"]["status"] == "closed"
    assert [n.action for n in env.notices if n.topic == "merchant_order"] == ["create", "update"]


def test_new_order_replaces_the_old_one(env: Env, pos: dict[str, Any]) -> None:
    env.legacy(amount=10)
    old_mo = env.control("scan", {"pos_id": pos["id"]}, 200)["merchant_order_id"]
    env.legacy(amount=20)
    scan = env.control("scan", {"pos_id": pos["id"]}, 200)
    assert scan["order"]["total_amount"] == 20
    assert env.http.get(f"/merchant_orders/{old_mo}").json()["status"] == "expired"


def test_paying_a_closed_order_is_refused(env: Env, pos: dict[str, Any]) -> None:
    env.legacy()
    mo = env.control("pay", {"pos_id": pos["id"]}, 201)["merchant_order"]
    r = env.anon.post("/_sandbox/pay", json={"merchant_order_id": mo["id"]})
    assert r.status_code == 400
    assert r.json()["error"] == "order_closed"
