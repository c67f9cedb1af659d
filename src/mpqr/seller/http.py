"""The HTTP edge: every error is JSON ``{error, message, reason, request_id}``; bodies are
bounded; JSON endpoints take JSON; proxy headers are believed only from configured proxies.

Pure ASGI middlewares (streams such as SSE pass through untouched) and the exception handlers
``app`` installs. A 500 logs its traceback with the request id the client got back.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Awaitable, Callable, Mapping
from http import HTTPStatus
from typing import Any, Final

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from mpqr.seller.errors import InvalidInput, Reason, SellerError
from mpqr.seller.logs import request_id
from mpqr.seller.validation import field_path, reason_of

__all__ = ["EdgeMiddleware", "install"]

log = logging.getLogger("mpqr.seller.http")

_BY_STATUS: Final[Mapping[int, tuple[str, Reason]]] = {
    400: ("invalid_request", Reason.MALFORMED_BODY),
    401: ("unauthorized", Reason.UNAUTHORIZED),
    403: ("forbidden", Reason.FORBIDDEN),
    404: ("not_found", Reason.NOT_FOUND),
    405: ("method_not_allowed", Reason.METHOD_NOT_ALLOWED),
    413: ("body_too_large", Reason.BODY_TOO_LARGE),
    415: ("unsupported_media_type", Reason.UNSUPPORTED_MEDIA_TYPE),
    422: ("invalid_request", Reason.INVALID),
    429: ("rate_limited", Reason.RATE_LIMITED),
}


def problem(
    status: int,
    message: str,
    *,
    code: str | None = None,
    reason: Reason | None = None,
    extra: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """The one error shape of the seller's HTTP API."""
    default_code, default_reason = _BY_STATUS.get(status, ("internal_error", Reason.INTERNAL))
    body: dict[str, Any] = {
        "error": code or default_code,
        "message": message,
        "reason": (reason or default_reason).value,
        **(extra or {}),
        "request_id": request_id.get(),
    }
    return JSONResponse(body, status_code=status, headers=dict(headers or {}))


class _BodyTooLarge(Exception):
    pass


# An endpoint the edge answers itself: ``await handler(request)`` gives the response.
Direct = Callable[[Request], Awaitable[Response]]


class EdgeMiddleware:
    """The whole edge in one pure ASGI layer (one call and one wrapped ``send`` per request, not
    four): the request id (the caller's ``x-request-id`` or a new one, sent back in that header,
    stamped on the logs) and one log line per request; ``/api/`` writes with a body must be JSON
    (else 415); bodies over ``limit`` bytes are refused (413), by ``Content-Length`` or as they
    stream in; and, the last line, anything unhandled becomes a logged 500 JSON (if nothing was
    sent yet). Streams such as SSE pass through untouched.

    ``direct`` maps a (method, path) to an endpoint this layer calls itself, with everything above
    but without the framework's routing and dependency machinery: ``POST /notifications``, the
    hottest path (Mercado Pago's deliveries), whose endpoint takes the bare request and nothing
    else. Its route stays declared in the app for the OpenAPI document and other methods."""

    def __init__(
        self, app: ASGIApp, limit: int, direct: Mapping[tuple[str, str], Direct] | None = None
    ) -> None:
        self.app = app
        self.limit = limit
        self.direct = dict(direct or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = _header(scope, b"x-request-id")
        rid = (given or "")[:100] or secrets.token_hex(8)
        token = request_id.set(rid)
        id_header = (b"x-request-id", rid.encode())
        started = time.perf_counter()
        status = 0  # no answer started yet

        async def edge_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), id_header]
            await send(message)

        try:
            await self._guarded(scope, receive, edge_send, lambda: status != 0)
        finally:
            log.info(
                "%s %s %s",
                scope["method"],
                scope["path"],
                status or 500,
                extra={
                    "status": status or 500,
                    "ms": round((time.perf_counter() - started) * 1000, 2),
                    "request_id": rid,
                },
            )
            request_id.reset(token)

    async def _guarded(
        self, scope: Scope, receive: Receive, send: Send, answered: Callable[[], bool]
    ) -> None:
        refusal = self._refusal(scope)
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        seen = 0

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                raise _BodyTooLarge
            return message

        try:
            endpoint = self.direct.get((scope["method"], scope["path"]))
            if endpoint is None:
                await self.app(scope, counting_receive, send)
            else:
                response = await endpoint(Request(scope, counting_receive))
                await response(scope, counting_receive, send)
        except _BodyTooLarge:
            if not answered():
                await problem(413, "the request body is too large")(scope, receive, send)
        except Exception:
            log.exception(
                "unhandled error in %s %s",
                scope.get("method"),
                scope.get("path"),
                extra={"request_id": request_id.get()},
            )
            if not answered():
                await problem(500, "internal error; the request id is in the server's log")(
                    scope, receive, send
                )

    def _refusal(self, scope: Scope) -> JSONResponse | None:
        """413 by ``Content-Length``, or 415 for an ``/api/`` write whose body is not JSON."""
        length = _header(scope, b"content-length")
        if length is not None and length.isdigit() and int(length) > self.limit:
            return problem(413, f"the request body is over {self.limit} bytes")
        if (
            scope["path"].startswith("/api/")
            and scope["method"] in {"POST", "PUT", "PATCH"}
            and _has_body(scope)
            and not _is_json(_header(scope, b"content-type") or "")
        ):
            return problem(415, "send the body as Content-Type: application/json")
        return None


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers") or ():
        if key == name:
            return bytes(value).decode("latin-1")
    return None


def _has_body(scope: Scope) -> bool:
    length = _header(scope, b"content-length")
    return (length is not None and length != "0") or _header(
        scope, b"transfer-encoding"
    ) is not None


def _is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or media.endswith("+json")


async def _seller_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SellerError)
    extra: dict[str, Any] = {}
    if exc.field is not None or isinstance(exc, InvalidInput):
        extra["field"] = exc.field
    if exc.sale_id is not None:
        extra["sale_id"] = exc.sale_id
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
    return problem(
        exc.status, exc.message, code=exc.code, reason=exc.reason, extra=extra, headers=headers
    )


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    fields = [field_path(e.get("loc", ())) for e in errors]
    reasons = [reason_of(e) for e in errors]
    message = "; ".join(
        f"{f}: {e.get('msg', 'invalid')}" for f, e in zip(fields, errors, strict=True)
    )
    detail = [
        {"field": f, "reason": r.value, "message": e.get("msg")}
        for f, r, e in zip(fields, reasons, errors, strict=True)
    ]
    extra = {"field": fields[0] if fields else None, "detail": detail}
    return problem(422, message, reason=reasons[0] if reasons else Reason.INVALID, extra=extra)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    headers = dict(exc.headers or {})
    if exc.status_code < 400:  # a redirect raised by a guard (to the login page)
        return Response(status_code=exc.status_code, headers=headers)
    detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
    return problem(exc.status_code, detail, headers=headers)


def install(
    app: FastAPI,
    max_body_bytes: int,
    forwarded_allow_ips: tuple[str, ...],
    direct: Mapping[tuple[str, str], Direct] | None = None,
) -> None:
    """Exception handlers and the edge middleware (behind the proxy-headers one, if any);
    ``direct``: endpoints the edge answers itself (see :class:`EdgeMiddleware`)."""
    app.add_exception_handler(SellerError, _seller_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_middleware(EdgeMiddleware, limit=max_body_bytes, direct=direct)
    if forwarded_allow_ips:
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=list(forwarded_allow_ips))
