"""Does the seller server (and the sandbox) stay as fast, and as small, after many sales?

One ``mpqr sandbox`` and one ``mpqr serve`` (SQLite) in their own processes; 16 cashboxes, each
running sales end to end, one after the other: create the sale, open its SSE stream, pay it at the
sandbox, wait for ``paid`` on the stream.

- ``per_sale_ms_1k``: wall time per sale over the first 1,000 sales; ``per_sale_ms_10k``: the same
  over the last 1,000 of 10,000 (a server that slows down as it fills shows it here).
- ``rss_growth_mb``: the larger of the seller's and the sandbox's RSS growth from the end of the
  first 1,000 sales to the end of the run.
- ``seller_cpu_ms_per_sale``, ``sandbox_cpu_ms_per_sale``, ``driver_cpu_ms_per_sale``: CPU time
  (user + system) each process spent per sale over the same stretch; unlike wall time they hold
  when other work shares the machine, and their sum over the cores bounds sales per second.

``quick`` runs 200 sales and compares the first 50 with the last 50 (same keys), RSS from sale
50 to sale 200.
"""

from __future__ import annotations

import asyncio
import math
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import aiohttp

from mpqr.bench.procs import cpu_seconds
from mpqr.bench.seller import cashboxes, create_sale, pay, sale_events, session
from mpqr.bench.seller_stack import Stack

__all__ = ["measure_scale"]

_LANES = 16


def measure_scale(quick: bool, progress: Callable[[str], None]) -> dict[str, float]:
    """``per_sale_ms_1k``, ``per_sale_ms_10k`` and ``rss_growth_mb`` (see the module)."""
    total, window = (200, 50) if quick else (10_000, 1_000)
    return asyncio.run(_measure(total, window, progress))


async def _measure(total: int, window: int, progress: Callable[[str], None]) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="mpqr-bench-scale-") as tmp:
        stack = Stack(Path(tmp))
        try:
            await stack.start_sandbox()
            await stack.start_seller(f"sqlite:///{tmp}/seller.db")
            async with session(stack) as http:
                return await _run(stack, http, total, window, progress)
        finally:
            stack.stop()


async def _run(
    stack: Stack,
    http: aiohttp.ClientSession,
    total: int,
    window: int,
    progress: Callable[[str], None],
) -> dict[str, float]:
    assert stack.seller is not None
    assert stack.sandbox is not None
    boxes = await cashboxes(stack, http, _LANES, "S")
    done: list[float] = []  # when each sale was seen paid
    rss: dict[str, float] = {}
    cpu: dict[str, float] = {}
    left = iter(range(total))

    async def lane(box: str) -> None:
        for _ in left:
            await _sale_end_to_end(stack, http, box)
            done.append(time.perf_counter())
            if len(done) == window:
                rss.update(_rss(stack, "start"))
                cpu.update(_cpu(stack, "start"))
            if len(done) % window == 0:
                progress(f"scale: {len(done)} sales")

    began = time.perf_counter()
    await asyncio.gather(*(lane(box) for box in boxes))
    rss.update(_rss(stack, "end"))
    cpu.update(_cpu(stack, "end"))
    return _figures(done, began, window, rss, cpu, progress)


def _figures(
    done: list[float],
    began: float,
    window: int,
    rss: dict[str, float],
    cpu: dict[str, float],
    progress: Callable[[str], None],
) -> dict[str, float]:
    """The part's figures from when each sale was seen paid and the two readings of RSS and CPU."""
    first = (done[window - 1] - began) / window * 1000
    last = (done[-1] - done[-window - 1]) / window * 1000
    seller = rss["seller_end"] - rss["seller_start"]
    sandbox = rss["sandbox_end"] - rss["sandbox_start"]
    progress(
        f"scale: {first:.1f} ms/sale over the first {window}, {last:.1f} over the last {window} "
        f"of {len(done)}; RSS growth seller {seller:.1f} MB, sandbox {sandbox:.1f} MB"
    )
    sales = len(done) - window
    per_sale = {
        f"{name}_cpu_ms_per_sale": (cpu[f"{name}_end"] - cpu[f"{name}_start"]) / sales * 1000
        for name in ("seller", "sandbox", "driver")
    }
    progress(
        "scale: CPU per sale "
        + ", ".join(f"{k.split('_')[0]} {v:.1f} ms" for k, v in per_sale.items())
    )
    return {
        "per_sale_ms_1k": first,
        "per_sale_ms_10k": last,
        "rss_growth_mb": max(seller, sandbox),
        **per_sale,
    }


def _rss(stack: Stack, when: str) -> dict[str, float]:
    assert stack.seller is not None
    assert stack.sandbox is not None
    return {f"seller_{when}": stack.seller.rss_mb(), f"sandbox_{when}": stack.sandbox.rss_mb()}


def _cpu(stack: Stack, when: str) -> dict[str, float]:
    assert stack.seller is not None
    assert stack.sandbox is not None
    seller = cpu_seconds(stack.seller.popen.pid)
    sandbox = cpu_seconds(stack.sandbox.popen.pid)
    return {
        f"seller_{when}": math.nan if seller is None else seller,
        f"sandbox_{when}": math.nan if sandbox is None else sandbox,
        f"driver_{when}": time.process_time(),
    }


async def _sale_end_to_end(stack: Stack, http: aiohttp.ClientSession, box: str) -> None:
    sale = await create_sale(stack, http, box)
    assert stack.seller is not None
    url = f"{stack.seller.url}/api/sales/{sale['id']}/events"
    async with http.get(url, headers=stack.auth, timeout=aiohttp.ClientTimeout(total=60)) as r:
        if r.status != 200:
            raise RuntimeError(f"GET {url}: HTTP {r.status}")
        events = sale_events(r.content)
        await anext(events)
        await pay(stack, http, box)
        async for seen in events:
            if seen["status"] == "paid":
                return
    raise RuntimeError(f"the stream of {sale['id']} ended before it was paid")
