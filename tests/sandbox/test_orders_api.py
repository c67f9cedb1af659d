"""Orders API for QR (mp-api §6): create with idempotency, get, cancel, refund, expire."""

from __future__ import annotations

from typing import Any

import pytest
from sandbox_env import Env

from mpqr.qr.emvco import decode_mp_reference


def _body(**extra: Any) -> dict[str, Any]:
    return {
        "type": "qr",
        "total_amount": "50.00",
        "description": "Smartphone",
        "external_reference": "ext_ref_1234",
        "expiration_time": "PT16M",
        "notification_url": "http://127.0.0.1:9/orders",
        "config": {"qr": {"external_pos_id": "CAJA1", "mode": "static"}},
        "transactions": {"payments": [{"amount": "50.00"}]},
        "items": [
            {"title": "Smartphone", "unit_price": "50.00", "quantity": 1, "unit_measure": "unit"}
        ],
        **extra,
    }


def _create(env: Env, key: str = "k-1", **extra: Any) -> Any:
    r = env.http.post("/v1/orders", json=_body(**extra), headers={"X-Idempotency-Key": key})
    assert r.status_code == 201, r.text
    return r.json()


def test_create_static_order(env: Env, pos: dict[str, Any]) -> None:
    order = _create(env)
    assert order["id"].startswith("ORDTST01")  # the sandbox's sellers are test users
    assert len(order["id"]) == 32
    assert (order["status"], order["status_detail"], order["type"]) == ("created", "created", "qr")
    assert (order["currency"], order["country_code"], order["user_id"]) == (
        "ARS",
        "ARG",
        str(env.uid),
    )
    assert order["total_amount"] == "50.00"
    assert order["created_date"].endswith("Z")
    tx = order["transactions"]["payments"][0]
    assert tx["id"].startswith("PAY01")
    assert len(tx["id"]) == 29
    assert (tx["amount"], tx["status"], tx["status_detail"]) == (
        "50.00",
        "created",
        "ready_to_process",
    )
    assert order["config"] == {"qr": {"external_pos_id": "CAJA1", "mode": "static"}}
    assert env.http.get(f"/v1/orders/{order['id']}").json() == order
    scan = env.control("scan", {"pos_id": pos["id"]}, 200)
    assert scan["order"]["title"] == "Smartphone"


def test_idempotency(env: Env) -> None:
    first = _create(env, "same")
    again = _create(env, "same")
    assert first["id"] == again["id"]
    r = env.http.post(
        "/v1/orders", json=_body(description="other"), headers={"X-Idempotency-Key": "same"}
    )
    assert r.status_code == 409
    assert r.json()["errors"][0]["code"] == "idempotency_key_already_used"
    r = env.http.post("/v1/orders", json=_body())
    assert r.status_code == 400
    assert r.json()["errors"][0]["code"] == "required_header"


@pytest.mark.parametrize(
    ("change", "code", "detail"),
    [
        ({"transactions": None}, "required_properties", "missing properties: '$.transactions'"),
        ({"type": "point"}, "invalid_properties", "type must be 'qr'"),
        (
            {"total_amount": "50.5"},
            "invalid_properties",
            'total_amount must be positive with two decimals or none, e.g. "50.00"',
        ),
        (
            {"total_amount": "60.00"},
            "invalid_properties",
            "total_amount must equal the sum of transactions.payments[].amount",
        ),
        (
            {"external_reference": "has space"},
            "invalid_properties",
            "external_reference must be 1-64 letters, digits, '-' or '_'",
        ),
        (
            {"expiration_time": "15 minutes"},
            "invalid_properties",
            "expiration_time must be an ISO 8601 duration such as PT15M",
        ),
        (
            {"config": {"qr": {}}},
            "required_properties",
            "missing properties: '$.config.qr.external_pos_id'",
        ),
    ],
)
def test_validation_envelope(env: Env, change: dict[str, Any], code: str, detail: str) -> None:
    r = env.http.post("/v1/orders", json=_body(**change), headers={"X-Idempotency-Key": "v"})
    assert r.status_code == 400
    assert r.json()["errors"][0]["code"] == code
    assert r.json()["errors"][0]["details"] == [detail]


