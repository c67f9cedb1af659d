"""The client's pure core: describe a request, build its bytes, turn the answer into a result.

Nothing here does I/O. :class:`Call` is what a resource method produces; :func:`build_request`
turns it into a :class:`RawRequest` (the wire bytes and headers) once per call;
:func:`parse_response` turns a :class:`RawResponse` into the typed result or raises the one error
from :func:`mpqr.errors.error_from_response`. ``sync.py`` and ``aio.py`` only move bytes.
"""

from __future__ import annotations

import json
import logging
import random
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType
from typing import Any, Generic, TypeVar
from urllib.parse import urlencode, urlsplit

import pydantic

from mpqr._version import __version__
from mpqr.client.retry import RetryPolicy, Timeouts
from mpqr.errors import (
    APIStatusError,
    UnexpectedResponseError,
    error_from_response,
    parse_retry_after,
)
from mpqr.sites import SiteId, site

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_RETRY",
    "DEFAULT_TIMEOUTS",
    "Call",
    "ClientConfig",
    "RawRequest",
    "RawResponse",
    "build_request",
    "dump_json",
    "json_or_none",
    "lower_headers",
    "make_config",
    "new_idempotency_key",
    "parse_response",
    "retry_delay",
]

T = TypeVar("T")
logger = logging.getLogger("mpqr.client")
REDACTED = b"[REDACTED]"

# The defaults both clients share (the sync client is generated from the async one).
DEFAULT_BASE_URL = "https://api.mercadopago.com"
DEFAULT_TIMEOUTS = Timeouts()
DEFAULT_RETRY = RetryPolicy()


def new_idempotency_key() -> str:
    """A fresh ``X-Idempotency-Key``: chosen once per call and reused on every retry."""
    return str(uuid.uuid4())


@dataclass(frozen=True, slots=True)
class RawRequest:
    """One HTTP request as bytes. ``headers`` hold the token, so they stay out of ``repr``."""

    method: str
    origin: str  # "https://api.mercadopago.com"
    target: str  # "/v1/payments/1?x=y" (path + query)
    headers: Mapping[str, str] = field(repr=False)
    body: bytes | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return self.origin + self.target


@dataclass(frozen=True, slots=True)
class RawResponse:
    """One HTTP answer. ``headers`` is case-insensitive, or a dict with lower-case keys."""

    status: int
    headers: Mapping[str, str]
    body: bytes = b""

    @property
    def request_id(self) -> str | None:
        return self.headers.get("x-request-id")


@dataclass(frozen=True, slots=True)
class Call(Generic[T]):
    """Everything about one API call except the connection: what to send and how to read the answer.

    ``json`` is the body object (``None``: no body). A POST gets ``idempotency_key`` or, when
    that is ``None`` and ``auto_idempotency_key`` is true, a fresh key chosen once by the client
    and reused on every retry.
    """

    method: str
    path: str
    parse: Callable[[bytes], T]
    query: tuple[tuple[str, str], ...] = ()
    json: Any = None
    headers: tuple[tuple[str, str], ...] = ()
    idempotency_key: str | None = None
    auto_idempotency_key: bool = True

    @property
    def wants_key(self) -> bool:
        return self.method == "POST" and self.auto_idempotency_key


@dataclass(frozen=True, slots=True)
class ClientConfig:
    """What every request of one client shares. Built once; the token is only in ``headers``."""

    origin: str
    prefix: str
    site_id: SiteId | None
    headers: Mapping[str, str] = field(repr=False)
    secret: bytes = field(repr=False)

    @property
    def currency_id(self) -> str | None:
        return None if self.site_id is None else site(self.site_id).currency_id


def make_config(
    access_token: str, base_url: str, user_agent: str | None, site_id: str | None
) -> ClientConfig:
    """Check the constructor arguments and precompute the shared headers."""
    if not isinstance(access_token, str) or not access_token.strip():
        raise ValueError("access_token must be a non-empty string")
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"base_url must be an http(s) URL: got {base_url!r}")
    # Read-only: a call that adds no header sends this very mapping (see build_request).
    headers = MappingProxyType(
        {
            "Authorization": f"Bearer {access_token.strip()}",
            "Accept": "application/json",
            "User-Agent": user_agent or f"mpqr/{__version__}",
        }
    )
    return ClientConfig(
        origin=f"{parts.scheme}://{parts.netloc}",
        prefix=parts.path.rstrip("/"),
        site_id=None if site_id is None else site(site_id).id,
        headers=headers,
        secret=access_token.strip().encode(),
    )


