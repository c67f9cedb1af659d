"""One chaos run: a sandbox with faults, a seller server that keeps being killed, a sales mix,
invariant samples while it runs, then a calm period and the judgement."""

from __future__ import annotations

import asyncio
import contextlib
import random
import secrets
import socket
import tempfile
import time
from asyncio import FIRST_COMPLETED
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from mpqr.chaos.driver import CustomerSide, SellerAPI
from mpqr.chaos.report import Report, judge
from mpqr.chaos.scenarios import MIX, Ctx, pick_mix, run_scenario
from mpqr.chaos.server import CRASH_ORDER, SellerProcess
from mpqr.chaos.truth import live_orders, truth_of
from mpqr.sandbox.testing import Sandbox

__all__ = ["DEFAULT_FAULTS", "ChaosConfig", "run"]

DEFAULT_FAULTS: dict[str, Any] = {
    "notifications": {"drop": 0.3, "duplicate": 0.2, "reorder": 0.3, "delay_ms": [0, 300]},
    "api": {"error_rate": 0.05, "error_statuses": [500, 503, 429]},
}


@dataclass
class ChaosConfig:
    sales: int = 200
    cashboxes: int = 10
    seed: int = 1
    kill_every: float = 20.0  # seconds between SIGKILLs (0: never)
    kills: int | None = None  # stop killing after this many
    database_url: str | None = None  # default: a fresh SQLite file
    integration: str = "instore-v1"
    crash_points: tuple[str, ...] = CRASH_ORDER
    concurrency: int = 8
    faults: dict[str, Any] = field(default_factory=lambda: dict(DEFAULT_FAULTS))
    traffic_timeout: float = 900.0  # then the scenarios still running are abandoned
    settle_timeout: float = 180.0
    workdir: Path | None = None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _server(config: ChaosConfig, sandbox: Sandbox, workdir: Path, key: str) -> SellerProcess:
    assert sandbox.seller is not None
    database = config.database_url or f"sqlite:///{workdir}/seller.db"
    args = [
        "--database-url", database,
        "--mp-base-url", sandbox.base_url,
        "--mp-access-token", sandbox.seller.access_token,
        "--integration", config.integration,
        "--api-key", key,
        "--lease-seconds", "8",
        "--recovery-interval", "0.3",
        "--sweep-interval", "10",
        "--log-level", "warning",
    ]  # fmt: skip
    env = {  # a chaos day is short: reconcile often
        "MPQR_RECONCILE_FIRST_AFTER": "1",
        "MPQR_RECONCILE_MAX_INTERVAL": "5",
        "MPQR_RECONCILE_AFTER_EXPIRY": "30",
        "MPQR_POLL_INTERVAL": "0.2",
    }
    return SellerProcess(args, env, _free_port(), workdir / "seller.log", list(config.crash_points))


