"""End to end: the seller server, its real gateway and client, and the mpqr sandbox."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from seller_e2e import e2e, eventually

from mpqr.sandbox.testing import Sandbox
from mpqr.seller.settings import Integration

INTEGRATIONS = [Integration.INSTORE_V1, Integration.INSTORE_V2, Integration.ORDERS]


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(seed=5) as sb:
        yield sb


@pytest.fixture
def sqlite_url(tmp_path: object) -> str:
    return f"sqlite:///{tmp_path}/e2e.db"


@pytest.mark.parametrize("integration", INTEGRATIONS)
async def test_paid_by_notifications(
    sandbox: Sandbox, sqlite_url: str, integration: Integration
) -> None:
    async with e2e(sandbox, sqlite_url, integration) as env:
        cashboxes = (await env.seller.http.get("/api/cashboxes")).json()
        assert cashboxes[0]["mp_pos_id"]
        assert cashboxes[0]["qr"]["pdf"].endswith("/qr.pdf")
        sale = await env.new_sale()
        scanned = await env.scan()
        assert scanned["order"]["external_reference"] == sale["external_reference"]
        await env.pay("approved")
        await env.settle_deliveries()
        got = await env.sale(sale["id"])
        assert got["status"] == "paid", got
        assert got["paid_amount"] in {"300.00", "300", "300.0"}
        history = (await env.seller.http.get(f"/api/sales/{sale['id']}/history")).json()
        assert any(e["source"] == "notification" and e["to_status"] == "paid" for e in history)


async def test_the_inbox_gauge_counts_what_waits_to_be_processed(
    sandbox: Sandbox, sqlite_url: str
) -> None:
    async with e2e(sandbox, sqlite_url, Integration.INSTORE_V1) as env:
        await env.new_sale()
        await env.pay("approved")

        async def delivered() -> bool:
            return not await env.deliveries(state="pending")

        await eventually(delivered)
        waiting = _gauge((await env.seller.http.get("/metrics")).text, "received")
        assert waiting > 0  # delivered and stored; the workers are off in these tests
        await env.seller.process()
        metrics = (await env.seller.http.get("/metrics")).text
        assert _gauge(metrics, "received") == 0
        assert _gauge(metrics, "processed") == waiting


def _gauge(metrics: str, state: str) -> float:
    prefix = f'mpqr_inbox_notifications{{state="{state}"}} '
    lines = [line for line in metrics.splitlines() if line.startswith(prefix)]
    assert len(lines) == 1, metrics
    return float(lines[0].removeprefix(prefix))


async def put_faults(sandbox: Sandbox, faults: dict[str, object]) -> None:
    import asyncio

    status, body = await asyncio.to_thread(sandbox.request, "PUT", "/_sandbox/faults", faults)
    assert status == 200, body


@pytest.mark.parametrize("integration", INTEGRATIONS)
async def test_all_notifications_dropped_reconciler_alone(
    sandbox: Sandbox, sqlite_url: str, integration: Integration
) -> None:
    await put_faults(sandbox, {"seed": 1, "notifications": {"drop": 1.0}})
    async with e2e(sandbox, sqlite_url, integration) as env:
        sale = await env.new_sale()
        await env.pay("approved")
        await env.settle_deliveries()
        assert await env.seller.process() == 0  # nothing arrived
        assert (await env.sale(sale["id"]))["status"] == "pending"
        await env.advance(2)  # the first check is due 2 s after creation
        assert await env.seller.reconcile() == 1
        got = await env.sale(sale["id"])
        assert got["status"] == "paid"
        history = (await env.seller.http.get(f"/api/sales/{sale['id']}/history")).json()
        assert any(e["source"] == "reconcile" and e["to_status"] == "paid" for e in history)
        metrics = (await env.seller.http.get("/metrics")).text
        assert "mpqr_reconcile_corrections_total 1.0" in metrics


async def test_duplicates_and_reordering(sandbox: Sandbox, sqlite_url: str) -> None:
    faults = {"seed": 3, "notifications": {"duplicate": 1.0, "reorder": 1.0}}
    await put_faults(sandbox, faults)
    async with e2e(sandbox, sqlite_url, Integration.INSTORE_V1) as env:
        sale = await env.new_sale()
        await env.pay("rejected")
        await env.pay("approved")
        await env.settle_deliveries()
        got = await env.sale(sale["id"])
        assert got["status"] == "paid"
        assert sorted(p["status"] for p in got["payments"]) == ["approved", "rejected"]
        history = (await env.seller.http.get(f"/api/sales/{sale['id']}/history")).json()
        assert [e["to_status"] for e in history if e["kind"] == "status"] == ["pending", "paid"]
        metrics = (await env.seller.http.get("/metrics")).text
        assert "mpqr_notifications_duplicates_total 0.0" not in metrics


@pytest.mark.parametrize("integration", INTEGRATIONS)
async def test_expiry(sandbox: Sandbox, sqlite_url: str, integration: Integration) -> None:
    async with e2e(sandbox, sqlite_url, integration) as env:
        sale = await env.new_sale(expires_in=120)
        await env.advance(121)
        for _ in range(3):
            await env.seller.reconcile()
        assert (await env.sale(sale["id"]))["status"] == "expired"
        scanned = await env.scan()
        assert scanned["order"] is None  # the cashbox shows the waiting screen


@pytest.mark.parametrize("integration", INTEGRATIONS)
async def test_cancel_then_refund_flow(
    sandbox: Sandbox, sqlite_url: str, integration: Integration
) -> None:
    async with e2e(sandbox, sqlite_url, integration) as env:
        first = await env.new_sale()
        r = await env.seller.http.post(f"/api/sales/{first['id']}/cancel")
        assert r.status_code == 200
        assert r.json()["status"] == "cancelled"
        assert (await env.scan())["order"] is None
        sale = await env.new_sale()
        await env.pay("approved")
        await env.settle_deliveries()
        assert (await env.sale(sale["id"]))["status"] == "paid"
        r = await env.seller.http.post(f"/api/sales/{sale['id']}/cancel")
        assert r.status_code == 409
        r = await env.seller.http.post(
            f"/api/sales/{sale['id']}/refund",
            json={"amount": "100.00"},
            headers={"Idempotency-Key": "a"},
        )
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "partially_refunded"
        r = await env.seller.http.post(f"/api/sales/{sale['id']}/refund")
        assert r.status_code == 200, r.text
        await env.settle_deliveries()
        got = await env.sale(sale["id"])
        assert got["status"] == "refunded"
        assert got["refunded_amount"] in {"300.00", "300"}


@pytest.mark.parametrize("integration", INTEGRATIONS)
async def test_mercadopago_down_leaves_nothing_on_the_cashbox(
    sandbox: Sandbox, sqlite_url: str, integration: Integration
) -> None:
    """The sale is stored first; Mercado Pago answering 503 leaves it ``opening``; once its lease
    runs out, recovery takes whatever the attempt left off the cashbox and cancels it."""
    async with e2e(sandbox, sqlite_url, integration) as env:
        await put_faults(sandbox, {"seed": 1, "api": {"error_rate": 1.0, "error_statuses": [503]}})
        r = await env.seller.http.post(
            "/api/sales",
            json={"cashbox": "CAJA1", "items": [{"title": "x", "unit_price": 1, "quantity": 1}]},
        )
        assert (r.status_code, r.json()["status"]) == (202, "opening")
        await put_faults(sandbox, {})
        await env.advance(31)
        assert await env.seller.state.recovery.run_once() == 1
        sale = await env.sale(r.json()["id"])
        assert sale["status"] == "cancelled"
        assert (await env.scan())["order"] is None


@pytest.mark.parametrize(
    ("integration", "qr_signature"),
    [(Integration.ORDERS, "none"), (Integration.INSTORE_V1, "valid")],
)
async def test_signed_webhooks_verify_with_the_sellers_secret(
    sqlite_url: str, integration: Integration, qr_signature: str
) -> None:
    """Orders API webhooks are signed by default; QR webhooks only with ``--qr-signature valid``
    (Mercado Pago does not sign them). Each verifies with the seller's secret."""
    with Sandbox(seed=5, qr_signature=qr_signature) as sandbox:
        assert sandbox.seller is not None
        secrets = (sandbox.seller.webhook_secret,)
        async with e2e(sandbox, sqlite_url, integration, webhook_secrets=secrets) as env:
            sale = await env.new_sale()
            await env.pay("approved")
            await env.settle_deliveries()
            assert (await env.sale(sale["id"]))["status"] == "paid"
            delivered = await env.deliveries()
            assert all(d["state"] == "delivered" for d in delivered), delivered
            assert await _signed_rows(env) > 0  # signatures were there, and verified
            metrics = (await env.seller.http.get("/metrics")).text
            assert "mpqr_notifications_signature_failed_total 0.0" in metrics


