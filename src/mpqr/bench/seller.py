"""The seller server's figures: its ceiling, notification acks, sale creation, pay → paid.

Everything runs against real processes: ``mpqr sandbox`` and ``mpqr serve`` (SQLite, then a
throwaway PostgreSQL database) on free 127.0.0.1 ports. The ceiling and the acks are loaded by
:mod:`mpqr.bench.loadgen` children; the sales (create, pay, watch the stream) are driven from
this process, a few at a time.

- ``ceiling_req_per_s``: ``GET /healthz`` with 32 in flight (the app stack with no work).
- ``ipn_ack_per_s``: IPN ``POST /notifications?topic=merchant_order&id=<new id>`` with 32 in
  flight; each 200 means the inbox row is committed. ``ipn_ack_p99_ms``: the p99 at a fixed rate of
  half that (open loop, latency from the scheduled send). In the full run it starts once the rows
  of the burst before have been processed (the inbox gauge on ``/metrics`` says none is waiting):
  the processor then works on the notifications of the half-rate phase only, as it would at that
  steady rate. (Each names a merchant order Mercado Pago does not know, so each costs the
  processor three fetches before it is settled.) ``*_pg``: the same on PostgreSQL.
- ``create_sale_per_s``: ``POST /api/sales`` with 10 in flight, each on a free cashbox (its p99
  there is ``create_sale_p99_ms_10_in_flight``: about 10 × the time one create takes, as every
  request waits for the nine ahead of it). ``create_sale_p99_ms``: the p99 with sales started at a
  fixed rate of half that (open loop, latency from the scheduled start), as a cashier meets it
  on a busy day; the acks and the sandbox's GET are measured the same way. Mercado Pago's own
  answer time is inside it: ``mp_create_p99_ms`` is the sandbox's p99 for the same orders put on
  it directly at the same rate, measured just before (the goal is the seller's p99 under 50 ms
  plus that).
- ``pay_to_paid_p50_ms`` / ``_p99_ms``: from ``POST /_sandbox/pay`` until the sale's SSE stream
  (``/api/sales/{id}/events``) says ``paid``, one sale at a time (a cashier's wait).
- ``reconcile_only_p99_ms``: the same with every notification dropped by the sandbox, so only the
  seller's reconcile job finds the payment (20 sales at once; ``quick``: 4).

Windows are 6 s (``quick``: 1.5 s); sale creation uses 200 sales with 10 in flight and 150 at the
fixed rate (``quick``: 30 and 20 on SQLite, 40 and 20 on PostgreSQL), pay → paid 100 sales
(``quick``: 12). The servers run with their default settings.
"""

from __future__ import annotations

import asyncio
import json
import math
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import aiohttp

from mpqr.bench.loadgen import LoadResult, LoadSpec, percentile, run_load
from mpqr.bench.seller_stack import Stack, postgres_database

__all__ = ["cashboxes", "create_sale", "measure_seller", "pay", "sale_events", "session"]

Progress = Callable[[str], None]
KEYS = (
    "ceiling_req_per_s",
    "ipn_ack_per_s",
    "ipn_ack_p99_ms",
    "ipn_ack_per_s_pg",
    "ipn_ack_p99_ms_pg",
    "mp_create_p99_ms",
    "create_sale_per_s",
    "create_sale_p99_ms",
    "create_sale_p99_ms_10_in_flight",
    "create_sale_per_s_pg",
    "create_sale_p99_ms_pg",
    "create_sale_p99_ms_10_in_flight_pg",
    "pay_to_paid_p50_ms",
    "pay_to_paid_p99_ms",
    "reconcile_only_p99_ms",
)
_LOAD_CONCURRENCY = 32
_CREATE_CONCURRENCY = 10
_MAX_ACKS_PER_S = 5_000  # more distinct notification ids than the closed loop can send


def measure_seller(quick: bool, progress: Callable[[str], None]) -> dict[str, float]:
    """Every figure above (``quick``: short windows, few sales)."""
    return asyncio.run(_measure(quick, progress))


