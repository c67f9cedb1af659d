"""``ApiFaultMiddleware``: injects latency and error answers into Mercado Pago API calls.

Pure ASGI so that, with faults off, a request costs one attribute lookup. The control plane and the
sandbox's own pages are never touched, so a test can always turn faults off again.
"""

from __future__ import annotations

import asyncio
import json
from http import HTTPStatus
from typing import Final

from starlette.types import ASGIApp, Receive, Scope, Send

from mpqr.sandbox.faults.core import ApiDecision, Faults

__all__ = ["ApiFaultMiddleware", "is_mp_path"]

_EXEMPT_EXACT: Final = frozenset(
    {"/", "/customer", "/openapi.json", "/docs", "/redoc", "/favicon.ico"}
)
_EXEMPT_PREFIXES: Final = ("/_sandbox/", "/customer/", "/static/", "/qr/", "/docs/")
_INSTORE: Final = ("/mpmobile/", "/instore/")
_ALIAS_ERROR: Final = {
    "error": "alias_obtainment_error",
    "message": "Get aliases for user failed",
    "status": 500,
    "causes": [],
}
_KEYS: Final = {
    500: "internal_server_error",
    503: "service_unavailable",
    429: "too_many_requests",
}


def is_mp_path(path: str) -> bool:
    """True for a Mercado Pago API path: anything but the control plane and the sandbox pages."""
    if path in _EXEMPT_EXACT or path == "/_sandbox":
        return False
    return not path.startswith(_EXEMPT_PREFIXES)


def error_key(status: int) -> str:
    if status in _KEYS:
        return _KEYS[status]
    try:
        return HTTPStatus(status).phrase.lower().replace(" ", "_").replace("-", "_")
    except ValueError:
        return "internal_server_error" if status >= 500 else "bad_request"


def error_body(status: int) -> bytes:
    key = error_key(status)
    message = f"{key.replace('_', ' ')} (sandbox fault injection)"
    body = {"message": message, "error": key, "status": status, "cause": []}
    return json.dumps(body).encode()


class ApiFaultMiddleware:
    """Applies ``faults.config.api`` to MP paths: latency (real seconds, asyncio-side) then, with
    probability ``error_rate``, an MP-shaped error envelope instead of the real answer.

    ``faults`` defaults to ``app.state.faults`` of the Starlette app serving the request.
    """

    def __init__(self, app: ASGIApp, faults: Faults | None = None) -> None:
        self.app = app
        self._faults = faults

    def _lookup(self, scope: Scope) -> Faults | None:
        if self._faults is not None:
            return self._faults
        app = scope.get("app")
        state = getattr(app, "state", None)
        found = getattr(state, "faults", None)
        return found if isinstance(found, Faults) else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        faults = self._lookup(scope)
        if faults is None or not faults.api_active or not is_mp_path(scope["path"]):
            await self.app(scope, receive, send)
            return
        creates = scope["method"] in ("POST", "PUT") and scope["path"].startswith(_INSTORE)
        decision = faults.decide_api(creates_instore_order=creates)
        if decision.latency_ms:
            await asyncio.sleep(decision.latency_ms / 1000)
        if decision.status is None:
            await self.app(scope, receive, send)
            return
        await _send_error(send, decision)


async def _send_error(send: Send, decision: ApiDecision) -> None:
    assert decision.status is not None
    body = (
        json.dumps(_ALIAS_ERROR).encode() if decision.alias_error else error_body(decision.status)
    )
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"x-request-id", decision.request_id.encode()),
    ]
    if decision.status == 429:
        headers.append((b"retry-after", b"1"))
    await send({"type": "http.response.start", "status": decision.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
