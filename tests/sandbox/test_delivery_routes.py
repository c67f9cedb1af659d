"""``/_sandbox/notifications`` list and resend, on a tiny app holding an outbox (worker not started:
the routes only read and flag)."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
from fastapi import FastAPI

from mpqr.clock import VirtualClock
from mpqr.sandbox.delivery import Outbox
from mpqr.sandbox.delivery import router as notifications_router
from mpqr.sandbox.events import Notice


def make_client() -> tuple[httpx.AsyncClient, Outbox]:
    outbox = Outbox(
        clock=VirtualClock(),
        secret_for=lambda uid: None,
        base_url=lambda: "http://127.0.0.1:8080",
        seed=1,
    )
    app = FastAPI()
    app.state.outbox = outbox
    app.include_router(notifications_router)
    return client_for(app), outbox


def client_for(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sandbox.test")


def notice(url: str, topic: str = "merchant_order", rid: str = "10") -> Notice:
    return Notice(
        seller_id=5,
        notification_url=url,
        topic=topic,  # type: ignore[arg-type]
        resource_id=rid,
        action="create" if topic == "merchant_order" else "payment.created",
        at=datetime(2026, 3, 1, tzinfo=UTC),
        status="opened",
    )


async def test_list_and_filters() -> None:
    client, outbox = make_client()
    outbox.publish(notice("www.yourserver.com/n"))
    outbox.publish(notice("http://127.0.0.1:1/n?source_news=webhooks", "payment", "77"))
    async with client:
        everything = (await client.get("/_sandbox/notifications")).json()
        failed = (await client.get("/_sandbox/notifications", params={"state": "failed"})).json()
        payments = (await client.get("/_sandbox/notifications", params={"topic": "payment"})).json()
        by_type = (
            await client.get("/_sandbox/notifications", params={"topic": "topic_merchant_order_wh"})
        ).json()
        by_resource = (
            await client.get("/_sandbox/notifications", params={"resource_id": "77"})
        ).json()
        ipn = (await client.get("/_sandbox/notifications", params={"form": "ipn"})).json()
    assert [d["id"] for d in everything] == [1, 2, 3]
    first = everything[0]
    assert first["form"] == "ipn"
    assert first["state"] == "failed"
    assert first["url"] == "http://www.yourserver.com/n?topic=merchant_order&id=10"
    assert first["attempts"][0]["error"].startswith("refused: host www.yourserver.com")
    assert {"next_attempt_at", "created_at", "body", "query", "type", "resource_id"} <= set(first)
    assert [d["id"] for d in failed] == [1, 2]
    assert [d["id"] for d in payments] == [3]
    assert payments[0]["state"] == "pending"
    assert payments[0]["attempts"] == []
    assert [d["id"] for d in by_type] == [2]
    assert [d["id"] for d in by_resource] == [3]
    assert [d["id"] for d in ipn] == [1]


async def test_resend_and_not_found() -> None:
    client, outbox = make_client()
    outbox.publish(notice("www.yourserver.com/n?source_news=ipn"))
    async with client:
        ok = await client.post("/_sandbox/notifications/1/resend")
        missing = await client.post("/_sandbox/notifications/99/resend")
        junk = await client.post("/_sandbox/notifications/abc/resend")
    assert ok.status_code == 200
    assert ok.json()["id"] == 1
    assert ok.json()["state"] == "pending"
    assert missing.status_code == 404
    assert missing.json() == {"error": "not_found", "message": "notification 99 not found"}
    assert junk.status_code == 404


async def test_without_an_outbox_the_list_is_empty() -> None:
    app = FastAPI()
    app.state.outbox = object()  # e.g. the core's in-memory sink when delivery is off
    app.include_router(notifications_router)
    async with client_for(app) as client:
        listed = await client.get("/_sandbox/notifications")
        resend = await client.post("/_sandbox/notifications/1/resend")
    assert listed.json() == []
    assert resend.status_code == 404
