"""The seller benchmarks (mpqr.bench.seller, mpqr.bench.scale) and the property they rest on: a
notification answered 200 is in the inbox table, even when the server is killed with SIGKILL."""

from __future__ import annotations

import asyncio
import math
import sqlite3
from pathlib import Path

import aiohttp
import pytest

from mpqr.bench.loadgen import percentile
from mpqr.bench.procs import free_port
from mpqr.bench.scale import measure_scale
from mpqr.bench.seller import KEYS, measure_seller
from mpqr.bench.seller_stack import Proc


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50.0
    assert percentile(values, 99) == 99.0
    assert percentile([7.0], 99) == 7.0
    assert math.isnan(percentile([], 50))


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_quick_run_returns_every_key_as_a_positive_number() -> None:
    said: list[str] = []
    figures = {**measure_seller(True, said.append), **measure_scale(True, said.append)}
    expected = {
        *KEYS,
        "per_sale_ms_1k",
        "per_sale_ms_10k",
        "rss_growth_mb",
        "seller_cpu_ms_per_sale",
        "sandbox_cpu_ms_per_sale",
        "driver_cpu_ms_per_sale",
    }
    assert set(figures) == expected
    for key, value in figures.items():
        assert isinstance(value, float), key
        # RSS may even shrink a little; every other figure is a positive number
        assert math.isfinite(value), key
        assert value > 0 or key == "rss_growth_mb", (key, value)
    assert said  # progress was reported


@pytest.mark.slow
@pytest.mark.timeout(120)
async def test_a_notification_answered_200_survives_kill_9(tmp_path: Path) -> None:
    db = tmp_path / "seller.db"
    port = free_port()
    args = [
        "serve", "--port", str(port), "--database-url", f"sqlite:///{db}",
        "--mp-base-url", f"http://127.0.0.1:{free_port()}",  # nobody there: nothing gets processed
        "--mp-access-token", "APP_USR-1", "--api-key", "kill-test-key-0123456789",
        "--log-level", "warning",
    ]  # fmt: skip
    proc = Proc.spawn(args, tmp_path / "seller.log", port, {})
    acked: list[str] = []
    enough = asyncio.Event()
    try:
        await proc.ready("/readyz")
        async with aiohttp.ClientSession() as http:

            async def send(n: int) -> None:
                params = {"topic": "merchant_order", "id": str(10**10 + n)}
                try:
                    async with http.post(proc.url + "/notifications", params=params) as r:
                        await r.read()
                        if r.status == 200:
                            acked.append(params["id"])
                            if len(acked) >= 150:
                                enough.set()
                except aiohttp.ClientError:
                    pass  # killed before it answered: not acknowledged, Mercado Pago sends again

            async def killer() -> None:
                await enough.wait()
                proc.stop(kill=True)

            sends = [send(n) for n in range(3000)]
            await asyncio.gather(killer(), *sends)
    finally:
        proc.stop(kill=True)
    assert len(acked) >= 150
    with sqlite3.connect(db) as conn:
        stored = {r[0] for r in conn.execute("SELECT resource_id FROM notifications")}
    assert set(acked) <= stored