def _json_default(value: object) -> object:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, pydantic.BaseModel):
        return value.model_dump(mode="python", exclude_none=True, by_alias=True)
    raise TypeError(f"cannot send a {type(value).__name__} as JSON")


def dump_json(value: object) -> bytes:
    """Compact JSON; Decimals become JSON numbers (whole ones without a fraction)."""
    return json.dumps(value, separators=(",", ":"), default=_json_default).encode()


def build_request(config: ClientConfig, call: Call[Any], key: str | None) -> RawRequest:
    """The wire form of ``call``; ``key`` is the idempotency key chosen for all its attempts."""
    headers = config.headers  # shared and read-only: copied only when this call adds to it
    body = None
    if call.json is not None or call.headers or key is not None:
        headers = dict(headers)
        if call.json is not None:
            body = dump_json(call.json)
            headers["Content-Type"] = "application/json"
        headers.update(call.headers)
        if key is not None:
            headers["X-Idempotency-Key"] = key
    target = config.prefix + call.path
    if call.query:
        target += "?" + urlencode(call.query)
    return RawRequest(call.method, config.origin, target, headers, body)


def retry_delay(
    policy: RetryPolicy,
    call: Call[Any],
    response: RawResponse,
    has_key: bool,
    attempt: int,
    rng: random.Random,
) -> float | None:
    """How long to wait before retrying ``response``'s call, or ``None`` to use this answer."""
    if response.status < 400:
        return None
    retry_after = parse_retry_after(response.headers.get("retry-after"))
    return policy.delay_after_status(
        attempt, call.method, has_key, response.status, retry_after, rng
    )


def json_or_none(body: bytes) -> Any:
    """The parser of the low-level ``request()``: decoded JSON, or ``None`` for an empty body."""
    return json.loads(body) if body.strip() else None


def lower_headers(headers: Mapping[str, str]) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items()}


def parse_response(config: ClientConfig, call: Call[T], response: RawResponse) -> T:
    """The typed result of a 2xx answer; raise the mapped :class:`APIStatusError` otherwise."""
    if response.status >= 400 or response.status < 200:
        raise status_error(config, response)
    try:
        return call.parse(response.body)
    except (pydantic.ValidationError, ValueError) as exc:
        raise UnexpectedResponseError(
            f"HTTP {response.status} from {call.method} {call.path}: the body does not match "
            f"the documented shape ({type(exc).__name__})",
            status=response.status,
            request_id=response.request_id,
            body=_redact(config, response.body),
        ) from None


def status_error(config: ClientConfig, response: RawResponse) -> APIStatusError:
    """The error for a non-2xx answer, with the token scrubbed from every field it could echo in."""
    body = _redact(config, response.body)
    return error_from_response(response.status, body, lower_headers(response.headers))


def _redact(config: ClientConfig, body: bytes) -> bytes:
    # An API (or a proxy) may echo the Authorization header or a token query back in an error body;
    # scrub it before it can reach an exception message, a log line or a traceback.
    return body.replace(config.secret, REDACTED) if config.secret in body else body


def log_attempt(call: Call[Any], outcome: RawResponse | str, started: float, attempt: int) -> None:
    """One line per attempt: never headers or bodies (they can hold the token or personal data).

    ``outcome`` is the answer or, when none came back, the error's name; ``started`` is the
    attempt's ``time.perf_counter()``. Nothing is computed unless DEBUG is on.
    """
    if logger.isEnabledFor(logging.DEBUG):
        response = outcome if isinstance(outcome, RawResponse) else None
        logger.debug(
            "%s %s -> %s in %.1f ms (request id %s, attempt %d)",
            call.method,
            call.path,
            outcome if response is None else response.status,
            (time.perf_counter() - started) * 1000.0,
            (response and response.request_id) or "-",
            attempt + 1,
        )


def log_retry(call: Call[Any], reason: str, delay: float, attempt: int) -> None:
    logger.info(
        "retrying %s %s after %s: attempt %d in %.2f s",
        call.method,
        call.path,
        reason,
        attempt + 2,
        delay,
    )