def test_unknown_pos_and_order(env: Env) -> None:
    config = {"qr": {"external_pos_id": "NOPE", "mode": "static"}}
    r = env.http.post("/v1/orders", json=_body(config=config), headers={"X-Idempotency-Key": "x"})
    assert (r.status_code, r.json()["errors"][0]["code"]) == (404, "pos_not_found")
    r = env.http.get("/v1/orders/ORD000")
    assert (r.status_code, r.json()["errors"][0]["code"]) == (404, "order_not_found")


def test_pay_processes_the_order_and_notifies(env: Env, pos: dict[str, Any]) -> None:
    order = _create(env)
    paid = env.control("pay", {"pos_id": pos["id"]}, 201)
    payment = paid["payment"]
    assert payment["point_of_interaction"]["references"] == [
        {"id": order["id"], "type": "ORDER_MP"}
    ]
    got = env.http.get(f"/v1/orders/{order['id']}").json()
    assert (got["status"], got["status_detail"]) == ("processed", "accredited")
    tx = got["transactions"]["payments"][0]
    assert (tx["reference_id"], tx["status"]) == (str(payment["id"]), "processed")
    assert got["total_paid_amount"] == "50.00"
    assert [(n.topic, n.action) for n in env.notices] == [("order", "order.processed")]
    assert env.notices[0].notification_url == "http://127.0.0.1:9/orders"
    r = env.http.post(f"/v1/orders/{order['id']}/cancel")
    assert (r.status_code, r.json()["errors"][0]["code"]) == (409, "order_status_conflict")


def test_pending_payment_processing_then_settled(env: Env, pos: dict[str, Any]) -> None:
    order = _create(env)
    pending = env.control("pay", {"pos_id": pos["id"], "status": "pending"}, 201)
    assert env.http.get(f"/v1/orders/{order['id']}").json()["status"] == "processing"
    env.control(f"payments/{pending['payment']['id']}/settle", {"status": "rejected"}, 200)
    assert env.http.get(f"/v1/orders/{order['id']}").json()["status"] == "created"


def test_cancel(env: Env, pos: dict[str, Any]) -> None:
    order = _create(env)
    r = env.http.post(f"/v1/orders/{order['id']}/cancel")
    assert r.status_code == 200
    assert (r.json()["status"], r.json()["transactions"]["payments"][0]["status_detail"]) == (
        "canceled",
        "canceled_by_api",
    )
    assert env.control("scan", {"pos_id": pos["id"]}, 200)["order"] is None
    assert [n.action for n in env.notices] == ["order.canceled"]


def test_a_cancelled_order_takes_no_late_payment(env: Env, pos: dict[str, Any]) -> None:
    """A customer still on the pay screen cannot pay an Orders API order cancelled meanwhile
    (it used to answer 500 after recording the payment)."""
    order = _create(env)
    scanned = env.control("scan", {"pos_id": pos["id"]}, 200)
    env.http.post(f"/v1/orders/{order['id']}/cancel")
    late = {"merchant_order_id": scanned["merchant_order_id"], "late": True}
    refused = env.control("pay", late, 400)
    assert refused["error"] == "order_not_available"
    state = env.anon.get("/_sandbox/state").json()
    assert state["payments"] == {}


def test_expiry(env: Env, pos: dict[str, Any]) -> None:
    order = _create(env, expiration_time="PT15M")
    env.control("clock/advance", {"seconds": 15 * 60}, 200)
    assert env.http.get(f"/v1/orders/{order['id']}").json()["status"] == "expired"
    assert [n.action for n in env.notices] == ["order.expired"]


