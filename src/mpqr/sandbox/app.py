"""The sandbox's app factory: ``create_app(...) -> FastAPI``. Nothing happens at import time.

``app.state.sandbox`` is the :class:`~.state.SandboxState`, ``app.state.clock`` the virtual clock,
``app.state.outbox`` the notification outbox (a :class:`~.state.MemorySink` when delivery is off)
and ``app.state.faults`` the fault switchboard. The lifespan starts and stops the outbox and saves
the state file; the state file (if any) is loaded here, so a CLI can print the seller's credentials
before the server starts.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import AsyncIterator, Collection
from datetime import timedelta
from typing import Any, TypedDict, Unpack

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mpqr._version import __version__
from mpqr.clock import VirtualClock
from mpqr.ids import IdFactory
from mpqr.sandbox import api, control, delivery, faults, web
from mpqr.sandbox.api.common import Family, bad_request, family_of
from mpqr.sandbox.api.security import document_auth
from mpqr.sandbox.catalog import Fee
from mpqr.sandbox.delivery import Outbox
from mpqr.sandbox.delivery.forms import QrSignature
from mpqr.sandbox.errors import ApiError, ControlError, SandboxError
from mpqr.sandbox.faults import ApiFaultMiddleware, Faults
from mpqr.sandbox.orders import expire_due
from mpqr.sandbox.persistence import read_state_file, write_state_file
from mpqr.sandbox.state import AdvancingClock, SandboxOptions, SandboxState

__all__ = ["create_app"]

log = logging.getLogger("mpqr.sandbox")
_READ_ONLY = frozenset({"GET", "HEAD", "OPTIONS"})
# What Mercado Pago writes in an IPN's "resource"; only written, never fetched by anyone here.
MP_RESOURCE_HOST = "https://api.mercadolibre.com"


class DeliveryOptions(TypedDict, total=False):
    """How notifications are sent (docs/sandbox-delivery.md)."""

    notify_profile: str  # "fast" (default), "mp", "mp-ipn", "mp-webhooks"
    allow_hosts: Collection[str]
    sign_ipn: bool
    qr_signature: QrSignature  # "none" (default, as Mercado Pago), "invalid", "valid"


class BaseUrl:
    """The sandbox's own base URL (for resource URLs in notifications); learnt from the server."""

    def __init__(self, value: str | None = None) -> None:
        self.value = value

    def __call__(self) -> str:
        return self.value or "http://127.0.0.1:8080"


def _json_by_default(scope: Scope) -> None:
    """Control-plane bodies are JSON whatever the Content-Type says (``curl -d '{...}'`` sends
    form-urlencoded), as Mercado Pago's own endpoints read them.
    """
    if not scope["path"].startswith("/_sandbox/") or scope["method"] in _READ_ONLY:
        return
    headers = MutableHeaders(scope=scope)
    if "json" not in headers.get("content-type", ""):
        headers["content-type"] = "application/json"


class SandboxMiddleware:
    """Per request: ``x-request-id`` and ``x-mpqr-sandbox`` (version) headers, lazy expiry first,
    and a state save after mutations.
    """

    def __init__(self, app: ASGIApp, *, owner: _Runtime) -> None:
        self.app = app
        self.owner = owner

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rt = self.owner
        request_id = rt.request_ids.uuid4()
        if rt.base_url.value is None:
            rt.learn_base_url(scope)
        expire_due(rt.state)
        _json_by_default(scope)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.append("x-request-id", request_id)
                headers.append("x-mpqr-sandbox", rt.version)
            await send(message)

        await self.app(scope, receive, send_with_id)
        if scope["method"] not in _READ_ONLY:
            rt.save()


class _Runtime:
    """What the app factory wires together (kept on ``app.state.runtime``)."""

    def __init__(
        self, state: SandboxState, base_url: BaseUrl, state_file: str | None, seed: int | None
    ) -> None:
        self.state = state
        self.base_url = base_url
        self.state_file = state_file
        self.request_ids = IdFactory(None if seed is None else seed + 7919)
        self.outbox: Outbox | None = None  # None: delivery is off, notices stay in a MemorySink
        self.version = __version__

    def learn_base_url(self, scope: Scope) -> None:
        headers = dict(scope.get("headers") or [])
        host = headers.get(b"host", b"").decode("latin-1")
        if host:
            self.base_url.value = f"{scope.get('scheme', 'http')}://{host}"

    def snapshot(self) -> dict[str, Any]:
        clock_offset = getattr(self.state.clock, "offset", timedelta(0))
        outbox = None if self.outbox is None else self.outbox.to_dict()
        return {
            "sandbox": self.state.to_dict(),
            "clock_offset_seconds": clock_offset.total_seconds(),
            "outbox": outbox,
        }

    def save(self) -> None:
        if self.state_file is not None:
            write_state_file(self.state_file, self.snapshot())