async def _signed_rows(env: Any) -> int:
    import sqlalchemy as sa

    from mpqr.seller.db.tables import notifications

    async with env.seller.state.ctx.db.transaction() as conn:
        rows = (await conn.execute(sa.select(notifications.c.headers))).all()
    return sum(1 for r in rows if "x-signature" in r.headers)


async def test_a_wrongly_signed_webhook_is_refused(sqlite_url: str) -> None:
    with Sandbox(seed=5, qr_signature="invalid") as sandbox:
        assert sandbox.seller is not None
        secrets = (sandbox.seller.webhook_secret,)
        async with e2e(sandbox, sqlite_url, Integration.INSTORE_V1, webhook_secrets=secrets) as env:
            sale = await env.new_sale()
            await env.pay("approved")

            async def ipn_through() -> bool:  # the IPN form is unsigned and gets through
                ipn = await env.deliveries(form="ipn")
                return bool(ipn) and all(d["state"] == "delivered" for d in ipn)

            await eventually(ipn_through)  # the webhooks keep being refused: not settled
            for _ in range(3):  # the reconciler too
                await env.seller.reconcile()
            await env.seller.process()
            assert (await env.sale(sale["id"]))["status"] == "paid"
            metrics = (await env.seller.http.get("/metrics")).text
            assert "mpqr_notifications_signature_failed_total 0.0" not in metrics


