"""The outbox against a real aiohttp receiver on 127.0.0.1: forms, headers, signatures, retries on
the virtual clock, refusal of non-loopback hosts, persistence and timeouts."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp import web
from multidict import CIMultiDict

from mpqr.clock import VirtualClock
from mpqr.errors import SignatureError
from mpqr.notifications import parse_notification, verify_signature
from mpqr.sandbox.delivery import (
    AiohttpTransport,
    DeliveryState,
    Form,
    Outbox,
    OutgoingRequest,
    SendResult,
)
from mpqr.sandbox.events import Notice

SECRET = "whsec-test-secret"
SELLER = 1234567
BASE = "http://127.0.0.1:9999"
HANG = -1  # scripted "status": never answer


@dataclass
class Seen:
    path: str
    query: dict[str, str]
    query_string: str
    headers: CIMultiDict[str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    """A seller's notification endpoint: records requests, answers scripted statuses (default
    200)."""

    url: str = ""
    seen: list[Seen] = field(default_factory=list)
    script: list[int] = field(default_factory=list)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    async def handle(self, request: web.Request) -> web.Response:
        self.seen.append(
            Seen(
                path=request.path,
                query=dict(request.query),
                query_string=request.query_string,
                headers=CIMultiDict(request.headers),
                body=await request.read(),
            )
        )
        self.arrived.set()
        status = self.script.pop(0) if self.script else 200
        if status == HANG:
            await asyncio.Event().wait()
        return web.Response(status=status, text="ok")

    async def wait_for(self, count: int, within: float = 5.0) -> None:
        async with asyncio.timeout(within):
            while len(self.seen) < count:
                self.arrived.clear()
                await self.arrived.wait()


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    recv = Receiver()
    app = web.Application()
    app.router.add_route("POST", "/{tail:.*}", recv.handle)
    runner = web.AppRunner(app, handler_cancellation=True)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    recv.url = f"http://127.0.0.1:{port}"
    yield recv
    await runner.cleanup()


MakeOutbox = Callable[..., Awaitable[Outbox]]


@pytest.fixture
async def make_outbox() -> AsyncIterator[MakeOutbox]:
    started: list[Outbox] = []

    async def make(**kwargs: Any) -> Outbox:
        options: dict[str, Any] = {
            "clock": VirtualClock(),
            "secret_for": lambda uid: SECRET,
            "base_url": lambda: BASE,
            "seed": 7,
            "timeouts": (2.0, 1.0),
        }
        options.update(kwargs)
        outbox = Outbox(**options)
        await outbox.start()
        started.append(outbox)
        return outbox

    yield make
    for outbox in started:
        await outbox.stop()


def mo_notice(url: str | None, *, mo: str = "36127019344", action: str = "create") -> Notice:
    return Notice(
        seller_id=SELLER,
        notification_url=url,
        topic="merchant_order",
        resource_id=mo,
        action=action,
        at=datetime(2026, 3, 1, 12, 0, 0, 500000, tzinfo=UTC),
        status="opened",
        version=0,
        application_id="7910800073137785",
        live_mode=False,
    )


def payment_notice(url: str, pid: str = "135859802741") -> Notice:
    return Notice(
        seller_id=SELLER,
        notification_url=url,
        topic="payment",
        resource_id=pid,
        action="payment.created",
        at=datetime(2026, 3, 1, 12, 0, 1, tzinfo=UTC),
        status="approved",
    )


def assert_common_headers(seen: Seen) -> None:
    assert seen.headers["Content-Type"] == "application/json"
    assert seen.headers["User-Agent"] == "MercadoPago WebHook v1.0"
    uuid.UUID(seen.headers["x-request-id"])


# -- forms ----------------------------------------------------------------------------------------


async def test_merchant_order_sends_ipn_then_signed_webhook(
    receiver: Receiver, make_outbox: MakeOutbox
) -> None:
    outbox = await make_outbox(qr_signature="valid")
    outbox.publish(mo_notice(f"{receiver.url}/hooks/mp?shop=1"))
    await outbox.drain(5)
    ipn, wh = receiver.seen
    assert ipn.path == wh.path == "/hooks/mp"
    assert ipn.query_string == "shop=1&topic=merchant_order&id=36127019344"
    assert ipn.json() == {
        "resource": f"{BASE}/merchant_orders/36127019344",
        "topic": "merchant_order",
    }
    assert "x-signature" not in ipn.headers  # QR IPN is not signed
    assert wh.query_string == "shop=1&data.id=36127019344&type=topic_merchant_order_wh"
    assert wh.json() == {
        "action": "create",
        "application_id": "7910800073137785",
        "data": {"currency_id": "", "marketplace": "NONE", "status": "opened"},
        "date_created": "2026-03-01T12:00:00.500+00:00",
        "id": "36127019344",
        "live_mode": False,
        "status": "opened",
        "type": "topic_merchant_order_wh",
        "user_id": SELLER,
        "version": 0,
    }
    for seen in (ipn, wh):
        assert_common_headers(seen)
    verify_signature(
        header=wh.headers["x-signature"],
        data_id=wh.query["data.id"],
        request_id=wh.headers["x-request-id"],
        secrets=SECRET,
    )
    assert [d.state for d in outbox.deliveries()] == [DeliveryState.DELIVERED] * 2


async def test_qr_webhooks_are_not_verifiable_by_default(
    receiver: Receiver, make_outbox: MakeOutbox
) -> None:
    """Mercado Pago: QR notifications cannot be verified with the secret signature."""
    outbox = await make_outbox()
    outbox.publish(mo_notice(f"{receiver.url}/a"))
    outbox.publish(payment_notice(f"{receiver.url}/a"))
    await outbox.drain(5)
    assert len(receiver.seen) == 4
    assert all("x-signature" not in seen.headers for seen in receiver.seen)


async def test_qr_signature_invalid_never_verifies(
    receiver: Receiver, make_outbox: MakeOutbox
) -> None:
    outbox = await make_outbox(qr_signature="invalid")
    outbox.publish(mo_notice(f"{receiver.url}/a"))
    await outbox.drain(5)
    ipn, wh = receiver.seen
    assert "x-signature" not in ipn.headers
    assert wh.headers["x-signature"].startswith("ts=")
    with pytest.raises(SignatureError):
        verify_signature(
            header=wh.headers["x-signature"],
            data_id=wh.query["data.id"],
            request_id=wh.headers["x-request-id"],
            secrets=SECRET,
        )


async def test_payment_sends_webhook_then_ipn_and_both_parse(
    receiver: Receiver, make_outbox: MakeOutbox
) -> None:
    outbox = await make_outbox()
    outbox.publish(payment_notice(f"{receiver.url}/n"))
    await outbox.drain(5)
    wh, ipn = receiver.seen
    assert wh.query_string == "data.id=135859802741&type=payment"
    body = wh.json()
    assert body == {
        "id": body["id"],
        "live_mode": True,
        "type": "payment",
        "date_created": "2026-03-01T12:00:01.000+00:00",
        "user_id": SELLER,
        "api_version": "v1",
        "action": "payment.created",
        "data": {"id": "135859802741"},
    }
    assert isinstance(body["id"], int)
    assert ipn.query_string == "topic=payment&id=135859802741"
    assert ipn.json() == {"resource": "135859802741", "topic": "payment"}
    for seen in (wh, ipn):
        parsed = parse_notification("POST", seen.query_string, seen.headers, seen.body)
        assert parsed.resource_id == "135859802741"


async def test_source_news_selects_one_form(receiver: Receiver, make_outbox: MakeOutbox) -> None:
    outbox = await make_outbox()
    outbox.publish(mo_notice(f"{receiver.url}/a?source_news=webhooks"))
    outbox.publish(mo_notice(f"{receiver.url}/b?source_news=ipn"))
    await outbox.drain(5)
    by_path = {s.path: s for s in receiver.seen}
    assert len(receiver.seen) == 2
    assert by_path["/a"].query_string == (
        "source_news=webhooks&data.id=36127019344&type=topic_merchant_order_wh"
    )
    assert by_path["/b"].query_string == "source_news=ipn&topic=merchant_order&id=36127019344"


async def test_order_topic_is_a_signed_webhook_only(
    receiver: Receiver, make_outbox: MakeOutbox
) -> None:
    outbox = await make_outbox()
    oid = "ORD01K371WBFDS4MD9JG0K8ZMECBE"
    outbox.publish(
        Notice(
            seller_id=SELLER,
            notification_url=f"{receiver.url}/o?source_news=ipn",
            topic="order",
            resource_id=oid,
            action="order.processed",
            at=datetime(2026, 3, 1, tzinfo=UTC),
            status="processed",
            version=2,
        )
    )
    await outbox.drain(5)
    (seen,) = receiver.seen
    assert seen.query == {"source_news": "ipn", "data.id": oid, "type": "order"}
    body = seen.json()
    assert (body["type"], body["action"], body["data"]["id"]) == ("order", "order.processed", oid)
    verify_signature(
        header=seen.headers["x-signature"],
        data_id=oid,
        request_id=seen.headers["x-request-id"],
        secrets=SECRET,
    )


async def test_sign_ipn_switch_signs_the_ipn(receiver: Receiver, make_outbox: MakeOutbox) -> None:
    outbox = await make_outbox(sign_ipn=True)
    outbox.publish(mo_notice(f"{receiver.url}/n?source_news=ipn"))
    await outbox.drain(5)
    (ipn,) = receiver.seen
    verify_signature(
        header=ipn.headers["x-signature"],
        data_id="36127019344",
        request_id=ipn.headers["x-request-id"],
        secrets=SECRET,
    )


async def test_no_secret_means_no_signature(receiver: Receiver, make_outbox: MakeOutbox) -> None:
    outbox = await make_outbox(secret_for=lambda uid: None)
    outbox.publish(mo_notice(f"{receiver.url}/n?source_news=webhooks"))
    await outbox.drain(5)
    assert "x-signature" not in receiver.seen[0].headers


async def test_no_url_no_delivery(make_outbox: MakeOutbox) -> None:
    outbox = await make_outbox()
    outbox.publish(mo_notice(None))
    outbox.publish(mo_notice("  "))
    assert outbox.deliveries() == []


async def test_schemeless_loopback_url_gets_http(
    receiver: Receiver, make_outbox: MakeOutbox
) -> None:
    outbox = await make_outbox()
    outbox.publish(mo_notice(receiver.url.removeprefix("http://") + "/x?source_news=ipn"))
    await outbox.drain(5)
    assert receiver.seen[0].path == "/x"
    assert outbox.deliveries()[0].url.startswith("http://127.0.0.1:")


# -- success, retries, failure ---------------------------------------------------------------------


@pytest.mark.parametrize(("status", "ok"), [(200, True), (201, True), (202, False), (204, False)])
async def test_only_200_and_201_count(
    receiver: Receiver, make_outbox: MakeOutbox, status: int, ok: bool
) -> None:
    outbox = await make_outbox(profile="mp-ipn")
    receiver.script = [status]
    outbox.publish(mo_notice(f"{receiver.url}/n?source_news=ipn"))
    await outbox.drain(5)
    (d,) = outbox.deliveries()
    assert d.state is (DeliveryState.DELIVERED if ok else DeliveryState.PENDING)
    assert d.attempts[0].status_code == status
    assert (d.attempts[0].error is None) is ok


async def test_redirect_is_a_failure_and_not_followed(
    receiver: Receiver, make_outbox: MakeOutbox
) -> None:
    outbox = await make_outbox(profile="mp-ipn")
    receiver.script = [302]
    outbox.publish(mo_notice(f"{receiver.url}/n?source_news=ipn"))
    await outbox.drain(5)
    assert outbox.deliveries()[0].attempts[0].status_code == 302
    assert len(receiver.seen) == 1


async def run_schedule(
    receiver: Receiver, outbox: Outbox, clock: VirtualClock, delays: list[float]
) -> list[float]:
    """Fail every attempt, step the clock to each retry; return each attempt's offset (s)."""
    receiver.script = [500] * (len(delays) + 5)
    outbox.publish(mo_notice(f"{receiver.url}/n?source_news=ipn"))
    await outbox.drain(5)
    previous = 0.0
    for delay in delays:
        clock.advance(delay - previous)
        previous = delay
        outbox.wake()
        await outbox.drain(5)
    (d,) = outbox.deliveries()
    first = d.attempts[0].at
    return [(a.at - first).total_seconds() for a in d.attempts]


