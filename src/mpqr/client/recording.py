"""Record every HTTP exchange of a client as JSON lines, for ``mpqr sandbox parity``.

``Client(..., record_to="traffic.jsonl")`` (and ``AsyncClient``) appends one line per exchange::

    {"ts": "2026-03-01T12:00:00.123+00:00", "method": "GET", "path": "/v1/payments/1",
     "query": {}, "request_headers": {...}, "request_body": null, "status": 200,
     "response_headers": {"content-type": ..., "x-request-id": ...}, "response_body": {...},
     "duration_ms": 83.1}

A retried call is one line per attempt; a call that got no HTTP answer is not recorded. Secrets and
personal data never reach the file: the ``Authorization`` header becomes ``Bearer ***``, an
``access_token`` query parameter and any occurrence of the token in a body become ``***``, and the
personal fields of every ``payer`` object (e-mail, identification, names, phone, address) and every
``card`` (cardholder, numbers) are masked with the same JSON types (strings ``"***"``, numbers
``0``), so the file keeps the shape of the answers without their content. Writes are serialised
by a lock and each line is written whole in append mode, so threads and tasks can share a client.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from mpqr.client._core import RawRequest, RawResponse

__all__ = ["MASK", "TrafficRecorder", "exchange_record", "mask_personal"]

MASK = "***"
RESPONSE_HEADERS = ("content-type", "x-request-id", "retry-after", "location")
_PAYER_FIELDS = frozenset(
    {"email", "identification", "first_name", "last_name", "name", "phone", "address"}
)
_CARD_FIELDS = frozenset(
    {"cardholder", "first_six_digits", "last_four_digits", "number", "bin", "security_code"}
)


def _mask(value: Any) -> Any:
    """The same JSON shape with no content: strings ``***``, numbers ``0``."""
    if isinstance(value, dict):
        return {key: _mask(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_mask(item) for item in value]
    if isinstance(value, str):
        return MASK if value else value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return 0
    return value


def mask_personal(value: Any) -> Any:
    """``value`` with the personal fields of every ``payer`` and ``card`` object masked.

    >>> mask_personal({"payer": {"id": 7, "email": "a@b.c", "phone": {"number": 5}}})
    {'payer': {'id': 7, 'email': '***', 'phone': {'number': 0}}}
    """
    if isinstance(value, list):
        return [mask_personal(item) for item in value]
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] = {}
    for key, item in value.items():
        personal = {"payer": _PAYER_FIELDS, "card": _CARD_FIELDS}.get(key)
        if personal is not None and isinstance(item, dict):
            out[key] = {k: _mask(v) if k in personal else mask_personal(v) for k, v in item.items()}
        else:
            out[key] = mask_personal(item)
    return out


def _body(raw: bytes | None, secret: bytes) -> Any:
    if not raw:
        return None
    scrubbed = raw.replace(secret, MASK.encode()) if secret else raw
    try:
        return mask_personal(json.loads(scrubbed))
    except ValueError:  # not JSON (an HTML error page): kept as text
        return scrubbed.decode("utf-8", "replace")


def _query(query: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in parse_qsl(query, keep_blank_values=True):
        value = MASK if key == "access_token" else value
        previous = out.get(key)
        if previous is None:
            out[key] = value
        else:
            out[key] = [*previous, value] if isinstance(previous, list) else [previous, value]
    return out


def _request_headers(headers: Mapping[str, str]) -> dict[str, str]:
    out = {}
    for name, value in headers.items():
        if name.lower() == "authorization":
            scheme = value.split(" ", 1)[0] if " " in value else ""
            value = f"{scheme} {MASK}".strip()
        out[name] = value
    return out


def exchange_record(
    request: RawRequest,
    response: RawResponse,
    *,
    prefix: str,
    secret: bytes,
    started: datetime,
    elapsed: float,
) -> dict[str, Any]:
    """The JSON-ready line for one exchange (pure: no clock, no file)."""
    parts = urlsplit(request.target)
    path = parts.path[len(prefix) :] if prefix and parts.path.startswith(prefix) else parts.path
    headers = {name.lower(): value for name, value in response.headers.items()}
    return {
        "ts": started.isoformat(timespec="milliseconds"),
        "method": request.method,
        "path": path,
        "query": _query(parts.query),
        "request_headers": _request_headers(request.headers),
        "request_body": _body(request.body, secret),
        "status": response.status,
        "response_headers": {k: headers[k] for k in RESPONSE_HEADERS if k in headers},
        "response_body": _body(response.body, secret),
        "duration_ms": round(elapsed * 1000.0, 3),
    }


class TrafficRecorder:
    """Appends exchanges to a JSON-lines file; safe to share between threads and tasks."""

    def __init__(self, path: str | os.PathLike[str], *, prefix: str, secret: bytes) -> None:
        self.path = Path(path)
        self._prefix = prefix
        self._secret = secret
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"TrafficRecorder({str(self.path)!r})"

    def record(self, request: RawRequest, response: RawResponse, elapsed: float) -> None:
        """Write the exchange that just finished after ``elapsed`` seconds."""
        started = datetime.now(UTC) - timedelta(seconds=elapsed)
        line = exchange_record(
            request,
            response,
            prefix=self._prefix,
            secret=self._secret,
            started=started,
            elapsed=elapsed,
        )
        text = json.dumps(line, ensure_ascii=False, separators=(",", ":"), default=str) + "\n"
        with self._lock, self.path.open("a", encoding="utf-8") as out:
            out.write(text)