@pytest.mark.parametrize("integration", [Integration.INSTORE_V2, Integration.ORDERS])
async def test_an_order_mercado_pago_expired_ends_the_sale(
    sandbox: Sandbox, sqlite_url: str, integration: Integration
) -> None:
    """Mercado Pago's clock, not only the seller's: an order MP shows expired ends the sale at
    the next check, before the seller's own ``expires_at``."""
    async with e2e(sandbox, sqlite_url, integration) as env:
        sale = await env.new_sale(expires_in=120)
        await env.call(sandbox.advance, 121)  # only the sandbox's clock moves
        await env.seller.reconcile()
        env.clock.advance(3)
        await env.seller.reconcile()
        got = await env.sale(sale["id"])
        assert got["status"] == "expired", got
        history = (await env.seller.http.get(f"/api/sales/{sale['id']}/history")).json()
        assert history[-1]["source"] == "reconcile"


async def test_late_payment_after_cancel_is_auto_refunded(
    sandbox: Sandbox, sqlite_url: str
) -> None:
    async with e2e(
        sandbox, sqlite_url, Integration.INSTORE_V1, auto_refund_after_cancel=True
    ) as env:
        sale = await env.new_sale()
        scanned = await env.scan()  # the customer is on the pay screen
        r = await env.seller.http.post(f"/api/sales/{sale['id']}/cancel")
        assert r.json()["status"] == "cancelled"
        await env.pay("approved", merchant_order_id=scanned["merchant_order_id"], late=True)
        await env.settle_deliveries()
        got = await env.sale(sale["id"])
        assert got["status"] == "cancelled"
        assert got["alerts"] == ["paid_after_cancel"]
        assert got["refunded_amount"] == got["paid_amount"] != "0"


@pytest.mark.postgres
async def test_postgres_end_to_end(sandbox: Sandbox) -> None:
    from seller_env import pg_database

    async with pg_database() as url, e2e(sandbox, url, Integration.INSTORE_V2) as env:
        sale = await env.new_sale()
        await env.pay("rejected")
        await env.pay("approved")
        await env.settle_deliveries()
        got = await env.sale(sale["id"])
        assert got["status"] == "paid"
        assert sorted(p["status"] for p in got["payments"]) == ["approved", "rejected"]


async def test_background_workers_mark_paid_without_help(sandbox: Sandbox, sqlite_url: str) -> None:
    """Production mode: the processor loop wakes on each stored notification."""
    from seller_e2e import eventually

    async with e2e(
        sandbox, sqlite_url, Integration.INSTORE_V1, run_workers=True, poll_interval=0.05
    ) as env:
        sale = await env.new_sale()
        await env.pay("approved")

        async def paid() -> bool:
            return (await env.sale(sale["id"]))["status"] == "paid"

        await eventually(paid)