def test_refund_partial_then_total(env: Env, pos: dict[str, Any]) -> None:
    order = _create(env)
    r = env.http.post(f"/v1/orders/{order['id']}/refund")
    assert (r.status_code, r.json()["errors"][0]["code"]) == (409, "order_status_conflict")
    env.control("pay", {"pos_id": pos["id"]}, 201)
    tx_id = order["transactions"]["payments"][0]["id"]
    partial = {"transactions": [{"id": tx_id, "amount": "10.00"}]}
    r = env.http.post(
        f"/v1/orders/{order['id']}/refund", json=partial, headers={"X-Idempotency-Key": "r1"}
    )
    assert r.status_code == 201
    assert (r.json()["status"], r.json()["status_detail"]) == ("processed", "partially_refunded")
    too_much = {"transactions": [{"id": tx_id, "amount": "45.00"}]}
    r = env.http.post(f"/v1/orders/{order['id']}/refund", json=too_much)
    assert (r.status_code, r.json()["errors"][0]["code"]) == (400, "invalid_refund_amount")
    r = env.http.post(f"/v1/orders/{order['id']}/refund")
    assert (r.status_code, r.json()["status"]) == (201, "refunded")
    assert [n.action for n in env.notices] == [
        "order.processed",
        "order.refunded",
        "order.refunded",
    ]


def test_a_refund_sent_again_with_its_key_answers_the_first_one(
    env: Env, pos: dict[str, Any]
) -> None:
    """A client whose answer was lost sends the refund again with the same key: even when that
    first refund left the order ``refunded``, it gets the first answer, not 409 and no second
    refund; another amount under that key is refused."""
    order = _create(env)
    env.control("pay", {"pos_id": pos["id"]}, 201)
    url = f"/v1/orders/{order['id']}/refund"
    first = env.http.post(url, headers={"X-Idempotency-Key": "all-1"})
    again = env.http.post(url, headers={"X-Idempotency-Key": "all-1"})
    assert (first.status_code, first.json()["status"]) == (201, "refunded")
    assert (again.status_code, again.json()) == (201, first.json())
    assert len(again.json()["transactions"]["refunds"]) == 1
    other = {"transactions": [{"id": order["transactions"]["payments"][0]["id"], "amount": "1.00"}]}
    r = env.http.post(url, json=other, headers={"X-Idempotency-Key": "all-1"})
    assert (r.status_code, r.json()["errors"][0]["code"]) == (409, "idempotency_key_already_used")
    r = env.http.post(url, headers={"X-Idempotency-Key": "all-2"})
    assert (r.status_code, r.json()["errors"][0]["code"]) == (409, "order_status_conflict")


def test_dynamic_and_hybrid_modes(env: Env, pos: dict[str, Any]) -> None:
    dyn = _create(
        env,
        "d",
        external_reference="dyn",
        config={"qr": {"external_pos_id": "CAJA1", "mode": "dynamic"}},
    )
    assert "qr_data" not in dyn  # only type_response.qr_data, as Mercado Pago answers
    dyn["qr_data"] = dyn["type_response"]["qr_data"]
    ref = decode_mp_reference(dyn["qr_data"])
    assert ref.order_id == dyn["id"]
    assert env.control("scan", {"pos_id": pos["id"]}, 200)["order"] is None
    assert env.control("scan", {"qr_data": dyn["qr_data"]}, 200)["order"]["total_amount"] == 50
    hyb = _create(
        env,
        "h",
        external_reference="hyb",
        config={"qr": {"external_pos_id": "CAJA1", "mode": "hybrid"}},
    )
    by_pos = env.control("scan", {"pos_id": pos["id"]}, 200)
    by_qr = env.control("scan", {"qr_data": hyb["type_response"]["qr_data"]}, 200)
    assert by_pos["merchant_order_id"] == by_qr["merchant_order_id"]


def test_a_new_static_order_cancels_the_waiting_one(env: Env) -> None:
    first = _create(env, "a")
    _create(env, "b", external_reference="second")
    assert env.http.get(f"/v1/orders/{first['id']}").json()["status"] == "canceled"


def test_non_finite_item_numbers_are_400(env: Env) -> None:
    raw = (
        '{"type":"qr","total_amount":"50.00","external_reference":"x",'
        '"config":{"qr":{"external_pos_id":"CAJA1"}},"transactions":{"payments":[{"amount":"50.00"}]},'
        '"items":[{"title":"a","unit_price":"1.00","quantity":Infinity}]}'
    )
    r = env.http.post(
        "/v1/orders",
        content=raw.encode(),
        headers={"X-Idempotency-Key": "inf", "Content-Type": "application/json"},
    )
    assert (r.status_code, r.json()["errors"][0]["code"]) == (400, "invalid_properties")