def create_app(
    *,
    seed: int | None = None,
    clock: AdvancingClock | None = None,
    state_file: str | os.PathLike[str] | None = None,
    ipn_resource_host: str = MP_RESOURCE_HOST,
    legacy_auth_400: bool = False,
    v2_delete_204: bool = False,
    legacy_ttl_seconds: int = 600,
    orders_ttl_seconds: int = 900,
    time_zone: str | None = None,
    fees: dict[str, Fee] | None = None,
    base_url: str | None = None,
    deliver: bool = True,
    **delivery: Unpack[DeliveryOptions],
) -> FastAPI:
    """Build a sandbox app. ``deliver=False`` keeps notices in memory
    (``app.state.outbox.notices``); ``delivery`` takes ``notify_profile``, ``allow_hosts``,
    ``sign_ipn`` and ``qr_signature``. docs/sandbox.md describes every option.
    """
    saved = read_state_file(state_file) if state_file is not None else None
    if clock is None:
        offset = float(saved.get("clock_offset_seconds", 0)) if saved else 0.0
        clock = VirtualClock(timedelta(seconds=offset))
    options = SandboxOptions(
        legacy_auth_400=legacy_auth_400,
        v2_delete_204=v2_delete_204,
        legacy_ttl_seconds=legacy_ttl_seconds,
        orders_ttl_seconds=orders_ttl_seconds,
        time_zone=time_zone,
    )
    url = BaseUrl(base_url)
    state = SandboxState(clock=clock, seed=seed, options=options, base_url=url)
    state.fee_overrides.update(fees or {})
    rt = _Runtime(state, url, None if state_file is None else os.fspath(state_file), seed)
    switchboard = Faults()
    if deliver:
        rt.outbox = state.sink = _outbox(state, url, switchboard, ipn_resource_host, delivery)
    if saved is not None:
        _load(rt, saved)
    return _build(rt, clock, switchboard)


def _outbox(
    state: SandboxState,
    url: BaseUrl,
    switchboard: Faults,
    resource_host: str,
    delivery: DeliveryOptions,
) -> Outbox:
    return Outbox(
        clock=state.clock,
        profile=delivery.get("notify_profile", "fast"),
        allow_hosts=delivery.get("allow_hosts", ()),
        sign_ipn=delivery.get("sign_ipn", False),
        qr_signature=delivery.get("qr_signature", "none"),
        secret_for=state.secret_for,
        base_url=url,
        resource_base=url if resource_host == "sandbox" else lambda: resource_host,
        faults=switchboard,
        seed=state.seed,
    )


def _load(rt: _Runtime, saved: dict[str, Any]) -> None:
    rt.state.load_dict(saved.get("sandbox") or {})
    outbox_state = saved.get("outbox")
    if outbox_state and rt.outbox is not None:
        rt.outbox.load_dict(outbox_state)


def _build(rt: _Runtime, clock: AdvancingClock, switchboard: Faults) -> FastAPI:
    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if rt.outbox is not None:
            await rt.outbox.start()
        try:
            yield
        finally:
            if rt.outbox is not None:
                await rt.outbox.stop()
            rt.save()

    app = FastAPI(
        title="mpqr sandbox",
        summary="An offline, stateful emulator of Mercado Pago's in-store QR API.",
        version=__version__,
        lifespan=lifespan,
    )
    app.state.sandbox = rt.state
    app.state.clock = clock
    app.state.outbox = rt.outbox if rt.outbox is not None else rt.state.sink
    app.state.faults = switchboard
    app.state.runtime = rt
    _add_routes(app, [*api.routers(), control.router, delivery.router, faults.router, web.router])
    document_auth(app)
    _handlers(app)
    app.add_middleware(SandboxMiddleware, owner=rt)
    app.add_middleware(ApiFaultMiddleware, faults=switchboard)
    return app


def _add_routes(app: FastAPI, routers: list[APIRouter]) -> None:
    """Every route of ``routers`` straight onto the app, in order, as one flat list.

    ``include_router`` keeps each router as a nested branch that FastAPI walks, re-checking every
    level's route version, on every request: measured at about a fifth of a cheap request's time.
    Our routers carry no prefix, dependencies or settings of their own beyond what their routes
    already hold (paths, tags), so their routes can be the app's own.
    """
    for router in routers:
        app.router.routes.extend(router.routes)


def _handlers(app: FastAPI) -> None:
    async def sandbox_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, SandboxError)
        return JSONResponse(status_code=exc.status, content=exc.body())

    async def validation_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        family = family_of(request.url.path)
        message = "; ".join(_describe(e) for e in exc.errors()) or "invalid request"
        error = bad_request(family, "bad_request", message)
        return JSONResponse(status_code=400, content=error.body())

    async def http_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        key = "not_found" if exc.status_code == 404 else "method_not_allowed"
        message = "resource not found" if exc.status_code == 404 else str(exc.detail)
        err: SandboxError
        if family_of(request.url.path) is Family.CONTROL:
            err = ControlError(exc.status_code, key, message)
        else:
            err = ApiError(exc.status_code, key, message)
        return JSONResponse(status_code=exc.status_code, content=err.body())

    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        err = ApiError(500, "internal_error", "Internal server error")
        return JSONResponse(status_code=500, content=err.body())

    app.add_exception_handler(SandboxError, sandbox_error)
    app.add_exception_handler(Exception, unexpected)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)


def _describe(error: Any) -> str:
    where = ".".join(str(p) for p in error.get("loc", ()) if p != "body")
    return f"{where}: {error.get('msg', 'invalid')}" if where else str(error.get("msg", "invalid"))
