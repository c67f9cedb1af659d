"""How many ``GET /merchant_orders/{id}`` calls a client gets through, against the canned server.

Each function returns calls per second, measured in the calling process (the load generator)
against :class:`~mpqr.bench.canned.CannedServer` in a child process. Pass ``server`` to share one
server between measurements; otherwise each starts its own. ``quick=True`` measures for a quarter
of a second (for smoke tests and ``mpqr bench --quick``), the full run for three seconds;
``seconds`` overrides both. :func:`measure_all` interleaves short slices of every measurement over
several rounds and keeps each one's median, so a load spike on a shared machine does not land on
one figure only.

The baselines do the least a caller must: send the request and decode the JSON body
(``json.loads``); mpqr's clients also check the status, map errors and build a typed model.

- :func:`official_sdk_calls_per_s`: the official ``mercadopago`` SDK (one ``requests`` session per
  call, as the SDK does), one call at a time;
- :func:`raw_urllib3_calls_per_s`: one pooled ``urllib3`` connection, one call at a time;
- :func:`raw_aiohttp32_calls_per_s`: ``aiohttp`` with 32 connections and 32 calls in flight;
- :func:`sync_calls_per_s`: ``mpqr.Client``, one call at a time;
- :func:`async32_calls_per_s`: ``mpqr.AsyncClient`` with its defaults, 32 calls in flight;
- :func:`official_sdk_tls_calls_per_s`, :func:`sync_tls_calls_per_s`: the same over HTTPS on
  loopback (a self-signed certificate made at run time; the clients are told to trust it).
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager

from mpqr.bench.canned import CannedServer

__all__ = [
    "async32_calls_per_s",
    "measure_all",
    "official_sdk_calls_per_s",
    "official_sdk_tls_calls_per_s",
    "raw_aiohttp32_calls_per_s",
    "raw_urllib3_calls_per_s",
    "sync_calls_per_s",
    "sync_tls_calls_per_s",
]

TOKEN = "APP_USR-0000000000000000-000000-00000000000000000000000000000000-000000000"  # noqa: S105 (a dummy)
PATH = "/merchant_orders/19961356837"
IN_FLIGHT = 32


def _seconds(quick: bool, seconds: float | None = None) -> float:
    return seconds if seconds is not None else 0.25 if quick else 3.0


@contextmanager
def _server(server: CannedServer | None, tls: bool) -> Iterator[CannedServer]:
    if server is not None:
        yield server
        return
    with CannedServer.start(tls=tls) as started:
        yield started


def _rate(call: Callable[[], object], seconds: float) -> float:
    """Calls per second of ``call`` over ``seconds`` (after a short warm-up)."""
    warm = time.perf_counter() + min(0.2, seconds / 2)
    while time.perf_counter() < warm:
        call()
    count, start = 0, time.perf_counter()
    deadline = start + seconds
    while True:
        for _ in range(10):
            call()
        count += 10
        now = time.perf_counter()
        if now >= deadline:
            return count / (now - start)


async def _rate_async(call: Callable[[], Awaitable[object]], seconds: float) -> float:
    """Calls per second with ``IN_FLIGHT`` tasks calling ``call`` in a loop."""

    async def worker(until: float) -> int:
        done = 0
        while time.perf_counter() < until:
            await call()
            done += 1
        return done

    await asyncio.gather(*(worker(time.perf_counter() + 0.2) for _ in range(IN_FLIGHT)))
    start = time.perf_counter()
    counts = await asyncio.gather(*(worker(start + seconds) for _ in range(IN_FLIGHT)))
    return sum(counts) / (time.perf_counter() - start)


@contextmanager
def _trusting(cafile: str | None) -> Iterator[None]:
    """``requests`` (inside the official SDK) trusts ``cafile`` for the duration."""
    saved = os.environ.get("REQUESTS_CA_BUNDLE")
    if cafile is not None:
        os.environ["REQUESTS_CA_BUNDLE"] = cafile
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("REQUESTS_CA_BUNDLE", None)
        else:
            os.environ["REQUESTS_CA_BUNDLE"] = saved


def _official_sdk(url: str, seconds: float) -> float:
    import mercadopago
    from mercadopago.config.config import Config

    attr = "_Config__api_base_url"  # the SDK has no public setting for its base URL
    saved = getattr(Config, attr)
    setattr(Config, attr, url)
    try:
        sdk = mercadopago.SDK(TOKEN)
        return _rate(lambda: sdk.merchant_order().get(19961356837), seconds)
    finally:
        setattr(Config, attr, saved)


def official_sdk_calls_per_s(
    quick: bool = False, *, server: CannedServer | None = None, seconds: float | None = None
) -> float:
    with _server(server, tls=False) as srv:
        return _official_sdk(srv.url, _seconds(quick, seconds))


def official_sdk_tls_calls_per_s(
    quick: bool = False, *, server: CannedServer | None = None, seconds: float | None = None
) -> float:
    with _server(server, tls=True) as srv, _trusting(srv.cafile):
        return _official_sdk(srv.url, _seconds(quick, seconds))


def raw_urllib3_calls_per_s(
    quick: bool = False, *, server: CannedServer | None = None, seconds: float | None = None
) -> float:
    import urllib3

    with _server(server, tls=False) as srv:
        pool = urllib3.PoolManager(maxsize=1, retries=False).connection_from_url(srv.url)
        headers = {"Authorization": f"Bearer {TOKEN}", "Accept": "application/json"}

        def call() -> object:
            return json.loads(pool.urlopen("GET", PATH, headers=headers, retries=False).data)

        try:
            return _rate(call, _seconds(quick, seconds))
        finally:
            pool.close()


def raw_aiohttp32_calls_per_s(
    quick: bool = False, *, server: CannedServer | None = None, seconds: float | None = None
) -> float:
    import aiohttp

    async def run(url: str) -> float:
        connector = aiohttp.TCPConnector(limit=IN_FLIGHT)
        headers = {"Authorization": f"Bearer {TOKEN}", "Accept": "application/json"}
        async with aiohttp.ClientSession(url, connector=connector, headers=headers) as session:

            async def call() -> object:
                async with session.get(PATH) as response:
                    return json.loads(await response.read())

            return await _rate_async(call, _seconds(quick, seconds))

    with _server(server, tls=False) as srv:
        return asyncio.run(run(srv.url))


def _sync(url: str, seconds: float, cafile: str | None = None) -> float:
    from mpqr import Client
    from mpqr.client import StdlibTransport

    transport = None if cafile is None else StdlibTransport(ca_certs=cafile)
    with Client(TOKEN, base_url=url, transport=transport) as mp:
        return _rate(lambda: mp.merchant_orders.get(19961356837), seconds)


def sync_calls_per_s(
    quick: bool = False, *, server: CannedServer | None = None, seconds: float | None = None
) -> float:
    with _server(server, tls=False) as srv:
        return _sync(srv.url, _seconds(quick, seconds))


def sync_tls_calls_per_s(
    quick: bool = False, *, server: CannedServer | None = None, seconds: float | None = None
) -> float:
    with _server(server, tls=True) as srv:
        return _sync(srv.url, _seconds(quick, seconds), srv.cafile)


def async32_calls_per_s(
    quick: bool = False, *, server: CannedServer | None = None, seconds: float | None = None
) -> float:
    from mpqr import AsyncClient

    async def run(url: str) -> float:
        async with AsyncClient(TOKEN, base_url=url) as mp:
            call = lambda: mp.merchant_orders.get(19961356837)  # noqa: E731
            return await _rate_async(call, _seconds(quick, seconds))

    with _server(server, tls=False) as srv:
        return asyncio.run(run(srv.url))


PLAIN: dict[str, Callable[..., float]] = {
    "client.official_sdk_calls_per_s": official_sdk_calls_per_s,
    "client.raw_urllib3_calls_per_s": raw_urllib3_calls_per_s,
    "client.raw_aiohttp32_calls_per_s": raw_aiohttp32_calls_per_s,
    "client.sync_calls_per_s": sync_calls_per_s,
    "client.async32_calls_per_s": async32_calls_per_s,
}
TLS: dict[str, Callable[..., float]] = {
    "client.official_sdk_tls_calls_per_s": official_sdk_tls_calls_per_s,
    "client.sync_tls_calls_per_s": sync_tls_calls_per_s,
}


def measure_all(quick: bool = False, *, rounds: int | None = None) -> dict[str, float]:
    """Every figure, with the keys of ``mpqr bench --json``.

    Each of ``rounds`` rounds (1 quick, 5 full) measures every figure in turn for a short slice;
    a figure is the median of its rounds.
    """
    count = rounds if rounds is not None else 1 if quick else 5
    per = _seconds(quick) if quick else 0.6
    samples: dict[str, list[float]] = {name: [] for name in PLAIN | TLS}
    with CannedServer.start() as plain, CannedServer.start(tls=True) as tls:
        for _ in range(count):
            for name, measure in PLAIN.items():
                samples[name].append(measure(server=plain, seconds=per))
            for name, measure in TLS.items():
                samples[name].append(measure(server=tls, seconds=per))
    return {name: statistics.median(values) for name, values in samples.items()}