@pytest.mark.parametrize(
    ("profile", "delays"),
    [
        ("mp-ipn", [30, 300, 1800]),
        ("mp-webhooks", [300, 2700, 21600, 172800, 345600]),
        ("fast", [0.2, 0.5, 1.0, 2.0]),
    ],
)
async def test_retry_schedule_then_failed(
    receiver: Receiver, make_outbox: MakeOutbox, profile: str, delays: list[float]
) -> None:
    clock = VirtualClock()
    outbox = await make_outbox(profile=profile, clock=clock)
    offsets = await run_schedule(receiver, outbox, clock, [float(x) for x in delays])
    assert offsets[1:] == pytest.approx(delays, abs=0.5)
    (d,) = outbox.deliveries()
    assert d.state is DeliveryState.FAILED
    assert d.next_attempt_at is None
    assert len(receiver.seen) == len(delays) + 1


async def test_retry_not_sent_before_due(receiver: Receiver, make_outbox: MakeOutbox) -> None:
    clock = VirtualClock()
    outbox = await make_outbox(profile="mp-ipn", clock=clock)
    receiver.script = [500, 200]
    outbox.publish(mo_notice(f"{receiver.url}/n?source_news=ipn"))
    await outbox.drain(5)
    clock.advance(20)
    outbox.wake()
    await outbox.drain(5)
    assert len(receiver.seen) == 1
    clock.advance(10)
    outbox.wake()
    await outbox.drain(5)
    assert outbox.deliveries()[0].state is DeliveryState.DELIVERED
    assert len(receiver.seen) == 2


