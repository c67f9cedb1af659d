"""The transport seam: a custom transport gets the exact bytes; `import mpqr` stays light."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest
from client_testkit import Api, Reply

from mpqr import AsyncClient, Client
from mpqr.client import RawRequest, RawResponse
from mpqr.errors import APIConnectionError


class FakeTransport:
    def __init__(self, *responses: RawResponse | Exception) -> None:
        self.responses = list(responses)
        self.sent: list[RawRequest] = []
        self.closed = False

    def send(self, request: RawRequest) -> RawResponse:
        self.sent.append(request)
        item = self.responses.pop(0)
        if isinstance(item, Exception):
            raise item
        return item

    def close(self) -> None:
        self.closed = True


class AsyncFakeTransport(FakeTransport):
    async def send(self, request: RawRequest) -> RawResponse:  # type: ignore[override]
        return FakeTransport.send(self, request)

    async def aclose(self) -> None:
        self.closed = True


def test_sync_client_with_a_fake_transport() -> None:
    fake = FakeTransport(
        APIConnectionError("reset"),
        RawResponse(201, {"x-request-id": "r1"}, b'{"id": "ORD1", "status": "created"}'),
    )
    sleeps: list[float] = []
    with Client("tok", transport=fake, sleep=sleeps.append) as mp:
        order = mp.orders.cancel("ORD1", idempotency_key="k1")
    assert order.id == "ORD1"
    assert fake.closed
    assert len(sleeps) == 1
    first, second = fake.sent
    assert first is second  # built once, sent twice: same bytes, same key
    assert first.method == "POST"
    assert first.url == "https://api.mercadopago.com/v1/orders/ORD1/cancel"
    assert first.headers["X-Idempotency-Key"] == "k1"
    assert first.body is None


async def test_async_client_with_a_fake_transport() -> None:
    fake = AsyncFakeTransport(RawResponse(200, {}, b'{"id": 7}'))
    async with AsyncClient("tok", transport=fake, idempotency_keys=lambda: "fixed") as mp:
        refund = await mp.payments.refund(1, "2.50")
    assert refund.id == 7
    assert fake.closed
    (sent,) = fake.sent
    assert sent.headers["X-Idempotency-Key"] == "fixed"
    assert sent.body is not None
    assert json.loads(sent.body) == {"amount": 2.5}
    assert sent.body == b'{"amount":2.5}'  # compact separators


def test_shared_headers_are_read_only_and_a_call_s_own_stay_its_own() -> None:
    # A call that adds no header sends the client's own header mapping (no copy per request):
    # a transport cannot change it for later requests, and a POST's key never leaks into them.
    fake = FakeTransport(
        RawResponse(200, {}, b'{"id": 1}'),
        RawResponse(200, {}, b'{"id": 7}'),
        RawResponse(200, {}, b'{"id": 1}'),
    )
    with Client("tok", transport=fake, idempotency_keys=lambda: "fixed") as mp:
        mp.users.me()
        mp.payments.refund(1, "2.50")
        mp.users.me()
    first, post, last = fake.sent
    with pytest.raises(TypeError):
        first.headers["Authorization"] = "Bearer stolen"  # type: ignore[index]
    assert post.headers["X-Idempotency-Key"] == "fixed"
    assert post.headers["Authorization"] == "Bearer tok"
    assert "X-Idempotency-Key" not in last.headers
    assert "Content-Type" not in last.headers
    assert last.headers == first.headers


def test_import_mpqr_does_not_load_the_http_stack() -> None:
    code = "import sys, mpqr; print('aiohttp' in sys.modules, 'urllib3' in sys.modules)"
    out = subprocess.run(  # noqa: S603 - our own interpreter, fixed code
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.split() == ["False", "False"]


def test_unknown_lazy_attribute() -> None:
    import mpqr

    with pytest.raises(AttributeError):
        _ = mpqr.NoSuchThing


async def test_connections_are_pooled_and_kept_alive(api: Api, server: Any) -> None:
    server.default = Reply(200, b'{"id": 1}')
    for _ in range(5):
        await api("users.me")
    assert len({r.peer for r in server.requests}) == 1
