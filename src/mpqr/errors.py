"""The one error tree of mpqr, and the one function that maps an HTTP response onto it.

::

    MPError
    ├── APIConnectionError          the request did not get an HTTP answer
    │   └── APITimeoutError         ... because connect or read timed out
    ├── APIStatusError              Mercado Pago answered with a status >= 400
    │   ├── BadRequestError         400 (and 422: business-rule violations)
    │   ├── AuthenticationError     401 (and legacy 400 ``invalid_access_token``)
    │   ├── PermissionDeniedError   403
    │   ├── NotFoundError           404
    │   ├── ConflictError           409, 423 (idempotency key in use / state conflict)
    │   ├── RateLimitError          429
    │   └── ServerError             5xx
    ├── SignatureError              a notification's x-signature does not verify
    ├── NotificationError           a notification request that cannot be parsed
    │   └── UnknownTopicError       ... because its topic is not one Mercado Pago sends
    ├── UnexpectedResponseError     a 2xx answer whose body is not the documented shape
    └── ValidationError             bad input caught before anything was sent (amounts, ids)

Every :class:`APIStatusError` carries ``status``, ``error`` (MP's error key, e.g.
``point_of_sale_in_store_order_not_found``), ``message``, ``causes`` (from ``cause``, ``causes`` or
the Orders API ``errors[]``), ``request_id`` (the ``x-request-id`` header) and the raw ``body``.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

__all__ = [
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "Cause",
    "ConflictError",
    "MPError",
    "NotFoundError",
    "NotificationError",
    "PermissionDeniedError",
    "RateLimitError",
    "ServerError",
    "SignatureError",
    "UnexpectedResponseError",
    "ValidationError",
    "error_from_response",
    "parse_retry_after",
]


class MPError(Exception):
    """Base of every error mpqr raises on purpose."""


class APIConnectionError(MPError):
    """No HTTP answer: DNS, refused connection, reset, TLS failure."""


class APITimeoutError(APIConnectionError):
    """Connecting or reading took longer than the client's timeout."""


class SignatureError(MPError):
    """A notification's ``x-signature`` is missing, malformed, stale or does not match."""


class NotificationError(MPError):
    """An incoming notification request that is not one of Mercado Pago's forms."""


class UnknownTopicError(NotificationError):
    """A well-formed notification of a topic mpqr does not know: answer 200 and drop it."""


class ValidationError(MPError, ValueError):
    """Bad input refused before any request was sent."""


class UnexpectedResponseError(MPError):
    """A success status whose body is not what the API documents (not JSON, or the wrong shape)."""

    def __init__(
        self, message: str, *, status: int, request_id: str | None = None, body: Any = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.request_id = request_id
        self.body = body


@dataclass(frozen=True, slots=True)
class Cause:
    code: str | None
    description: str | None
    data: Any = None


@dataclass(eq=False)
class APIStatusError(MPError):
    """Mercado Pago answered with an error status."""

    status: int
    error: str | None
    message: str
    causes: list[Cause] = field(default_factory=list)
    request_id: str | None = None
    body: Any = None
    retry_after: float | None = None

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        parts = [f"HTTP {self.status}"]
        if self.error:
            parts.append(self.error)
        text = " ".join(parts) + f": {self.message}"
        if self.request_id:
            text += f" (request id {self.request_id})"
        return text


class BadRequestError(APIStatusError):
    pass


class AuthenticationError(APIStatusError):
    pass


class PermissionDeniedError(APIStatusError):
    pass


class NotFoundError(APIStatusError):
    pass


class ConflictError(APIStatusError):
    pass


class RateLimitError(APIStatusError):
    pass


class ServerError(APIStatusError):
    pass


_BY_STATUS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: BadRequestError,
    423: ConflictError,
    429: RateLimitError,
}

_AUTH_KEYS = {"invalid_access_token", "invalid_token", "unauthorized"}


def _causes(body: dict[str, Any]) -> list[Cause]:
    raw = body.get("cause", body.get("causes"))
    out: list[Cause] = []
    if isinstance(raw, dict):
        raw = [raw]
    if isinstance(raw, list):
        for c in raw:
            if isinstance(c, dict):
                code = c.get("code")
                out.append(
                    Cause(None if code is None else str(code), c.get("description"), c.get("data"))
                )
    errors = body.get("errors")
    if isinstance(errors, list):  # Orders API envelope
        for e in errors:
            if isinstance(e, dict):
                details = e.get("details")
                out.append(Cause(e.get("code"), e.get("message"), details))
    return out


def _parse_body(raw: bytes | str | None) -> Any:
    if raw is None or raw == b"" or raw == "":
        return None
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header, or ``None`` when it says nothing usable.

    Both forms of RFC 9110 are read: delay-seconds (``"3"``; a fraction is tolerated) and an
    HTTP-date (seconds from ``now`` until then, ``0.0`` once it has passed). A negative number,
    ``inf``, ``nan`` or anything else is not a delay the server could mean: ``None``, so the
    caller falls back to its own backoff.

    >>> parse_retry_after("3"), parse_retry_after("-1"), parse_retry_after("inf")
    (3.0, None, None)
    """
    if value is None:
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        return _seconds_until(text, now)
    return seconds if math.isfinite(seconds) and seconds >= 0 else None


def _seconds_until(http_date: str, now: datetime | None) -> float | None:
    try:
        when = parsedate_to_datetime(http_date)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # "-0000" in the date: UTC by RFC 5322
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def error_from_response(
    status: int, body: bytes | str | None, headers: dict[str, str] | None = None
) -> APIStatusError:
    """Build the right :class:`APIStatusError` for an error response.

    ``headers`` keys must be lower-case. Understands MP's ``{message, error, status, cause|causes}``
    envelope and the Orders API ``{errors: [{code, message, details}]}`` envelope.
    """
    hdrs = headers or {}
    parsed = _parse_body(body)
    error: str | None = None
    message = ""
    causes: list[Cause] = []
    if isinstance(parsed, dict):
        causes = _causes(parsed)
        err = parsed.get("error")
        error = str(err) if err is not None else None
        message = str(parsed.get("message") or "")
        if error is None and causes and parsed.get("errors") is not None:
            error = causes[0].code
            message = message or (causes[0].description or "")
    elif isinstance(parsed, str):
        message = parsed[:500]
    if not message:
        message = error or f"HTTP {status}"
    cls = _BY_STATUS.get(status, ServerError if status >= 500 else APIStatusError)
    if status == 400 and (error in _AUTH_KEYS or message in _AUTH_KEYS):
        cls = AuthenticationError
    return cls(
        status=status,
        error=error,
        message=message,
        causes=causes,
        request_id=hdrs.get("x-request-id"),
        body=parsed,
        retry_after=parse_retry_after(hdrs.get("retry-after")),
    )
