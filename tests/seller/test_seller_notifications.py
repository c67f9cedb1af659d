"""POST /notifications: every form of mp-api §11, dedupe, signatures, never trusting the body,
retries; plus logs, metrics, request ids, bootstrap and the QR posters."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from seller_env import API_KEY, Running, serve, settings_for
from seller_fakes import FakeGateway

from mpqr.clock import FrozenClock
from mpqr.ids import IdFactory
from mpqr.notifications import signature_header
from mpqr.seller.app import create_app
from mpqr.seller.logs import JsonFormatter, RedactFilter

ITEMS = [{"title": "Mate", "unit_price": "50", "quantity": 1}]
SECRET = "whsec-test-secret-xyz"


@pytest.fixture
async def signed(tmp_path: Any, clock: FrozenClock, gateway: FakeGateway) -> AsyncIterator[Running]:
    """A SQLite seller with a webhook secret configured."""

    def make(base: str) -> FastAPI:
        cfg = settings_for(f"sqlite:///{tmp_path}/s.db", base, webhook_secrets=(SECRET,))
        return create_app(cfg, clock=clock, gateway=gateway, ids=IdFactory(1))

    async with serve(make) as running:
        await running.http.post("/api/stores", json={"external_id": "S", "name": "S"})
        await running.http.post(
            "/api/cashboxes", json={"external_id": "CAJA1", "name": "C", "store_external_id": "S"}
        )
        yield running


async def paid_sale(seller: Running, gateway: FakeGateway) -> tuple[dict[str, Any], Any, Any]:
    r = await seller.http.post("/api/sales", json={"cashbox": "CAJA1", "items": ITEMS})
    mo = gateway.scan("CAJA1")
    payment = gateway.pay(mo)
    return r.json(), mo, payment


def forms(mo_id: str, payment_id: str) -> dict[str, tuple[str, bytes]]:
    """Each delivery form Mercado Pago uses (query, body)."""
    return {
        "ipn-merchant-order": (
            f"topic=merchant_order&id={mo_id}",
            json.dumps(
                {
                    "resource": f"https://api.mercadolibre.com/merchant_orders/{mo_id}",
                    "topic": "merchant_order",
                }
            ).encode(),
        ),
        "ipn-merchant-order-empty-body": (f"topic=merchant_order&id={mo_id}", b""),
        "ipn-payment": (
            f"topic=payment&id={payment_id}",
            json.dumps({"resource": payment_id, "topic": "payment"}).encode(),
        ),
        "webhook-payment": (
            f"data.id={payment_id}&type=payment",
            json.dumps(
                {
                    "id": 12345,
                    "live_mode": True,
                    "type": "payment",
                    "action": "payment.created",
                    "api_version": "v1",
                    "data": {"id": payment_id},
                }
            ).encode(),
        ),
        "webhook-merchant-order": (
            "",
            json.dumps(
                {
                    "action": "update",
                    "data": {"currency_id": "", "marketplace": "NONE", "status": "closed"},
                    "id": mo_id,
                    "status": "closed",
                    "type": "topic_merchant_order_wh",
                    "version": 1,
                }
            ).encode(),
        ),
        "webhook-merchant-order-query": (
            f"data.id={mo_id}&type=topic_merchant_order_wh",
            json.dumps(
                {"action": "update", "id": mo_id, "type": "topic_merchant_order_wh", "version": 2}
            ).encode(),
        ),
    }


@pytest.mark.parametrize(
    "form",
    [
        "ipn-merchant-order",
        "ipn-merchant-order-empty-body",
        "ipn-payment",
        "webhook-payment",
        "webhook-merchant-order",
        "webhook-merchant-order-query",
    ],
)
async def test_every_form_marks_paid(seller: Running, gateway: FakeGateway, form: str) -> None:
    sale, mo, payment = await paid_sale(seller, gateway)
    query, body = forms(mo.id, payment.id)[form]
    r = await seller.http.post(f"/notifications?{query}", content=body)
    assert r.status_code == 200, r.text
    assert r.json() == {"status": "received"}
    assert await seller.process() == 1
    got = (await seller.http.get(f"/api/sales/{sale['id']}")).json()
    assert got["status"] == "paid"


async def test_answer_needs_no_mercadopago_call(seller: Running, gateway: FakeGateway) -> None:
    gateway.fail_with = 503  # Mercado Pago down: the inbox still answers 200 at once
    r = await seller.http.post("/notifications?topic=merchant_order&id=1", content=b"")
    assert r.status_code == 200


async def test_duplicate_delivery(seller: Running, gateway: FakeGateway) -> None:
    sale, mo, _ = await paid_sale(seller, gateway)
    url = f"/notifications?topic=merchant_order&id={mo.id}"
    assert (await seller.http.post(url)).json()["status"] == "received"
    assert (await seller.http.post(url)).json()["status"] == "duplicate"
    assert await seller.process() == 1
    history_before = (await seller.http.get(f"/api/sales/{sale['id']}/history")).json()
    # the same IPN after processing is fetched again (the merchant order may have changed) ...
    assert (await seller.http.post(url)).json()["status"] == "refetch"
    assert await seller.process() == 1
    # ... and changes nothing when nothing changed
    history_after = (await seller.http.get(f"/api/sales/{sale['id']}/history")).json()
    assert history_after == history_before
    metrics = (await seller.http.get("/metrics")).text
    assert "mpqr_notifications_received_total 3.0" in metrics
    assert "mpqr_notifications_duplicates_total 2.0" in metrics
    assert "mpqr_notifications_processed_total 2.0" in metrics
    assert "mpqr_payment_to_paid_seconds_count" in metrics


async def test_body_is_never_trusted(seller: Running, gateway: FakeGateway) -> None:
    r = await seller.http.post("/api/sales", json={"cashbox": "CAJA1", "items": ITEMS})
    sale = r.json()
    mo = gateway.scan("CAJA1")  # opened, unpaid
    lie = {"id": mo.id, "type": "topic_merchant_order_wh", "status": "closed", "action": "update"}
    await seller.http.post("/notifications", json=lie)
    await seller.process()
    got = (await seller.http.get(f"/api/sales/{sale['id']}")).json()
    assert got["status"] == "pending"


async def test_unknown_topic_and_garbage(seller: Running) -> None:
    r = await seller.http.post("/notifications?topic=chargebacks&id=5")
    assert r.status_code == 200
    r = await seller.http.post(
        "/notifications?type=weird_topic&data.id=5", json={"type": "weird_topic"}
    )
    assert r.status_code == 200
    assert r.json()["status"] == "ignored"
    r = await seller.http.post("/notifications", content=b"not json")
    assert r.status_code == 400
    assert await seller.process() == 1  # the chargeback: nothing to fetch, marked processed


async def test_failures_retry_with_backoff(
    seller: Running, gateway: FakeGateway, clock: FrozenClock
) -> None:
    sale, mo, _ = await paid_sale(seller, gateway)
    gateway.fail_with = 503
    await seller.http.post(f"/notifications?topic=merchant_order&id={mo.id}")
    assert await seller.state.processor.run_once() == 1
    assert await seller.state.processor.run_once() == 0  # not due yet
    gateway.fail_with = None
    clock.advance(1)
    assert await seller.state.processor.run_once() == 1
    got = (await seller.http.get(f"/api/sales/{sale['id']}")).json()
    assert got["status"] == "paid"
    metrics = (await seller.http.get("/metrics")).text
    assert "mpqr_notifications_failed_total 1.0" in metrics


async def test_money_for_a_reference_no_sale_owns_is_kept_as_unmatched(
    seller: Running, gateway: FakeGateway, clock: FrozenClock
) -> None:
    """Every sale is stored before its order reaches Mercado Pago, so a notification for an
    unknown reference is settled at once: its money is an unmatched payment, never retried as
    "the sale is not stored yet"."""
    from seller_fakes import FakeMO

    mo = FakeMO("9001", "ELSEWHERE-1", Decimal("50"))
    gateway.mos[mo.id] = mo
    await seller.http.post(f"/notifications?topic=merchant_order&id={mo.id}")
    assert await seller.process() == 1
    assert (await seller.http.get("/api/unmatched-payments")).json() == {"payments": []}
    payment = gateway.pay(mo)
    await seller.http.post(f"/notifications?topic=merchant_order&id={mo.id}")
    assert await seller.process() == 1
    clock.advance(3600)
    assert await seller.process() == 0  # nothing left to retry
    listed = (await seller.http.get("/api/unmatched-payments")).json()["payments"]
    assert [
        (p["payment_id"], p["external_reference"], p["amount"], p["status"]) for p in listed
    ] == [(payment.id, "ELSEWHERE-1", "50", "approved")]
    metrics = (await seller.http.get("/metrics")).text
    assert "mpqr_unmatched_payments_total 1.0" in metrics
    # a sale cannot take over that reference (the money would count for it)
    taken = await seller.http.post(
        "/api/sales",
        json={"cashbox": "CAJA1", "items": ITEMS, "external_reference": "ELSEWHERE-1"},
    )
    assert (taken.status_code, taken.json()["reason"]) == (409, "reference_in_use")


async def test_signatures(signed: Running, gateway: FakeGateway, clock: FrozenClock) -> None:
    sale, _, payment = await paid_sale(signed, gateway)
    body = {"type": "payment", "action": "payment.updated", "data": {"id": payment.id}}
    ts = int(clock.now().timestamp())
    good = signature_header(SECRET, data_id=payment.id, request_id="req-1", ts=ts)
    bad = signature_header("other", data_id=payment.id, request_id="req-1", ts=ts)
    url = f"/notifications?data.id={payment.id}&type=payment"
    r = await signed.http.post(
        url, json=body, headers={"x-signature": bad, "x-request-id": "req-1"}
    )
    assert r.status_code == 401
    assert await signed.process() == 0  # nothing stored
    r = await signed.http.post(
        url, json=body, headers={"x-signature": good, "x-request-id": "req-1"}
    )
    assert r.status_code == 200
    r = await signed.http.post(f"/notifications?topic=payment&id={payment.id}")
    assert r.status_code == 200  # IPN is never signed: accepted, and only fetched
    await signed.process()
    assert (await signed.http.get(f"/api/sales/{sale['id']}")).json()["status"] == "paid"
    metrics = (await signed.http.get("/metrics")).text
    assert "mpqr_notifications_signature_failed_total 1.0" in metrics


async def test_request_ids_and_logs_without_tokens(
    seller: Running, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="mpqr")
    r = await seller.http.get("/api/sales", headers={"x-request-id": "rid-42"})
    assert r.headers["x-request-id"] == "rid-42"
    assert (await seller.http.get("/healthz")).headers["x-request-id"]
    await seller.http.post(
        "/api/sales", json={"cashbox": "CAJA1", "items": ITEMS}, headers={"x-request-id": "rid-43"}
    )
    formatter = JsonFormatter()
    redact = RedactFilter([settings_for("x", "y").mp_access_token, API_KEY])
    lines = []
    for record in caplog.records:
        redact.filter(record)
        lines.append(formatter.format(record))
    parsed = [json.loads(line) for line in lines]
    assert any(p["request_id"] == "rid-42" and p.get("status") == 200 for p in parsed)
    text = "\n".join(lines)
    assert "APP_USR-secret-token-123456" not in text
    assert API_KEY not in text
    assert repr(seller.state.ctx.settings).count("***") >= 2
    assert "APP_USR-secret" not in repr(seller.state.ctx.settings)


def test_redact_filter_masks_secrets() -> None:
    record = logging.LogRecord("mpqr", logging.INFO, "", 0, "token %s", ("APP_USR-abcdef",), None)
    RedactFilter(["APP_USR-abcdef"]).filter(record)
    assert "APP_USR-abcdef" not in JsonFormatter().format(record)


async def test_first_start_creates_admin_and_key(tmp_path: Any, gateway: FakeGateway) -> None:
    announced: list[str] = []

    def make(base: str) -> FastAPI:
        cfg = settings_for(f"sqlite:///{tmp_path}/b.db", base, api_key=None)
        return create_app(cfg, gateway=gateway, announce=announced.append)

    async with serve(make, api_key=None) as running:
        assert len(announced) == 1
        key = announced[0].split("API key: ")[1].strip()
        assert "user 'admin', password" in announced[0]
        ok = await running.http.get("/api/sales", headers={"Authorization": f"Bearer {key}"})
        assert ok.status_code == 200
    async with serve(make, api_key=None):
        assert len(announced) == 1  # printed once: the database is no longer empty


async def test_cashboxes_qr_and_sync(seller: Running, gateway: FakeGateway) -> None:
    boxes = (await seller.http.get("/api/cashboxes")).json()
    assert boxes[0]["external_id"] == "CAJA1"
    assert boxes[0]["mp_pos_id"]
    for kind, media in [("svg", "image/svg+xml"), ("png", "image/png"), ("pdf", "application/pdf")]:
        r = await seller.http.get(f"/api/cashboxes/CAJA1/qr.{kind}", headers={"Authorization": ""})
        assert r.status_code == 200, r.text
        assert r.headers["content-type"].startswith(media)
    from mpqr.seller.gateway import PosInfo

    gateway.pos["CAJA9"] = PosInfo("77", "CAJA9", "Caja 9", "S9", "0002019")
    r = await seller.http.post("/api/cashboxes/sync")
    assert [c["external_id"] for c in r.json()] == ["CAJA9"]
    assert (await seller.http.post("/api/cashboxes/sync")).json() == []
    r = await seller.http.post(
        "/api/cashboxes", json={"external_id": "CAJA1", "name": "dup", "store_external_id": "SUC1"}
    )
    assert r.status_code == 409
    r = await seller.http.post(
        "/api/cashboxes", json={"external_id": "C2", "name": "x", "store_external_id": "NOPE"}
    )
    assert r.status_code == 404


async def test_readyz_and_openapi(seller: Running) -> None:
    assert (await seller.http.get("/readyz")).json() == {"status": "ready"}
    spec = (await seller.http.get("/openapi.json")).json()
    for path in ["/api/sales", "/api/sales/{sale_id}/refund", "/notifications", "/api/cashboxes"]:
        assert path in spec["paths"]


async def test_restart_reconciles_open_sales_at_once(
    tmp_path: Any, gateway: FakeGateway, clock: FrozenClock
) -> None:
    def make(base: str) -> FastAPI:
        cfg = settings_for(f"sqlite:///{tmp_path}/r.db", base)
        return create_app(cfg, clock=clock, gateway=gateway, ids=IdFactory(2))

    async with serve(make) as running:
        await running.http.post("/api/stores", json={"external_id": "S", "name": "S"})
        await running.http.post(
            "/api/cashboxes", json={"external_id": "CAJA1", "name": "C", "store_external_id": "S"}
        )
        sale = (
            await running.http.post("/api/sales", json={"cashbox": "CAJA1", "items": ITEMS})
        ).json()
        journal = await running.state.ctx.db.engine.connect()
        try:
            import sqlalchemy as sa

            mode = (await journal.execute(sa.text("PRAGMA journal_mode"))).scalar()
        finally:
            await journal.close()
        assert mode == "wal"
    gateway.pay(gateway.scan("CAJA1"))  # paid while the server was down; no notification
    async with serve(make) as running:
        assert await running.reconcile() == 1  # due at start-up, no clock advance needed
        got = (await running.http.get(f"/api/sales/{sale['id']}")).json()
        assert got["status"] == "paid"


async def test_admin_password_gives_a_ui_login_next_to_an_api_key(
    tmp_path: Any, gateway: FakeGateway
) -> None:
    from mpqr.seller.auth import verify_password
    from mpqr.seller.db import Database
    from mpqr.seller.web.users import password_hash

    url = f"sqlite:///{tmp_path}/c.db"
    for password in ("first-pass-123", "second-pass-456"):

        def make(base: str, password: str = password) -> FastAPI:
            cfg = settings_for(url, base, admin_password=password)
            assert password not in repr(cfg)
            return create_app(cfg, gateway=gateway, announce=lambda _text: None)

        async with serve(make):
            pass
        db = Database(url)
        stored = await password_hash(db, "admin")
        await db.dispose()
        assert stored is not None
        assert verify_password(password, stored)


async def test_a_sale_paid_by_a_notification_is_no_longer_polled(
    seller: Running, gateway: FakeGateway, clock: FrozenClock
) -> None:
    """Once paid, nothing Mercado Pago could show changes the sale: the reconciler drops it in
    the same unit of work instead of searching for it once more. A pending sale is still polled."""
    _, mo, _ = await paid_sale(seller, gateway)
    await seller.http.post(f"/notifications?topic=merchant_order&id={mo.id}")
    assert await seller.process() == 1
    waiting = await seller.http.post("/api/sales", json={"cashbox": "CAJA1", "items": ITEMS})
    assert waiting.json()["status"] == "pending"
    clock.advance(seller.state.ctx.settings.reconcile_first_after + 1)
    assert await seller.reconcile() == 1  # the waiting sale only


async def test_notifications_for_unknown_orders_are_settled_after_three_tries(
    seller: Running, gateway: FakeGateway, clock: FrozenClock
) -> None:
    """Mercado Pago answers 404 for a forged or mistyped id: tried at 0, 1 and 3 s, then settled
    as failed. The failures of one run are recorded together: a flood of forged ids costs the
    database one unit of work per run, not one per id."""
    for n in range(5):
        r = await seller.http.post(f"/notifications?topic=merchant_order&id={777000 + n}")
        assert r.json() == {"status": "received"}
    commits = 0

    def count(_conn: Any) -> None:
        nonlocal commits
        commits += 1

    sa.event.listen(sa.Engine, "commit", count)
    try:
        assert await seller.state.processor.run_once() == 5
    finally:
        sa.event.remove(sa.Engine, "commit", count)
    assert commits == 2  # the claim, then the five failures
    for wait in (1, 2):
        assert await seller.state.processor.run_once() == 0  # not due yet
        clock.advance(wait)
        assert await seller.state.processor.run_once() == 5
    clock.advance(3600)
    assert await seller.state.processor.run_once() == 0  # settled: never fetched again
    assert gateway.calls.count("fetch") == 15
    metrics = (await seller.http.get("/metrics")).text
    assert 'mpqr_inbox_notifications{state="failed"} 5.0' in metrics
    assert 'mpqr_inbox_notifications{state="received"} 0.0' in metrics