async def test_mp_profile_uses_each_forms_schedule(make_outbox: MakeOutbox) -> None:
    outbox = await make_outbox(profile="mp")
    assert outbox.profile == "mp"
    from mpqr.sandbox.delivery.policy import PROFILES, schedule_for

    assert schedule_for(PROFILES["mp"], Form.IPN) == (30.0, 300.0, 1800.0)
    assert schedule_for(PROFILES["mp"], Form.WEBHOOK)[-1] == 345600.0
    with pytest.raises(ValueError, match="unknown notify profile"):
        Outbox(clock=VirtualClock(), profile="slow", secret_for=lambda u: None, base_url=str)


async def test_catch_up_after_a_big_clock_jump(receiver: Receiver, make_outbox: MakeOutbox) -> None:
    clock = VirtualClock()
    outbox = await make_outbox(profile="mp-webhooks", clock=clock)
    receiver.script = [500] * 10
    outbox.publish(mo_notice(f"{receiver.url}/n?source_news=webhooks"))
    await outbox.drain(5)
    clock.advance(5 * 86400)
    outbox.wake()
    await outbox.drain(5)
    (d,) = outbox.deliveries()
    assert d.state is DeliveryState.FAILED
    assert len(d.attempts) == 6


async def test_hanging_receiver_times_out(receiver: Receiver, make_outbox: MakeOutbox) -> None:
    clock = VirtualClock()
    outbox = await make_outbox(timeouts=(0.3, 0.2), profile="mp-ipn", clock=clock)
    receiver.script = [HANG, HANG]
    outbox.publish(mo_notice(f"{receiver.url}/n?source_news=ipn"))
    await outbox.drain(5)
    (d,) = outbox.deliveries()
    assert d.attempts[0].error == "timeout after 0.3 s"
    assert d.attempts[0].status_code is None
    assert d.state is DeliveryState.PENDING
    clock.advance(30)
    outbox.wake()
    await outbox.drain(5)
    assert d.attempts[1].error == "timeout after 0.2 s"  # retries get the shorter timeout


