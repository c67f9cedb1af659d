# The source of sync.py: scripts/unasync.py writes that sync twin from this file.
# Edit here, then run `python scripts/unasync.py` (make lint fails while the twin is stale).
"""``mpqr.AsyncClient`` (HTTP/1.1 on raw asyncio). It only sends; ``_core`` builds and parses."""

from __future__ import annotations

import asyncio
import os
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from types import TracebackType
from typing import Any, Self, TypeVar

from mpqr.client import _async_resources as res
from mpqr.client import transports
from mpqr.client._core import (
    DEFAULT_BASE_URL,
    DEFAULT_RETRY,
    DEFAULT_TIMEOUTS,
    Call,
    RawRequest,
    RawResponse,
    build_request,
    json_or_none,
    log_attempt,
    log_retry,
    make_config,
    new_idempotency_key,
    parse_response,
    retry_delay,
)
from mpqr.client.recording import TrafficRecorder
from mpqr.client.retry import RetryPolicy, Timeouts
from mpqr.errors import APIConnectionError

__all__ = ["DEFAULT_BASE_URL", "AsyncClient"]

T = TypeVar("T")


class AsyncClient:
    """A typed, pooled client (HTTP/1.1 on raw asyncio) for every Mercado Pago in-store QR API.

    Connections are kept alive between calls, up to ``max_connections`` per host (100 by default,
    so 32 or 64 calls in flight never wait for a socket).
    Resources: ``users``, ``stores``, ``pos``, ``qr_orders``, ``orders``, ``merchant_orders``,
    ``payments``, ``test_users``. Auth is only the ``Authorization: Bearer`` header; the token never
    appears in ``repr``, logs or exception messages. Failed calls are retried by ``retry`` (POSTs
    only with their idempotency key, which is the same on every attempt). Give ``site_id`` to have
    v2, dynamic and Orders API amounts checked for the seller's currency before sending. Give
    ``record_to`` (a file path) to append every HTTP exchange to it as a JSON line, with the token
    and payer data masked (see :mod:`mpqr.client.recording` and ``mpqr sandbox parity``).

    >>> async with AsyncClient("APP_USR-...", site_id="MLA") as mp:  # doctest: +SKIP
    ...     await mp.qr_orders.put(123, "CAJA01", {"external_reference": "A1", "title": "Pasta",
    ...         "total_amount": "100.00", "items": [{"title": "Pasta", "unit_price": "20.00",
    ...         "quantity": 5, "unit_measure": "unit", "total_amount": "100.00"}]})
    """

    def __init__(
        self,
        access_token: str,
        *,
        base_url: str = DEFAULT_BASE_URL,
        timeouts: Timeouts = DEFAULT_TIMEOUTS,
        retry: RetryPolicy = DEFAULT_RETRY,
        user_agent: str | None = None,
        site_id: str | None = None,
        transport: transports.AsyncTransport | None = None,
        max_connections: int = 100,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rng: random.Random | None = None,
        idempotency_keys: Callable[[], str] = new_idempotency_key,
        record_to: str | os.PathLike[str] | None = None,
    ) -> None:
        self._config = make_config(access_token, base_url, user_agent, site_id)
        self._recorder = (
            None
            if record_to is None
            else TrafficRecorder(record_to, prefix=self._config.prefix, secret=self._config.secret)
        )
        self._retry = retry
        self._transport: transports.AsyncTransport = transport or transports.AsyncioTransport(
            timeouts=timeouts, max_connections=max_connections
        )
        self._sleep = sleep
        self._rng = rng or random.Random()  # jitter, not a secret
        self._new_key = idempotency_keys
        self.users = res.Users(self)
        self.stores = res.Stores(self)
        self.pos = res.PointsOfSale(self)
        self.qr_orders = res.QrOrders(self)
        self.orders = res.Orders(self)
        self.merchant_orders = res.MerchantOrders(self)
        self.payments = res.Payments(self)
        self.test_users = res.TestUsers(self)

    def __repr__(self) -> str:
        cfg = self._config
        return (
            f"{type(self).__name__}(base_url={cfg.origin + cfg.prefix!r}, "
            f"site_id={cfg.site_id and cfg.site_id.value!r}, access_token='***')"
        )

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the pooled connections."""
        await self._transport.aclose()

    async def request(
        self,
        method: str,
        path: str,
        *,
        query: Mapping[str, str] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        idempotency_key: str | None = None,
        auto_idempotency_key: bool = True,
    ) -> Any:
        """Any other endpoint, with the same auth, retries and errors. Returns decoded JSON or None.

        ``auto_idempotency_key=False`` sends a POST without a key: it is then never retried.
        """
        call = Call(
            method.upper(),
            path,
            json_or_none,
            query=tuple((query or {}).items()),
            json=json,
            headers=tuple((headers or {}).items()),
            idempotency_key=idempotency_key,
            auto_idempotency_key=auto_idempotency_key,
        )
        return await self._send(call)

    async def _send(self, call: Call[T]) -> T:
        # The bookkeeping around a send is in plain methods, so that only this frame waits on the
        # transport: in the async client every resumption passes through each awaiting frame.
        key = call.idempotency_key or (self._new_key() if call.wants_key else None)
        raw = build_request(self._config, call, key)
        has_key = key is not None
        attempt = 0
        while True:
            started = time.perf_counter()
            try:
                response = await self._transport.send(raw)
            except APIConnectionError as exc:
                delay = self._delay_after_error(call, exc, started, has_key, attempt)
                if delay is None:
                    raise
            else:
                delay = self._delay_after_response(call, raw, response, started, has_key, attempt)
                if delay is None:
                    return parse_response(self._config, call, response)
            await self._sleep(delay)
            attempt += 1

    def _delay_after_error(
        self, call: Call[Any], exc: APIConnectionError, started: float, has_key: bool, attempt: int
    ) -> float | None:
        """The wait before retrying after no answer came back, or ``None`` to raise ``exc``."""
        log_attempt(call, type(exc).__name__, started, attempt)
        delay = self._retry.delay_after_error(attempt, call.method, has_key, self._rng)
        if delay is not None:
            log_retry(call, type(exc).__name__, delay, attempt)
        return delay

    def _delay_after_response(
        self,
        call: Call[Any],
        raw: RawRequest,
        response: RawResponse,
        started: float,
        has_key: bool,
        attempt: int,
    ) -> float | None:
        """The wait before retrying this answer, or ``None`` to use it (a result or an error)."""
        log_attempt(call, response, started, attempt)
        if self._recorder is not None:
            self._recorder.record(raw, response, time.perf_counter() - started)
        delay = retry_delay(self._retry, call, response, has_key, attempt, self._rng)
        if delay is not None:
            log_retry(call, f"HTTP {response.status}", delay, attempt)
        return delay
