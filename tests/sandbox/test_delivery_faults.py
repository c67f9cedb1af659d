"""Notification faults through the outbox: drop, duplicate, delay, reorder; deterministic for a
seed."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp import web

from mpqr.clock import VirtualClock
from mpqr.sandbox.delivery import DROPPED, DeliveryState, Outbox
from mpqr.sandbox.events import Notice
from mpqr.sandbox.faults import FaultConfig, Faults


class Receiver:
    def __init__(self) -> None:
        self.url = ""
        self.seen: list[tuple[str, str, bytes]] = []  # (id query param, x-request-id, body)

    async def handle(self, request: web.Request) -> web.Response:
        self.seen.append(
            (request.query["id"], request.headers["x-request-id"], await request.read())
        )
        return web.Response(status=200)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    recv = Receiver()
    app = web.Application()
    app.router.add_post("/n", recv.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    recv.url = f"http://127.0.0.1:{port}/n?source_news=ipn"
    yield recv
    await runner.cleanup()


def notice(url: str, mo: int, action: str = "create") -> Notice:
    return Notice(
        seller_id=1,
        notification_url=url,
        topic="merchant_order",
        resource_id=str(mo),
        action=action,
        at=datetime(2026, 3, 1, tzinfo=UTC),
        status="opened",
    )


def faults(seed: int = 1, **notifications: Any) -> Faults:
    return Faults(FaultConfig.model_validate({"seed": seed, "notifications": notifications}))


async def started(f: Faults, clock: VirtualClock | None = None, **kw: Any) -> Outbox:
    outbox = Outbox(
        clock=clock or VirtualClock(),
        profile=kw.pop("profile", "mp-ipn"),
        secret_for=lambda uid: None,
        base_url=lambda: "http://127.0.0.1:1",
        seed=3,
        faults=f,
        **kw,
    )
    await outbox.start()
    return outbox


async def test_drop_everything_means_nothing_ever_arrives(receiver: Receiver) -> None:
    clock = VirtualClock()
    outbox = await started(faults(drop=1.0), clock)
    try:
        outbox.publish(notice(receiver.url, 1))
        await outbox.drain(5)
        clock.advance(3600)
        outbox.wake()
        await outbox.drain(5)
    finally:
        await outbox.stop()
    (d,) = outbox.deliveries()
    assert receiver.seen == []
    assert d.state is DeliveryState.FAILED
    assert [a.error for a in d.attempts] == [DROPPED] * 4  # first send + 3 retries of mp-ipn


async def test_duplicate_sends_twice_with_new_request_id(receiver: Receiver) -> None:
    outbox = await started(faults(duplicate=1.0))
    try:
        outbox.publish(notice(receiver.url, 1))
        await outbox.drain(5)
    finally:
        await outbox.stop()
    (a, b) = receiver.seen
    assert a[0] == b[0]
    assert a[2] == b[2]
    assert a[1] != b[1]
    (d,) = outbox.deliveries()
    assert d.state is DeliveryState.DELIVERED
    assert [x.duplicate for x in d.attempts] == [True, False]


async def test_delay_holds_the_send_in_real_time(receiver: Receiver) -> None:
    outbox = await started(faults(delay_ms=[150, 150]))
    try:
        began = time.monotonic()
        outbox.publish(notice(receiver.url, 1))
        await outbox.drain(5)
        elapsed = time.monotonic() - began
    finally:
        await outbox.stop()
    assert len(receiver.seen) == 1
    assert elapsed >= 0.14


def seed_where(first_reordered: bool) -> int:
    for seed in range(1000):
        f = faults(seed, reorder=0.5)
        if (
            f.decide_notification("1:1").reorder is first_reordered
            and not f.decide_notification("2:1").reorder
        ):
            return seed
    raise AssertionError("no seed found")


async def test_reorder_lets_a_later_delivery_overtake(receiver: Receiver) -> None:
    outbox = await started(faults(seed_where(True), reorder=0.5), reorder_hold=2.0)
    try:
        outbox.publish(notice(receiver.url, 7))  # the lane is one resource at one URL
        outbox.publish(notice(receiver.url, 7, "update"))
        await outbox.drain(5)
    finally:
        await outbox.stop()
    sent_by = {a.request_id: d.id for d in outbox.deliveries() for a in d.attempts}
    assert [sent_by[s[1]] for s in receiver.seen] == [2, 1]


async def test_reorder_alone_still_delivers_after_the_hold(receiver: Receiver) -> None:
    outbox = await started(faults(seed_where(True), reorder=0.5), reorder_hold=0.1)
    try:
        outbox.publish(notice(receiver.url, 1))
        await outbox.drain(5)
    finally:
        await outbox.stop()
    assert [s[0] for s in receiver.seen] == ["1"]


async def run_with_drops(seed: int) -> list[list[bool]]:
    """Publish 12 notices under drop=0.5 and step through every retry; who was dropped when."""
    clock = VirtualClock()
    outbox = await started(faults(seed, drop=0.5), clock, profile="fast")
    try:
        for mo in range(12):
            outbox.publish(
                notice("http://127.0.0.1:9/n?source_news=ipn", mo)
            )  # port 9: nobody listens, so non-dropped attempts fail fast too
        for _ in range(6):
            await outbox.drain(5)
            clock.advance(3)
            outbox.wake()
        await outbox.drain(5)
    finally:
        await outbox.stop()
    return [[a.error == DROPPED for a in d.attempts] for d in outbox.deliveries()]


async def test_same_seed_same_decisions_end_to_end() -> None:
    first, second, other = await asyncio.gather(
        run_with_drops(11), run_with_drops(11), run_with_drops(12)
    )
    assert first == second
    assert first != other
    flat = [x for row in first for x in row]
    assert any(flat)
    assert not all(flat)