async def _measure(quick: bool, progress: Progress) -> dict[str, float]:
    out: dict[str, float] = dict.fromkeys(KEYS, math.nan)
    with tempfile.TemporaryDirectory(prefix="mpqr-bench-seller-") as tmp:
        stack = Stack(Path(tmp))
        try:
            await stack.start_sandbox()
            await stack.start_seller(f"sqlite:///{tmp}/seller.db")
            async with session(stack) as http:
                out.update(await _sqlite_figures(stack, http, quick, progress))
            stack.stop_seller()
            async with postgres_database() as pg:
                if pg is None:
                    progress("seller: PostgreSQL unreachable; the *_pg figures are NaN")
                else:
                    await stack.start_seller(pg)
                    async with session(stack) as http:
                        out.update(await _pg_figures(stack, http, quick, progress))
                    stack.stop_seller()
        finally:
            stack.stop()
    return out


def session(stack: Stack) -> aiohttp.ClientSession:
    connector = aiohttp.TCPConnector(limit=0, force_close=False)
    return aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=60))


async def _sqlite_figures(
    stack: Stack, http: aiohttp.ClientSession, quick: bool, progress: Progress
) -> dict[str, float]:
    seconds = 1.5 if quick else 6.0
    out: dict[str, float] = {}
    out["ceiling_req_per_s"] = await _ceiling(stack, seconds)
    progress(f"seller ceiling (GET /healthz): {out['ceiling_req_per_s']:.0f} req/s")
    closed, fixed = (30, 20) if quick else (200, 150)
    boxes = await cashboxes(stack, http, closed + 2 * fixed, "B")
    rate, p99 = await _creates(stack, http, boxes[:closed])
    out["create_sale_per_s"], out["create_sale_p99_ms_10_in_flight"] = rate, p99
    progress(f"seller create sale (SQLite): {rate:.0f}/s, p99 {p99:.0f} ms with 10 in flight")
    direct, mine = boxes[closed : closed + fixed], boxes[closed + fixed :]
    out["mp_create_p99_ms"] = await _creates_at(stack, http, direct, rate / 2, direct=True)
    progress(f"the sandbox's own order creation at {rate / 2:.0f}/s: p99 "
             f"{out['mp_create_p99_ms']:.0f} ms")  # fmt: skip
    out["create_sale_p99_ms"] = p99 = await _creates_at(stack, http, mine, rate / 2)
    progress(f"seller create sale (SQLite) at {rate / 2:.0f}/s: p99 {p99:.0f} ms")
    lanes = await cashboxes(stack, http, 1, "P")
    paid = await _pay_to_paid(stack, http, lanes, 12 if quick else 100)
    out["pay_to_paid_p50_ms"] = percentile(sorted(paid), 50)
    out["pay_to_paid_p99_ms"] = percentile(sorted(paid), 99)
    p50, p99 = out["pay_to_paid_p50_ms"], out["pay_to_paid_p99_ms"]
    progress(f"seller pay→paid: p50 {p50:.0f} ms, p99 {p99:.0f} ms")
    await _faults(stack, http, {"notifications": {"drop": 1.0}})
    try:
        late = await cashboxes(stack, http, 4 if quick else 20, "R")
        found = await _pay_to_paid(stack, http, late, len(late), within=30.0)
    finally:
        await _faults(stack, http, {})
    out["reconcile_only_p99_ms"] = percentile(sorted(found), 99)
    progress(f"seller reconcile-only pay→paid: p99 {out['reconcile_only_p99_ms']:.0f} ms")
    ack, ack_p99 = await _acks(stack, seconds, drain=not quick)
    out["ipn_ack_per_s"], out["ipn_ack_p99_ms"] = ack, ack_p99
    progress(f"seller IPN ack (SQLite): {ack:.0f}/s, p99 {ack_p99:.1f} ms at {ack / 2:.0f}/s")
    return out


async def _pg_figures(
    stack: Stack, http: aiohttp.ClientSession, quick: bool, progress: Progress
) -> dict[str, float]:
    seconds = 1.5 if quick else 6.0
    out: dict[str, float] = {}
    closed, fixed = (40, 20) if quick else (200, 150)
    boxes = await cashboxes(stack, http, closed + fixed, "B")
    rate, p99 = await _creates(stack, http, boxes[:closed])
    out["create_sale_per_s_pg"], out["create_sale_p99_ms_10_in_flight_pg"] = rate, p99
    progress(f"seller create sale (PostgreSQL): {rate:.0f}/s, p99 {p99:.0f} ms with 10 in flight")
    out["create_sale_p99_ms_pg"] = p99 = await _creates_at(stack, http, boxes[closed:], rate / 2)
    progress(f"seller create sale (PostgreSQL) at {rate / 2:.0f}/s: p99 {p99:.0f} ms")
    ack, ack_p99 = await _acks(stack, seconds, drain=not quick)
    out["ipn_ack_per_s_pg"], out["ipn_ack_p99_ms_pg"] = ack, ack_p99
    progress(f"seller IPN ack (PostgreSQL): {ack:.0f}/s, p99 {ack_p99:.1f} ms at {ack / 2:.0f}/s")
    return out