async def test_slow_receiver_does_not_stall_other_urls(
    receiver: Receiver, make_outbox: MakeOutbox
) -> None:
    outbox = await make_outbox(timeouts=(5.0, 5.0))
    receiver.script = [HANG]
    outbox.publish(mo_notice(f"{receiver.url}/slow?source_news=ipn"))
    await receiver.wait_for(1)
    outbox.publish(mo_notice(f"{receiver.url}/fast?source_news=ipn"))
    await receiver.wait_for(2, within=2.0)
    fast = next(d for d in outbox.deliveries() if "/fast" in d.url)
    for _ in range(100):
        if fast.state is DeliveryState.DELIVERED:
            break
        await asyncio.sleep(0.01)
    assert fast.state is DeliveryState.DELIVERED


async def test_one_resource_is_delivered_in_creation_order(
    receiver: Receiver, make_outbox: MakeOutbox
) -> None:
    outbox = await make_outbox()
    url = f"{receiver.url}/n?source_news=ipn"
    outbox.publish(mo_notice(url, mo="100"))
    for _ in range(7):
        outbox.publish(mo_notice(url, mo="100", action="update"))
    await outbox.drain(5)
    sent_by = {a.request_id: d.id for d in outbox.deliveries() for a in d.attempts}
    assert [sent_by[s.headers["x-request-id"]] for s in receiver.seen] == list(range(1, 9))


