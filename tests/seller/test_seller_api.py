"""The sales API contract over a real server, with a fake Mercado Pago behind the Gateway."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import pytest
from seller_env import Running
from seller_fakes import FakeGateway

from mpqr.clock import FrozenClock

ITEMS = [{"title": "Pasta", "unit_price": "20.50", "quantity": 2}]


async def new_sale(seller: Running, **extra: Any) -> dict[str, Any]:
    r = await seller.http.post("/api/sales", json={"cashbox": "CAJA1", "items": ITEMS, **extra})
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


async def notify_mo(seller: Running, mo_id: str) -> None:
    r = await seller.http.post(f"/notifications?topic=merchant_order&id={mo_id}", content=b"")
    assert r.status_code == 200, r.text
    await seller.process()


async def test_create_sale_shape(seller: Running, gateway: FakeGateway) -> None:
    sale = await new_sale(seller, external_reference="FAC-1", expires_in=300)
    assert sale["status"] == "pending"
    assert sale["total_amount"] == "41.00"
    assert sale["currency_id"] == "ARS"
    assert sale["paid_amount"] == "0"
    assert sale["refunded_amount"] == "0"
    assert sale["external_reference"] == "FAC-1"
    assert sale["payments"] == []
    assert sale["merchant_order_ids"] == []
    assert sale["alerts"] == []
    assert set(sale) >= {"id", "cashbox", "created_at", "expires_at"}
    order = gateway.on_pos["CAJA1"]
    assert order.external_reference == "FAC-1"
    assert order.notification_url == seller.base_url + "/notifications"
    assert order.ttl_seconds == 300
    got = await seller.http.get(f"/api/sales/{sale['id']}")
    assert got.json() == sale


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"cashbox": "CAJA1", "items": []}, "items"),
        ({"cashbox": "CAJA1", "items": [{**ITEMS[0], "quantity": 0}]}, "items[0].quantity"),
        ({"cashbox": "CAJA1", "items": [{**ITEMS[0], "unit_price": "0"}]}, "items[0].unit_price"),
        ({"cashbox": "CAJA1", "items": [{**ITEMS[0], "unit_price": "-1"}]}, "items[0].unit_price"),
        (
            {"cashbox": "CAJA1", "items": [{**ITEMS[0], "unit_price": "1.001"}]},
            "items[0].unit_price",
        ),
        ({"cashbox": "CAJA1", "items": [{**ITEMS[0], "quantity": "two"}]}, "items[0].quantity"),
        ({"cashbox": "CAJA1", "items": ITEMS, "color": "red"}, "color"),
        ({"cashbox": 5, "items": ITEMS}, "cashbox"),
        ({"items": ITEMS}, "cashbox"),
        ({"cashbox": "CAJA1", "items": ITEMS, "expires_in": "soon"}, "expires_in"),
    ],
)
async def test_bad_input_is_422_naming_the_field(
    seller: Running, gateway: FakeGateway, body: dict[str, Any], field: str
) -> None:
    r = await seller.http.post("/api/sales", json=body)
    assert r.status_code == 422, r.text
    assert r.json()["field"] == field
    assert field in r.json()["message"]
    assert gateway.orders == []


async def test_clp_refuses_decimals(seller: Running, gateway: FakeGateway) -> None:
    gateway.currency = "CLP"
    items = [{"title": "Pan", "unit_price": "100.50", "quantity": 1}]
    r = await seller.http.post("/api/sales", json={"cashbox": "CAJA1", "items": items})
    assert r.status_code == 422
    assert "whole numbers" in r.json()["message"]


async def test_unknown_cashbox_404_and_pending_409(seller: Running) -> None:
    r = await seller.http.post("/api/sales", json={"cashbox": "NOPE", "items": ITEMS})
    assert r.status_code == 404
    first = await new_sale(seller)
    r = await seller.http.post("/api/sales", json={"cashbox": "CAJA1", "items": ITEMS})
    assert r.status_code == 409
    second = await new_sale(seller, replace=True)
    assert second["id"] != first["id"]
    old = (await seller.http.get(f"/api/sales/{first['id']}")).json()
    assert old["status"] == "cancelled"


async def test_mercadopago_refusing_fails_the_stored_sale(
    seller: Running, gateway: FakeGateway
) -> None:
    gateway.fail_with, gateway.fail_definite = 502, True
    body = {"cashbox": "CAJA1", "items": ITEMS}
    r = await seller.http.post("/api/sales", json=body, headers={"Idempotency-Key": "k1"})
    assert r.status_code == 502
    assert r.json()["reason"] == "mercadopago_refused"
    sale_id = r.json()["sale_id"]
    listed = (await seller.http.get("/api/sales")).json()["sales"]
    assert [(s["id"], s["status"]) for s in listed] == [(sale_id, "failed")]
    history = (await seller.http.get(f"/api/sales/{sale_id}/history")).json()
    assert history[-1]["to_status"] == "failed"
    assert "fake Mercado Pago is down" in history[-1]["detail"]["message"]
    gateway.fail_with = None
    again = await seller.http.post("/api/sales", json=body, headers={"Idempotency-Key": "k1"})
    assert (again.status_code, again.json()["sale_id"]) == (502, sale_id)  # the same answer
    fresh = await seller.http.post("/api/sales", json=body, headers={"Idempotency-Key": "k2"})
    assert fresh.status_code == 201  # a failed sale does not hold the cashbox


async def test_mercadopago_not_answering_leaves_the_sale_opening_until_recovery(
    seller: Running, gateway: FakeGateway, clock: FrozenClock
) -> None:
    gateway.fail_with = 503
    body = {"cashbox": "CAJA1", "items": ITEMS}
    r = await seller.http.post("/api/sales", json=body, headers={"Idempotency-Key": "k1"})
    assert r.status_code == 202
    assert r.json()["status"] == "opening"
    busy = await seller.http.post("/api/sales", json=body)
    assert (busy.status_code, busy.json()["reason"]) == (409, "cashbox_busy")
    gateway.fail_with = None
    assert await seller.state.recovery.run_once() == 0  # its lease still runs
    clock.advance(31)
    assert await seller.state.recovery.run_once() == 1
    sale = (await seller.http.get(f"/api/sales/{r.json()['id']}")).json()
    assert sale["status"] == "cancelled"
    assert "CAJA1" not in gateway.on_pos  # whatever the attempt left was taken off
    again = await seller.http.post("/api/sales", json=body, headers={"Idempotency-Key": "k1"})
    assert (again.status_code, again.json()["id"], again.json()["status"]) == (
        201,
        sale["id"],
        "cancelled",
    )


async def test_idempotency_key(seller: Running, gateway: FakeGateway) -> None:
    body = {"cashbox": "CAJA1", "items": ITEMS}
    headers = {"Idempotency-Key": "abc"}
    a = await seller.http.post("/api/sales", json=body, headers=headers)
    b = await seller.http.post("/api/sales", json=body, headers=headers)
    assert a.status_code == b.status_code == 201
    assert a.json()["id"] == b.json()["id"]
    assert len(gateway.orders) == 1
    other = await seller.http.post(
        "/api/sales", json={**body, "items": [{**ITEMS[0], "quantity": 3}]}, headers=headers
    )
    assert other.status_code == 422
    assert other.json()["field"] == "Idempotency-Key"


async def test_auth_required(seller: Running) -> None:
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic x"}):
        r = await seller.http.get("/api/sales", headers=headers or {"Authorization": ""})
        assert r.status_code == 401
    assert (await seller.http.get("/healthz", headers={"Authorization": ""})).status_code == 200


async def test_paid_through_notification(seller: Running, gateway: FakeGateway) -> None:
    sale = await new_sale(seller)
    mo = gateway.scan("CAJA1")
    await notify_mo(seller, mo.id)
    got = (await seller.http.get(f"/api/sales/{sale['id']}")).json()
    assert got["status"] == "pending"  # opened never pays
    assert got["merchant_order_ids"] == [mo.id]
    payment = gateway.pay(mo)
    await notify_mo(seller, mo.id)
    got = (await seller.http.get(f"/api/sales/{sale['id']}")).json()
    assert got["status"] == "paid"
    assert got["paid_amount"] == "41.00"
    assert got["payments"] == [
        {"id": payment.id, "status": "approved", "status_detail": "approved", "amount": "41.00"}
    ]
    history = (await seller.http.get(f"/api/sales/{sale['id']}/history")).json()
    kinds = [(e["kind"], e["source"], e["to_status"]) for e in history]
    # stored first (write-ahead), pending once the order is on the cashbox
    assert kinds[:2] == [("created", "api", "opening"), ("status", "api", "pending")]
    assert ("status", "notification", "paid") in kinds


async def test_rejected_then_approved(seller: Running, gateway: FakeGateway) -> None:
    sale = await new_sale(seller)
    mo = gateway.scan("CAJA1")
    gateway.pay(mo, "rejected")
    await notify_mo(seller, mo.id)
    got = (await seller.http.get(f"/api/sales/{sale['id']}")).json()
    assert got["status"] == "pending"
    assert got["payments"][0]["status"] == "rejected"
    gateway.pay(mo)
    await notify_mo(seller, mo.id)
    got = (await seller.http.get(f"/api/sales/{sale['id']}")).json()
    assert got["status"] == "paid"
    assert got["paid_amount"] == "41.00"


async def test_partial_and_over_payment_alerts(seller: Running, gateway: FakeGateway) -> None:
    sale = await new_sale(seller)
    mo = gateway.scan("CAJA1")
    gateway.pay(mo, amount=Decimal("20"))
    await notify_mo(seller, mo.id)
    got = (await seller.http.get(f"/api/sales/{sale['id']}")).json()
    assert got["status"] == "pending"
    assert got["alerts"] == ["partially_paid"]
    gateway.pay(mo, amount=Decimal("30"))
    await notify_mo(seller, mo.id)
    got = (await seller.http.get(f"/api/sales/{sale['id']}")).json()
    assert got["status"] == "paid"
    assert got["paid_amount"] == "50"
    assert got["alerts"] == ["partially_paid", "overpaid"]


async def test_amount_mismatch_alert(seller: Running, gateway: FakeGateway) -> None:
    sale = await new_sale(seller)
    mo = gateway.scan("CAJA1")
    mo.total = Decimal("10.00")  # Mercado Pago shows another total for our reference
    await notify_mo(seller, mo.id)
    got = (await seller.http.get(f"/api/sales/{sale['id']}")).json()
    assert got["alerts"] == ["amount_mismatch"]


async def test_rescans_are_summed_once(seller: Running, gateway: FakeGateway) -> None:
    sale = await new_sale(seller)
    first = gateway.scan("CAJA1")
    gateway.pay(first, "rejected")
    second = gateway.scan("CAJA1")
    gateway.pay(second)
    for mo_id in [first.id, second.id, second.id, first.id]:
        await notify_mo(seller, mo_id)
    got = (await seller.http.get(f"/api/sales/{sale['id']}")).json()
    assert got["status"] == "paid"
    assert got["paid_amount"] == "41.00"
    assert sorted(got["merchant_order_ids"]) == sorted([first.id, second.id])


async def test_cancel(seller: Running, gateway: FakeGateway) -> None:
    sale = await new_sale(seller)
    r = await seller.http.post(f"/api/sales/{sale['id']}/cancel")
    assert r.status_code == 200
    assert r.json()["status"] == "cancelled"
    assert "CAJA1" not in gateway.on_pos
    again = await seller.http.post(f"/api/sales/{sale['id']}/cancel")
    assert again.status_code == 200
    assert again.json()["status"] == "cancelled"


async def test_cancel_racing_a_payment(seller: Running, gateway: FakeGateway) -> None:
    """The customer paid but no notification arrived yet: cancel looks first and refuses."""
    sale = await new_sale(seller)
    gateway.pay(gateway.scan("CAJA1"))
    r = await seller.http.post(f"/api/sales/{sale['id']}/cancel")
    assert r.status_code == 409
    got = (await seller.http.get(f"/api/sales/{sale['id']}")).json()
    assert got["status"] == "paid"
    assert "delete_order" not in gateway.calls


async def test_paid_after_cancel(seller: Running, gateway: FakeGateway) -> None:
    sale = await new_sale(seller)
    mo = gateway.scan("CAJA1")  # the customer is already on the pay screen
    await seller.http.post(f"/api/sales/{sale['id']}/cancel")
    gateway.pay(mo)
    await notify_mo(seller, mo.id)
    got = (await seller.http.get(f"/api/sales/{sale['id']}")).json()
    assert got["status"] == "cancelled"
    assert got["alerts"] == ["paid_after_cancel"]
    assert got["paid_amount"] == "41.00"


async def test_expiry_and_paid_after_expiry(
    seller: Running, gateway: FakeGateway, clock: FrozenClock
) -> None:
    sale = await new_sale(seller, expires_in=60)
    mo = gateway.scan("CAJA1")
    clock.advance(61)
    assert await seller.reconcile() == 1
    got = (await seller.http.get(f"/api/sales/{sale['id']}")).json()
    assert got["status"] == "expired"
    gateway.pay(mo)  # a late payment from the pay screen
    clock.advance(30)
    await seller.reconcile()
    got = (await seller.http.get(f"/api/sales/{sale['id']}")).json()
    assert got["status"] == "expired"
    assert got["alerts"] == ["paid_after_expiry"]
    history = (await seller.http.get(f"/api/sales/{sale['id']}/history")).json()
    assert {e["source"] for e in history} == {"api", "reconcile"}


async def test_refunds_partial_then_full(seller: Running, gateway: FakeGateway) -> None:
    sale = await new_sale(seller)
    mo = gateway.scan("CAJA1")
    gateway.pay(mo)
    await notify_mo(seller, mo.id)
    headers = {"Idempotency-Key": "r1"}
    r = await seller.http.post(
        f"/api/sales/{sale['id']}/refund", json={"amount": "10.00"}, headers=headers
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "partially_refunded"
    assert r.json()["refunded_amount"] == "10.00"
    again = await seller.http.post(
        f"/api/sales/{sale['id']}/refund", json={"amount": "10.00"}, headers=headers
    )
    assert again.status_code == 200
    assert again.json()["refunded_amount"] == "10.00"
    assert len(gateway.refunds) == 1
    too_much = await seller.http.post(f"/api/sales/{sale['id']}/refund", json={"amount": "99"})
    assert too_much.status_code == 422
    assert too_much.json()["field"] == "amount"
    full = await seller.http.post(f"/api/sales/{sale['id']}/refund")
    assert full.status_code == 200
    assert full.json()["status"] == "refunded"
    assert full.json()["refunded_amount"] == "41.00"
    cancel = await seller.http.post(f"/api/sales/{sale['id']}/cancel")
    assert cancel.status_code == 409


async def test_refund_of_pending_sale_is_409(seller: Running) -> None:
    sale = await new_sale(seller)
    r = await seller.http.post(f"/api/sales/{sale['id']}/refund")
    assert r.status_code == 409


async def test_list_filters_and_cursor(
    seller: Running, gateway: FakeGateway, clock: FrozenClock
) -> None:
    ids = []
    for _ in range(3):
        ids.append((await new_sale(seller, replace=True))["id"])
        clock.advance(1)
    page = (await seller.http.get("/api/sales", params={"limit": 2})).json()
    assert [s["id"] for s in page["sales"]] == [ids[2], ids[1]]
    rest = (
        await seller.http.get("/api/sales", params={"limit": 2, "cursor": page["next_cursor"]})
    ).json()
    assert [s["id"] for s in rest["sales"]] == [ids[0]]
    assert rest["next_cursor"] is None
    pending = (await seller.http.get("/api/sales", params={"status": "pending"})).json()
    assert [s["id"] for s in pending["sales"]] == [ids[2]]
    none = (await seller.http.get("/api/sales", params={"cashbox": "OTHER"})).json()
    assert none["sales"] == []
    bad = await seller.http.get("/api/sales", params={"status": "weird"})
    assert bad.status_code == 422
    assert bad.json()["field"] == "status"
    # the cursor is URL-safe as it is (pasted into a query string without encoding)
    raw = await seller.http.get(f"/api/sales?limit=2&cursor={page['next_cursor']}")
    assert [s["id"] for s in raw.json()["sales"]] == [ids[0]]
    owner = await seller.http.get("/api/sales", params={"external_reference": ids[1]})
    assert [s["id"] for s in owner.json()["sales"]] == [ids[1]]
    forged = await seller.http.get("/api/sales", params={"cursor": "not-a-cursor"})
    assert (forged.status_code, forged.json()["field"]) == (422, "cursor")


async def test_concurrent_sales_on_one_cashbox_make_one_sale(
    seller: Running, gateway: FakeGateway
) -> None:
    body = {"cashbox": "CAJA1", "items": ITEMS}
    answers = await asyncio.gather(*(seller.http.post("/api/sales", json=body) for _ in range(4)))
    assert sorted(r.status_code for r in answers) == [201, 409, 409, 409]
    listed = (await seller.http.get("/api/sales", params={"status": "pending"})).json()
    assert len(listed["sales"]) == 1
