"""``create_app(settings)``: the seller server as a FastAPI app; nothing is built at import time.

The lifespan runs the migrations, opens the database, the Mercado Pago client and the broadcaster,
creates the first API key if needed, schedules a reconcile of every open sale, and starts the
background loops: the notification processor, the reconciler, the recovery job (interrupted
creates, cancels and refunds) and the unmatched-payments sweep — unless ``settings.run_workers``
is False, as in tests that drive them by hand through ``app.state``.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import SQLAlchemyError

from mpqr._gc import freeze_startup_objects
from mpqr.clock import Clock, SystemClock
from mpqr.ids import IdFactory
from mpqr.seller import http
from mpqr.seller.auth import bootstrap
from mpqr.seller.broadcast import make_broadcaster
from mpqr.seller.cashboxes import endpoints as cashbox_endpoints
from mpqr.seller.cashboxes.service import CashboxService
from mpqr.seller.context import Context
from mpqr.seller.crash import CrashPoints
from mpqr.seller.db import Database
from mpqr.seller.gateway import Gateway, MPGateway
from mpqr.seller.metrics import Metrics
from mpqr.seller.notifications import endpoint as notification_endpoint
from mpqr.seller.notifications import inbox
from mpqr.seller.notifications.inbox import InboxState
from mpqr.seller.notifications.processor import Processor
from mpqr.seller.notifications.writer import InboxWriter
from mpqr.seller.reconcile import Reconciler
from mpqr.seller.recovery import Recovery
from mpqr.seller.sales import endpoints as sales_endpoints
from mpqr.seller.sales.service import SalesService
from mpqr.seller.settings import Settings
from mpqr.seller.unmatched import endpoints as unmatched_endpoints
from mpqr.seller.unmatched.service import UnmatchedService

__all__ = ["create_app"]

log = logging.getLogger("mpqr.seller")
_SWITCH_INTERVAL = 0.0005  # seconds


def create_app(
    settings: Settings,
    *,
    clock: Clock | None = None,
    gateway: Gateway | None = None,
    ids: IdFactory | None = None,
    announce: Callable[[str], None] = print,
    freeze_gc: bool = False,
) -> FastAPI:
    """The seller server. ``gateway`` replaces Mercado Pago (tests); ``announce`` prints the
    first-start credentials (default: stdout); ``freeze_gc``: once started, leave what start-up
    built out of garbage collections (``mpqr serve`` does; see :mod:`mpqr._gc`)."""
    app = FastAPI(
        title="mpqr seller server",
        version="1",
        lifespan=_lifespan(
            settings, clock or SystemClock(), gateway, ids or IdFactory(), announce, freeze_gc
        ),
    )
    direct = {("POST", "/notifications"): notification_endpoint.receive}  # the hottest path
    http.install(app, settings.max_body_bytes, settings.forwarded_allow_ips, direct)
    app.include_router(sales_endpoints.router)
    app.include_router(unmatched_endpoints.router)
    app.include_router(cashbox_endpoints.router)
    app.include_router(cashbox_endpoints.public_router)
    app.include_router(notification_endpoint.router)
    from mpqr.seller.web import router as web_router  # the cashier UI

    app.include_router(web_router)
    _add_ops_routes(app)
    return app


def _lifespan(
    settings: Settings,
    clock: Clock,
    gateway: Gateway | None,
    ids: IdFactory,
    announce: Callable[[str], None],
    freeze_gc: bool,
) -> Callable[[FastAPI], Any]:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # aiosqlite runs every statement on its own thread; with Python's default 5 ms switch
        # interval a busy event loop makes each hand-over wait up to 5 ms for the GIL
        sys.setswitchinterval(min(sys.getswitchinterval(), _SWITCH_INTERVAL))
        db = Database(settings.database_url, settings.db_pool_size)
        await db.migrate()
        client = None
        gw: Gateway
        if gateway is None:
            from mpqr.client import AsyncClient

            client = AsyncClient(settings.mp_access_token, base_url=settings.mp_base_url)
            gw = MPGateway(client, settings.integration)
        else:
            gw = gateway
        broadcaster = make_broadcaster(db)
        await broadcaster.start()
        crash = CrashPoints(
            settings.crash_points, "raise" if settings.crash_mode == "raise" else "kill"
        )
        ctx = Context(settings, db, gw, clock, ids, Metrics.create(), broadcaster, crash)
        tasks = await _start(app, ctx, announce)
        if freeze_gc:
            freeze_startup_objects()  # a full collection no longer walks what start-up built
        try:
            yield
        finally:
            app.state.ready = False
            for task in tasks:
                task.cancel()
            for task in tasks:
                with suppress(asyncio.CancelledError):
                    await task
            await app.state.inbox_writer.close()
            await broadcaster.stop()
            if client is not None:
                await client.aclose()
            await db.dispose()

    return lifespan


async def _start(
    app: FastAPI, ctx: Context, announce: Callable[[str], None]
) -> list[asyncio.Task[None]]:
    sales = SalesService(ctx)
    unmatched = UnmatchedService(ctx, sales)
    app.state.ctx = ctx
    app.state.sales = sales
    app.state.unmatched = unmatched
    app.state.cashboxes = CashboxService(ctx)
    app.state.inbox_writer = InboxWriter(ctx.db, ctx.settings.inbox_max_open_per_resource)
    app.state.processor = Processor(ctx, sales, app.state.inbox_writer)
    app.state.reconciler = Reconciler(ctx, sales)
    app.state.recovery = Recovery(ctx, sales, unmatched)
    await bootstrap(ctx, announce)
    await app.state.reconciler.schedule_all_now()
    tasks = []
    if ctx.settings.run_workers:
        s = ctx.settings
        tasks = [
            asyncio.create_task(_loop(app.state.processor.run_once, ctx.wake, s.poll_interval)),
            asyncio.create_task(
                _loop(app.state.reconciler.run_once, None, app.state.reconciler.idle_seconds)
            ),
            asyncio.create_task(_loop(app.state.recovery.run_once, None, s.recovery_interval)),
            asyncio.create_task(_loop(_once(unmatched.sweep), None, s.sweep_interval)),
        ]
    app.state.ready = True
    return tasks


async def _loop(
    step: Callable[[], Awaitable[int]],
    wake: asyncio.Event | None,
    interval: float | Callable[[], Awaitable[float]],
) -> None:
    """Run ``step`` until it finds nothing, then wait for ``wake`` or ``interval`` seconds
    (``interval`` may be a function that says how long, e.g. until the next due row)."""
    while True:
        try:
            done = await step()
            seconds = interval if isinstance(interval, float) else await interval()
        except Exception:  # a worker must outlive one bad row or one outage; the log says why
            log.exception("background step failed; retrying")
            done = 0
            seconds = interval if isinstance(interval, float) else 1.0
        if done:
            continue
        if wake is None:
            await asyncio.sleep(seconds)
            continue
        with suppress(TimeoutError):
            await asyncio.wait_for(wake.wait(), seconds)
        wake.clear()


def _once(step: Callable[[], Awaitable[int]]) -> Callable[[], Awaitable[int]]:
    """A step the loop runs once per interval (however much it found)."""

    async def run() -> int:
        await step()
        return 0

    return run


def _add_ops_routes(app: FastAPI) -> None:
    @app.get("/healthz", tags=["ops"])
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", tags=["ops"])
    async def readyz(request: Request) -> Response:
        if not getattr(request.app.state, "ready", False):
            return JSONResponse({"status": "starting"}, status_code=503)
        try:
            await request.app.state.ctx.db.ping()
        except (SQLAlchemyError, OSError):
            return JSONResponse({"status": "database unavailable"}, status_code=503)
        return JSONResponse({"status": "ready"})

    @app.get("/metrics", tags=["ops"])
    async def metrics(request: Request) -> Response:
        ctx = request.app.state.ctx
        counts = await ctx.db.read_unit(inbox.counts)
        states = (InboxState.RECEIVED, InboxState.PROCESSED, InboxState.FAILED)
        ctx.metrics.set_inbox(counts, states)
        body = ctx.metrics.render()
        return Response(body, media_type="text/plain; version=0.0.4")