async def test_resources_to_one_url_are_in_flight_together(
    receiver: Receiver, make_outbox: MakeOutbox
) -> None:
    """Mercado Pago does not serialise a seller's notifications: while one merchant order's
    notification hangs, another's arrives at the same URL; the hanging one's next notification
    waits for it (one resource stays in order)."""
    outbox = await make_outbox(timeouts=(5.0, 5.0))
    url = f"{receiver.url}/n?source_news=ipn"
    receiver.script = [HANG]
    outbox.publish(mo_notice(url, mo="100"))
    await receiver.wait_for(1)
    outbox.publish(mo_notice(url, mo="100", action="update"))
    outbox.publish(mo_notice(url, mo="200"))
    await receiver.wait_for(2, within=2.0)
    await asyncio.sleep(0.2)
    assert [s.query["id"] for s in receiver.seen] == ["100", "200"]
    later = next(d for d in outbox.deliveries() if d.action == "update")
    assert later.state is DeliveryState.PENDING
    assert not later.attempts


# -- resend -------------------------------------------------------------------------------------


async def test_resend_failed_then_delivered(receiver: Receiver, make_outbox: MakeOutbox) -> None:
    clock = VirtualClock()
    outbox = await make_outbox(profile="mp-ipn", clock=clock)
    await run_schedule(receiver, outbox, clock, [30, 300, 1800])
    (d,) = outbox.deliveries()
    assert d.state is DeliveryState.FAILED
    receiver.script = []
    again = outbox.resend(d.id)
    assert again.state is DeliveryState.PENDING
    await outbox.drain(5)
    assert d.state is DeliveryState.DELIVERED
    assert d.attempts[-1].manual
    assert d.attempts[-1].status_code == 200


async def test_resend_delivered_sends_again_and_failed_resend_fails(
    receiver: Receiver, make_outbox: MakeOutbox
) -> None:
    outbox = await make_outbox(profile="mp-ipn")
    outbox.publish(mo_notice(f"{receiver.url}/n?source_news=ipn"))
    await outbox.drain(5)
    (d,) = outbox.deliveries()
    outbox.resend(str(d.id))
    await outbox.drain(5)
    assert len(receiver.seen) == 2
    assert d.state is DeliveryState.DELIVERED
    receiver.script = [500]
    outbox.resend(d.id)
    await outbox.drain(5)
    assert d.state is DeliveryState.FAILED  # no schedule left to fall back on
    with pytest.raises(KeyError):
        outbox.resend(999)


async def test_resend_before_the_first_attempt_is_that_attempt(
    receiver: Receiver, make_outbox: MakeOutbox
) -> None:
    outbox = await make_outbox()
    outbox.publish(mo_notice(f"{receiver.url}/n?source_news=ipn"))
    outbox.resend(1)
    await outbox.drain(5)
    (d,) = outbox.deliveries()
    assert len(receiver.seen) == 1
    assert [a.manual for a in d.attempts] == [False]
    assert not d.resend_requested


async def test_resend_of_pending_keeps_its_schedule(
    receiver: Receiver, make_outbox: MakeOutbox
) -> None:
    outbox = await make_outbox(profile="mp-ipn")
    receiver.script = [500, 500]
    outbox.publish(mo_notice(f"{receiver.url}/n?source_news=ipn"))
    await outbox.drain(5)
    (d,) = outbox.deliveries()
    due = d.next_attempt_at
    outbox.resend(d.id)
    await outbox.drain(5)
    assert d.state is DeliveryState.PENDING
    assert d.next_attempt_at == due
    assert d.scheduled_attempts == 1


# -- hosts ----------------------------------------------------------------------------------------


class CountingTransport:
    """A transport boundary that records requests and answers 200 without any network."""

    def __init__(self) -> None:
        self.sent: list[OutgoingRequest] = []

    async def open(self) -> None:
        return None

    async def close(self) -> None:
        return None

    async def send(self, request: OutgoingRequest, timeout_s: float) -> SendResult:
        self.sent.append(request)
        return SendResult(200, 0.1)