# --- the figures


async def _ceiling(stack: Stack, seconds: float) -> float:
    spec = LoadSpec(url=_seller(stack), paths=("/healthz",), concurrency=_LOAD_CONCURRENCY,
                    seconds=seconds)  # fmt: skip
    return (await _load(spec)).rate


async def _acks(stack: Stack, seconds: float, drain: bool) -> tuple[float, float]:
    """(acks per second with 32 in flight, p99 ms at half that rate). Every notification names a
    merchant order never announced before, so each 200 is a new inbox row committed. ``drain``:
    wait for the burst's rows to be processed before the half-rate phase (the smoke run does not,
    it only checks that every figure comes out)."""
    base = int(time.time() * 1000) * 1000

    def ids(first: int, count: int) -> tuple[str, ...]:
        return tuple(f"/notifications?topic=merchant_order&id={first + n}" for n in range(count))

    window = seconds + 0.5  # the load generator's warm-up sends too
    spec = LoadSpec(url=_seller(stack), paths=ids(base, int(_MAX_ACKS_PER_S * window)),
                    method="POST", concurrency=_LOAD_CONCURRENCY, seconds=seconds)  # fmt: skip
    rate = (await _load(spec)).rate
    if drain:
        await _inbox_drained(stack)  # the burst's rows are not the half-rate phase's work
    paths = ids(base + 10**7, int(rate * window) + 100)
    at_half = await _load(replace(spec, paths=paths, rate=rate / 2))
    return rate, at_half.percentile(99)


async def _inbox_drained(stack: Stack, within: float = 120.0) -> None:
    """Wait until the seller's inbox holds nothing waiting to be processed (its ``/metrics``)."""
    url = _seller(stack) + "/metrics"
    waiting = 'mpqr_inbox_notifications{state="received"} '
    deadline = time.monotonic() + within
    async with aiohttp.ClientSession() as http:
        while time.monotonic() < deadline:
            async with http.get(url) as r:
                text = await r.text()
            left = [ln for ln in text.splitlines() if ln.startswith(waiting)]
            if left and float(left[0].removeprefix(waiting)) == 0:
                return
            await asyncio.sleep(0.25)
    raise RuntimeError(f"the seller's inbox did not drain within {within:.0f} s")


async def _load(spec: LoadSpec) -> LoadResult:
    """``spec`` run by :mod:`mpqr.bench.loadgen` children; any answer but 200 is an error."""
    result = await asyncio.to_thread(run_load, spec)
    if result.errors:
        raise RuntimeError(f"{spec.method} {spec.paths[0]}: {result.errors} answers were not 200")
    return result


async def _creates(
    stack: Stack, http: aiohttp.ClientSession, boxes: list[str], direct: bool = False
) -> tuple[float, float]:
    """One sale on each cashbox, 10 in flight: (sales per second, p99 ms). ``direct``: the same
    orders put on the cashboxes at the sandbox itself (Mercado Pago's own share)."""
    free = iter(boxes)
    latencies: list[float] = []

    async def worker() -> None:
        for box in free:
            start = time.perf_counter()
            await (_order_at_sandbox(stack, http, box) if direct else create_sale(stack, http, box))
            latencies.append((time.perf_counter() - start) * 1000)

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(_CREATE_CONCURRENCY)))
    return len(latencies) / (time.perf_counter() - began), percentile(sorted(latencies), 99)


async def _creates_at(
    stack: Stack, http: aiohttp.ClientSession, boxes: list[str], rate: float, direct: bool = False
) -> float:
    """One sale on each cashbox, started at a fixed ``rate`` per second whatever the answers
    (open loop): the p99 ms from each sale's scheduled start to its answer."""
    loop = asyncio.get_running_loop()
    began = loop.time() + 0.05
    latencies: list[float] = []

    async def one(n: int, box: str) -> None:
        at = began + n / rate
        await asyncio.sleep(max(0.0, at - loop.time()))
        await (_order_at_sandbox(stack, http, box) if direct else create_sale(stack, http, box))
        latencies.append((loop.time() - at) * 1000)

    await asyncio.gather(*(one(n, box) for n, box in enumerate(boxes)))
    return percentile(sorted(latencies), 99)