def _say(text: str) -> None:
    import sys

    print(f"[chaos {time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def _dump_tasks() -> None:
    """SIGUSR1: print where every task of the run waits (a hung run explains itself)."""
    import sys

    for task in asyncio.all_tasks():
        task.print_stack(limit=6, file=sys.stderr)


async def run(config: ChaosConfig) -> Report:
    """Run the day; the report says whether money was ever wrong."""
    import signal

    asyncio.get_running_loop().add_signal_handler(signal.SIGUSR1, _dump_tasks)
    database = "postgresql" if (config.database_url or "").startswith("postgres") else "sqlite"
    report = Report(config.integration, database)
    with contextlib.ExitStack() as stack:
        workdir = config.workdir or Path(stack.enter_context(tempfile.TemporaryDirectory()))
        for stale in ("seller.db", "seller.db-wal", "seller.db-shm", "seller.log"):
            (workdir / stale).unlink(missing_ok=True)  # a new day
        sandbox = stack.enter_context(Sandbox(seed=config.seed))
        key = "chaos_" + secrets.token_urlsafe(16)
        server = _server(config, sandbox, workdir, key)
        await server.start()
        seller = SellerAPI(server.url, key)
        try:
            await _day(config, report, server, seller, CustomerSide(sandbox))
        finally:
            await seller.aclose()
            server.stop()
        report.kills = server.kills
        report.crash_points_fired = list(server.crashes)
    return report


async def _day(
    config: ChaosConfig,
    report: Report,
    server: SellerProcess,
    seller: SellerAPI,
    customer: CustomerSide,
) -> None:
    boxes = [f"CAJA{i:02d}" for i in range(1, config.cashboxes + 1)]
    await _setup(seller, boxes)
    ctx = Ctx(seller, customer, random.Random(config.seed))
    await customer.faults({"seed": config.seed, **config.faults})
    async with _keeper(config, server) as keeper, _sampler(customer, seller, report):
        traffic = asyncio.create_task(_traffic(config, ctx, boxes))
        # the keeper never ends by itself: it only ever stops the wait by failing
        done, _ = await asyncio.wait(
            {traffic, keeper}, timeout=config.traffic_timeout, return_when=FIRST_COMPLETED
        )
        if keeper in done:  # the server cannot be brought back: stop here, loudly
            traffic.cancel()
            keeper.result()
        if traffic not in done:
            traffic.cancel()
            ctx.note(f"traffic did not finish in {config.traffic_timeout:.0f} s; abandoned")
        await customer.faults({"seed": config.seed})  # a calm evening: faults off
        _say(f"traffic over ({len(ctx.sales)} sales); faults off, settling")
        started = time.monotonic()
        converged = await _settle(config, report, ctx, customer, seller, started)
    report.seconds_to_converge = converged
    report.notes = ctx.notes


async def _setup(seller: SellerAPI, boxes: list[str]) -> None:
    store = {"external_id": "SUC1", "name": "Sucursal", "location": {"city_name": "Caos"}}
    await seller.call("POST", "/api/stores", store)
    for box in boxes:
        body = {"external_id": box, "name": box, "store_external_id": "SUC1"}
        r = await seller.call("POST", "/api/cashboxes", body)
        if r.status_code not in {201, 409}:
            raise RuntimeError(f"cashbox {box}: {r.status_code} {r.text[:200]}")


async def _traffic(config: ChaosConfig, ctx: Ctx, boxes: list[str]) -> None:
    """The sales mix, ``concurrency`` at a time, each scenario on its own free cashboxes."""
    free: asyncio.Queue[str] = asyncio.Queue()
    for box in boxes:
        free.put_nowait(box)
    plan = pick_mix(config.sales, ctx.rng)
    gate = asyncio.Semaphore(config.concurrency)

    async def one(name: str) -> None:
        async with gate:
            taken = [await free.get() for _ in range(MIX[name][1])]
            try:
                await run_scenario(ctx, name, taken)
            except Exception as exc:  # a scenario's failure is a finding, not a crash
                ctx.note(f"{name} on {taken}: {type(exc).__name__}: {exc}")
            finally:
                for box in taken:
                    free.put_nowait(box)

    await asyncio.gather(*(one(name) for name in plan))


@contextlib.asynccontextmanager
async def _keeper(config: ChaosConfig, server: SellerProcess) -> AsyncIterator[asyncio.Task[None]]:
    """Kill the server every ``kill_every`` seconds, and bring it back whenever it is down."""

    async def keep() -> None:
        next_kill = time.monotonic() + config.kill_every if config.kill_every else None
        while True:
            await asyncio.sleep(0.2)
            limit_reached = config.kills is not None and server.kills >= config.kills
            if next_kill is not None and time.monotonic() >= next_kill and not limit_reached:
                server.kill()
                next_kill = time.monotonic() + config.kill_every
            if not server.alive():
                server.check()
                await server.start()

    task = asyncio.create_task(keep())
    try:
        yield task
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
        if not server.alive():
            server.check()
            await server.start()


@contextlib.asynccontextmanager
async def _sampler(
    customer: CustomerSide, seller: SellerAPI, report: Report
) -> AsyncIterator[None]:
    """While the run goes on: every order on a cashbox must belong to a stored, live sale.

    The sandbox is read first: a sale is committed before its order goes to Mercado Pago, so any
    order seen there must already be among the sales read afterwards."""

    async def sample() -> None:
        while True:
            await asyncio.sleep(2.0)
            with contextlib.suppress(Exception):
                orders = live_orders(await customer.state())
                live = await _live_references(seller)
                report.orphan_samples += 1
                for box, reference in orders.items():
                    if reference in live or str(reference).startswith("ROGUE-"):
                        continue
                    if not await _owned(seller, str(reference)):
                        report.orphan_orders += 1
                        report.orphans.append(f"{box} held {reference}, which no sale owns")

    task = asyncio.create_task(sample())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def _owned(seller: SellerAPI, reference: str) -> bool:
    """Whether a stored sale owns ``reference`` (ended or not: the order may be leaving)."""
    query = urlencode({"external_reference": reference, "limit": 1})
    r = await seller.call("GET", f"/api/sales?{query}")
    return bool(r.json()["sales"])


async def _live_references(seller: SellerAPI) -> set[str]:
    found: set[str] = set()
    for status in ("opening", "pending"):
        r = await seller.call("GET", f"/api/sales?status={status}&limit=200")
        found |= {s["external_reference"] for s in r.json()["sales"]}
    return found


async def _all_sales(seller: SellerAPI) -> dict[str, dict[str, Any]]:
    sales: dict[str, dict[str, Any]] = {}
    cursor: str | None = None
    while True:
        query = "/api/sales?" + urlencode({"limit": 200, **({"cursor": cursor} if cursor else {})})
        r = await seller.call("GET", query)
        if r.status_code != 200:
            raise RuntimeError(f"listing the sales: {r.status_code} {r.text[:300]}")
        page = r.json()
        sales.update({s["id"]: s for s in page["sales"]})
        cursor = page.get("next_cursor")
        if not cursor:
            return sales


async def _settle(
    config: ChaosConfig,
    report: Report,
    ctx: Ctx,
    customer: CustomerSide,
    seller: SellerAPI,
    started: float,
) -> float | None:
    """Wait until every sale matches the truth (refunding what the sweep found meanwhile)."""
    refunded: set[str] = set()
    while True:
        unmatched = (await seller.call("GET", "/api/unmatched-payments")).json()["payments"]
        for p in unmatched:
            if p["external_reference"] in ctx.rogue and p["payment_id"] not in refunded:
                await seller.call("POST", f"/api/unmatched-payments/{p['payment_id']}/refund")
                refunded.add(p["payment_id"])
        truth = truth_of(await customer.state())
        judge(report, ctx.sales, await _all_sales(seller), truth, unmatched, ctx.rogue)
        _rogue_refunds(report, ctx.rogue, truth, refunded)
        if report.ok:
            return time.monotonic() - started
        if time.monotonic() - started > config.settle_timeout:
            return None
        _say(f"not converged yet: {report.converged}/{report.sales}; {report.problems[:1]}")
        await asyncio.sleep(1.0)


def _rogue_refunds(report: Report, rogue: list[str], truth: Any, asked: set[str]) -> None:
    """Money that was not ours is given back exactly once."""
    report.unmatched_unrefunded = 0
    for reference in rogue:
        if truth.refunded_for(reference) < truth.paid_for(reference):
            report.unmatched_unrefunded += 1
        if truth.refunded_for(reference) > truth.paid_for(reference):
            report.double_applied += 1
            report.problems.append(f"{reference} was refunded more than it was paid")
        for payment_id in truth.payments.get(reference, []):
            if truth.refunds.get(payment_id, 0) > 1:
                report.double_applied += 1
                report.problems.append(f"payment {payment_id} was refunded twice")