async def test_non_loopback_host_is_refused_without_traffic(make_outbox: MakeOutbox) -> None:
    transport = CountingTransport()
    outbox = await make_outbox(transport=transport)
    outbox.publish(mo_notice("www.yourserver.com/notifications?source_news=webhooks"))
    outbox.publish(mo_notice("https://10.0.0.8/n"))
    await outbox.drain(5)
    assert transport.sent == []
    errors = [d.attempts[0].error for d in outbox.deliveries()]
    assert errors[0] == (
        "refused: host www.yourserver.com is not loopback; allow it with --allow-host"
    )
    assert all(d.state is DeliveryState.FAILED for d in outbox.deliveries())
    assert len(errors) == 3
    outbox.resend(outbox.deliveries()[0].id)
    await outbox.drain(5)
    assert transport.sent == []
    assert len(outbox.deliveries()[0].attempts) == 2


async def test_loopback_forms_pass(make_outbox: MakeOutbox) -> None:
    transport = CountingTransport()
    outbox = await make_outbox(transport=transport)
    for url in ("http://localhost:1/a", "http://127.8.9.10:1/b", "http://[::1]:1/c"):
        outbox.publish(mo_notice(url + "?source_news=ipn"))
    await outbox.drain(5)
    assert len(transport.sent) == 3


async def test_allow_hosts_lets_a_named_host_through(make_outbox: MakeOutbox) -> None:
    transport = CountingTransport()
    outbox = await make_outbox(transport=transport, allow_hosts=["Seller.Internal"])
    outbox.publish(mo_notice("seller.internal:8000/hooks?source_news=ipn"))
    outbox.publish(mo_notice("ftp://seller.internal/hooks"))
    await outbox.drain(5)
    assert [r.url for r in transport.sent] == [
        "http://seller.internal:8000/hooks?source_news=ipn&topic=merchant_order&id=36127019344"
    ]
    assert outbox.deliveries()[1].attempts[0].error == "refused: scheme 'ftp' is not http or https"


# -- persistence -----------------------------------------------------------------------------------


async def test_state_survives_a_restart(receiver: Receiver, make_outbox: MakeOutbox) -> None:
    clock = VirtualClock()
    first = await make_outbox(profile="mp-ipn", clock=clock)
    receiver.script = [500, 500]
    first.publish(mo_notice(f"{receiver.url}/n"))
    await first.drain(5)
    saved = json.loads(json.dumps(first.to_dict()))
    await first.stop()
    second = await make_outbox(profile="mp-ipn", clock=clock)
    second.load_dict(saved)
    assert [d.state for d in second.deliveries()] == [DeliveryState.PENDING] * 2
    clock.advance(30)
    second.wake()
    await second.drain(5)
    assert [d.state for d in second.deliveries()] == [DeliveryState.DELIVERED] * 2
    assert [len(d.attempts) for d in second.deliveries()] == [2, 2]
    second.publish(mo_notice(f"{receiver.url}/n?source_news=ipn"))
    assert second.deliveries()[-1].id == 3
    with pytest.raises(ValueError, match="version"):
        second.load_dict({"version": 99})


async def test_reset_forgets_everything(receiver: Receiver, make_outbox: MakeOutbox) -> None:
    outbox = await make_outbox()
    outbox.publish(mo_notice(f"{receiver.url}/n"))
    await outbox.drain(5)
    outbox.reset()
    assert outbox.deliveries() == []
    outbox.publish(mo_notice(f"{receiver.url}/n?source_news=ipn"))
    assert outbox.deliveries()[0].id == 1


async def test_publish_from_another_thread(receiver: Receiver, make_outbox: MakeOutbox) -> None:
    outbox = await make_outbox()
    await asyncio.to_thread(outbox.publish, mo_notice(f"{receiver.url}/n?source_news=ipn"))
    await receiver.wait_for(1)
    await outbox.drain(5)
    assert outbox.deliveries()[0].state is DeliveryState.DELIVERED


async def test_real_transport_reports_connection_refused(make_outbox: MakeOutbox) -> None:
    transport = AiohttpTransport()
    await transport.open()
    try:
        result = await transport.send(OutgoingRequest("http://127.0.0.1:1/x", {}, b"{}"), 1.0)
    finally:
        await transport.close()
    assert result.status_code is None
    assert result.error is not None
