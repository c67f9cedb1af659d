"""The seller server's domain errors; one exception handler in ``app`` renders them as JSON.

::

    SellerError(status, code, message, reason, field)
    ├── InvalidInput        422  bad input; ``field`` names the offending field
    ├── NotFound            404
    ├── Conflict            409  state conflict (pending sale on the cashbox, paid sale cancel, ...)
    ├── Unauthorized        401
    ├── TooManyRequests     429
    └── UpstreamError       502/503  Mercado Pago failed or is unreachable

Every error is rendered ``{"error": code, "message": ..., "reason": ..., "field": ...,
"sale_id": ..., "request_id": ...}`` (``field`` and ``sale_id`` when they apply). ``code`` is
coarse (what a program branches on); ``reason`` is a :class:`Reason`, fine-grained and stable,
which the cashier UI translates (the English ``message`` is for developers and logs, never shown
to a cashier as is).
"""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "Conflict",
    "InvalidInput",
    "NotFound",
    "Reason",
    "SellerError",
    "TooManyRequests",
    "Unauthorized",
    "UpstreamError",
]


class Reason(StrEnum):
    """Why a request failed, in words a translation table can key on."""

    # input (422)
    REQUIRED = "required"
    INVALID = "invalid"  # the wrong type or shape
    UNKNOWN_FIELD = "unknown_field"
    NOT_A_NUMBER = "not_a_number"
    NOT_POSITIVE = "not_positive"
    NOT_AN_INTEGER = "not_an_integer"
    TOO_MANY_DECIMALS = "too_many_decimals"
    AMOUNT_TOO_SMALL = "amount_too_small"  # below the site's minimum
    AMOUNT_TOO_LARGE = "amount_too_large"  # above the site's maximum
    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    TOO_MANY = "too_many"
    TOO_FEW = "too_few"
    OUT_OF_RANGE = "out_of_range"
    BAD_FORMAT = "bad_format"  # a pattern such as external_reference's letters, digits, - and _
    CONTROL_CHARACTERS = "control_characters"  # NUL, newlines and other control characters
    REFUND_TOO_LARGE = "refund_too_large"  # more than what can still be refunded
    IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused"  # same key, another request
    # not found (404)
    NOT_FOUND = "not_found"
    SALE_NOT_FOUND = "sale_not_found"
    CASHBOX_NOT_FOUND = "cashbox_not_found"
    STORE_NOT_FOUND = "store_not_found"
    PAYMENT_NOT_FOUND = "payment_not_found"
    # conflict (409)
    CASHBOX_BUSY = "cashbox_busy"  # a pending sale is already on this cashbox's QR
    REFERENCE_IN_USE = "reference_in_use"  # another sale owns this external_reference
    SALE_ALREADY_PAID = "sale_already_paid"  # cancel of a paid sale: refund it instead
    SALE_NOT_PAID = "sale_not_paid"  # refund of a sale with no money in
    NOTHING_TO_REFUND = "nothing_to_refund"  # everything was refunded already
    IN_PROGRESS = "in_progress"  # the same operation is still running
    ALREADY_EXISTS = "already_exists"
    # Mercado Pago (502 / 503)
    MERCADOPAGO_REFUSED = "mercadopago_refused"
    MERCADOPAGO_UNAVAILABLE = "mercadopago_unavailable"
    # the HTTP layer
    UNAUTHORIZED = "unauthorized"
    FORBIDDEN = "forbidden"
    RATE_LIMITED = "rate_limited"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    BODY_TOO_LARGE = "body_too_large"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
    MALFORMED_BODY = "malformed_body"
    INTERNAL = "internal"


class SellerError(Exception):
    status = 500
    code = "internal_error"
    default_reason = Reason.INTERNAL

    def __init__(
        self,
        message: str,
        *,
        reason: Reason | None = None,
        field: str | None = None,
        sale_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason or self.default_reason
        self.field = field
        self.sale_id = sale_id  # the sale the error is about (the one holding a cashbox, ...)


class InvalidInput(SellerError):
    status = 422
    code = "invalid_request"
    default_reason = Reason.INVALID

    def __init__(self, field: str, message: str, *, reason: Reason | None = None) -> None:
        super().__init__(f"{field}: {message}", reason=reason, field=field)


class NotFound(SellerError):
    status = 404
    code = "not_found"
    default_reason = Reason.NOT_FOUND


class Conflict(SellerError):
    status = 409
    code = "conflict"
    default_reason = Reason.IN_PROGRESS


class Unauthorized(SellerError):
    status = 401
    code = "unauthorized"
    default_reason = Reason.UNAUTHORIZED


class TooManyRequests(SellerError):
    status = 429
    code = "rate_limited"
    default_reason = Reason.RATE_LIMITED


class UpstreamError(SellerError):
    """Mercado Pago failed: 503 when it is unreachable or busy, 502 when it refused the call.

    ``definite`` is True when Mercado Pago answered (the call certainly did not take effect,
    e.g. a 4xx); False when the outcome is unknown (timeout, reset, 5xx): the write may or may
    not have happened, so write-ahead callers leave their intent open for recovery.
    """

    code = "mercadopago_unavailable"

    def __init__(
        self,
        status: int,
        message: str,
        *,
        definite: bool = False,
        mp_status: int | None = None,
        mp_error: str | None = None,
    ) -> None:
        reason = Reason.MERCADOPAGO_REFUSED if status == 502 else Reason.MERCADOPAGO_UNAVAILABLE
        super().__init__(message, reason=reason)
        self.status = status
        self.definite = definite
        self.mp_status = mp_status
        self.mp_error = mp_error
        if status == 502:
            self.code = "mercadopago_error"
