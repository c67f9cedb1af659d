"""Retry policy (pure) and the retry loop over a real socket: counts, backoff bounds, keys."""

from __future__ import annotations

import random
import socket
import time
from typing import Any

import pytest
from client_testkit import Api, close, make_client

from mpqr.client import RetryPolicy, Timeouts
from mpqr.errors import APIConnectionError, APITimeoutError, BadRequestError, ServerError

ORDER = {
    "external_reference": "A1",
    "total_amount": "10",
    "config": {"qr": {"external_pos_id": "CAJA01", "mode": "static"}},
    "transactions": {"payments": [{"amount": "10"}]},
}


# --- the policy, without I/O -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "has_key", "expected"),
    [
        ("GET", False, True),
        ("PUT", False, True),
        ("DELETE", False, True),
        ("POST", False, False),
        ("POST", True, True),
    ],
)
def test_which_requests_may_be_retried(method: str, has_key: bool, expected: bool) -> None:
    assert RetryPolicy().may_retry(method, has_key) is expected


def test_backoff_is_full_jitter_within_bounds_and_seeded() -> None:
    policy = RetryPolicy(base=0.5, cap=8.0)
    rng, twin = random.Random(42), random.Random(42)
    for attempt in range(8):
        delay = policy.backoff(attempt, rng)
        ceiling = min(8.0, 0.5 * 2**attempt)
        assert 0.0 <= delay <= ceiling
        assert delay == twin.uniform(0.0, ceiling)


def test_no_retry_for_non_retryable_status_or_after_the_last_attempt() -> None:
    policy = RetryPolicy(max_retries=2)
    rng = random.Random(1)
    assert policy.delay_after_status(0, "GET", False, 400, None, rng) is None
    assert policy.delay_after_status(0, "GET", False, 404, None, rng) is None
    assert policy.delay_after_status(1, "GET", False, 500, None, rng) is not None
    assert policy.delay_after_status(2, "GET", False, 500, None, rng) is None
    assert policy.delay_after_error(2, "GET", False, rng) is None
    assert policy.delay_after_error(0, "POST", False, rng) is None
    assert policy.delay_after_error(0, "POST", True, rng) is not None


def test_retry_after_is_honoured_and_capped() -> None:
    policy = RetryPolicy(cap=8.0)
    rng = random.Random(1)
    assert policy.delay_after_status(0, "GET", False, 429, 2.5, rng) == 2.5
    assert policy.delay_after_status(0, "GET", False, 429, 120.0, rng) == 8.0
    assert policy.delay_after_status(0, "GET", False, 429, -1.0, rng) == 0.0


def test_custom_retry_statuses() -> None:
    policy = RetryPolicy(retry_statuses=frozenset({423}))
    rng = random.Random(1)
    assert policy.delay_after_status(0, "POST", True, 423, None, rng) is not None
    assert policy.delay_after_status(0, "GET", False, 503, None, rng) is None


# --- the loop, over 127.0.0.1 ------------------------------------------------------------------


async def test_5xx_then_success_retries_with_bounded_backoff(api: Api, server: Any) -> None:
    server.reply(503, {"message": "busy"}, times=2)
    server.reply(200, {"id": 1})
    user = await api("users.me")
    assert user.id == 1
    assert len(server.requests) == 3
    assert len(api.sleeps) == 2
    for attempt, delay in enumerate(api.sleeps):
        assert 0.0 <= delay <= min(8.0, 0.5 * 2**attempt)


async def test_gives_up_after_max_retries(api: Api, server: Any) -> None:
    server.reply(500, {"message": "boom", "error": "internal_error"}, times=10)
    with pytest.raises(ServerError):
        await api("merchant_orders.get", 1)
    assert len(server.requests) == 4  # 1 + max_retries(3)
    assert len(api.sleeps) == 3


async def test_429_honours_retry_after(api: Api, server: Any) -> None:
    server.reply(429, {"message": "slow down"}, headers={"Retry-After": "2"})
    server.reply(429, {"message": "slow down"}, headers={"Retry-After": "600"})
    server.reply(200, {"id": 1})
    await api("users.me")
    assert api.sleeps == [2.0, 8.0]


async def test_post_retried_with_the_same_idempotency_key(api: Api, server: Any) -> None:
    server.reply(500, {"message": "boom"})
    server.reply(502, raw=b"bad gateway")
    server.reply(201, {"id": "ORD1", "status": "created"})
    order = await api("orders.create", ORDER)
    assert order.id == "ORD1"
    keys = {r.headers["x-idempotency-key"] for r in server.requests}
    assert len(server.requests) == 3
    assert len(keys) == 1


async def test_callers_key_is_used_on_every_attempt(api: Api, server: Any) -> None:
    server.reply(503, {}, times=1)
    server.reply(201, {"id": 9, "payment_id": 1, "amount": 5})
    await api("payments.refund", 1, "5", idempotency_key="refund-sale-42")
    assert [r.headers["x-idempotency-key"] for r in server.requests] == ["refund-sale-42"] * 2


async def test_keyless_post_is_never_retried(api: Api, server: Any) -> None:
    server.reply(503, {"message": "busy"}, times=5)
    with pytest.raises(ServerError):
        await api("request", "POST", "/v1/thing", json={"a": 1}, auto_idempotency_key=False)
    assert len(server.requests) == 1
    assert api.sleeps == []


async def test_4xx_is_not_retried(api: Api, server: Any) -> None:
    server.reply(400, {"error": "invalid_items", "message": "items needed."}, times=5)
    with pytest.raises(BadRequestError):
        await api("qr_orders.delete", 1, "CAJA01")
    assert len(server.requests) == 1


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_connection_errors_are_retried_then_raised(kind: str) -> None:
    sleeps: list[float] = []
    client = make_client(kind, f"http://127.0.0.1:{_closed_port()}", sleeps)
    api = Api(client, sleeps)
    try:
        with pytest.raises(APIConnectionError) as info:
            await api("users.me")
        assert not isinstance(info.value, APITimeoutError)
        assert len(sleeps) == 3
        sleeps.clear()
        with pytest.raises(APIConnectionError):
            await api("request", "POST", "/x", json={}, auto_idempotency_key=False)
        assert sleeps == []
    finally:
        await close(client)


@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_read_timeout_raises_quickly(kind: str, server: Any) -> None:
    server.reply(hang=True)
    client = make_client(
        kind,
        server.url,
        [],
        timeouts=Timeouts(connect=1.0, read=0.2),
        retry=RetryPolicy(max_retries=0),
    )
    started = time.monotonic()
    try:
        with pytest.raises(APITimeoutError):
            await Api(client, [])("users.me")
    finally:
        await close(client)
    assert time.monotonic() - started < 3.0


@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_timeout_is_retried_for_get(kind: str, server: Any) -> None:
    server.reply(hang=True)
    server.reply(200, {"id": 5})
    sleeps: list[float] = []
    client = make_client(kind, server.url, sleeps, timeouts=Timeouts(connect=1.0, read=0.2))
    try:
        user = await Api(client, sleeps)("users.me")
    finally:
        await close(client)
    assert user.id == 5
    assert len(sleeps) == 1