async def _pay_to_paid(
    stack: Stack,
    http: aiohttp.ClientSession,
    lanes: list[str],
    sales: int,
    within: float = 10.0,
) -> list[float]:
    """``sales`` sales spread over ``lanes`` cashboxes (one at a time on each): ms from the pay
    to the ``paid`` event on the sale's stream."""
    left = iter(range(sales))
    times: list[float] = []

    async def lane(box: str) -> None:
        for _ in left:
            sale = await create_sale(stack, http, box)
            times.append(await _one_payment(stack, http, box, sale["id"], within))

    await asyncio.gather(*(lane(box) for box in lanes))
    return times


async def _one_payment(
    stack: Stack, http: aiohttp.ClientSession, box: str, sale_id: str, within: float
) -> float:
    url = f"{_seller(stack)}/api/sales/{sale_id}/events"
    async with http.get(url, headers=stack.auth, timeout=aiohttp.ClientTimeout(total=within)) as r:
        _expect(r, 200)
        events = sale_events(r.content)
        first = await anext(events)
        assert first["status"] == "pending", first
        start = time.perf_counter()
        await pay(stack, http, box)
        async for sale in events:
            if sale["status"] == "paid":
                return (time.perf_counter() - start) * 1000
    raise RuntimeError(f"the stream of {sale_id} ended before it was paid")


async def sale_events(stream: aiohttp.StreamReader) -> Any:
    async for raw in stream:
        line = raw.decode().strip()
        if line.startswith("data: "):
            yield json.loads(line[6:])


# --- the calls


def _seller(stack: Stack) -> str:
    assert stack.seller is not None
    return stack.seller.url


def _sandbox(stack: Stack) -> str:
    assert stack.sandbox is not None
    return stack.sandbox.url


def _expect(r: aiohttp.ClientResponse, *statuses: int) -> None:
    if r.status not in statuses:
        raise RuntimeError(f"{r.method} {r.url.path}: HTTP {r.status}")


async def cashboxes(
    stack: Stack, http: aiohttp.ClientSession, count: int, prefix: str
) -> list[str]:
    """``count`` new cashboxes (in a new store), created 10 at a time."""
    api = _seller(stack) + "/api"
    stack.stores += 1
    shop = f"BENCH{stack.stores}"
    store = {"external_id": shop, "name": shop, "location": {"city_name": "Bench"}}
    async with http.post(api + "/stores", json=store, headers=stack.auth) as r:
        _expect(r, 201)
    names = [f"{prefix}{stack.stores}x{i:05d}" for i in range(count)]
    todo = iter(names)

    async def worker() -> None:
        for name in todo:
            body = {"external_id": name, "name": name, "store_external_id": shop}
            async with http.post(api + "/cashboxes", json=body, headers=stack.auth) as r:
                _expect(r, 201)

    await asyncio.gather(*(worker() for _ in range(10)))
    return names


async def create_sale(stack: Stack, http: aiohttp.ClientSession, box: str) -> dict[str, Any]:
    body = {"cashbox": box, "items": [{"title": "Café", "unit_price": "150.00", "quantity": 2}]}
    url = _seller(stack) + "/api/sales"
    async with http.post(url, json=body, headers=stack.auth) as r:
        _expect(r, 201)
        sale: dict[str, Any] = await r.json()
        return sale


async def pay(stack: Stack, http: aiohttp.ClientSession, box: str) -> None:
    body = {"user_id": stack.user_id, "external_pos_id": box, "status": "approved"}
    async with http.post(_sandbox(stack) + "/_sandbox/pay", json=body) as r:
        await r.read()
        _expect(r, 201)


async def _order_at_sandbox(stack: Stack, http: aiohttp.ClientSession, box: str) -> None:
    item = {"title": "Café", "currency_id": "ARS", "unit_price": 300, "quantity": 1}
    body = {"external_reference": f"direct-{box}", "items": [item]}
    url = f"{_sandbox(stack)}/mpmobile/instore/qr/{stack.user_id}/{box}"
    headers = {"Authorization": f"Bearer {stack.token}"}
    async with http.post(url, json=body, headers=headers) as r:
        await r.read()
        _expect(r, 200, 201, 204)


async def _faults(stack: Stack, http: aiohttp.ClientSession, config: dict[str, Any]) -> None:
    async with http.put(_sandbox(stack) + "/_sandbox/faults", json=config) as r:
        await r.read()
        _expect(r, 200)
