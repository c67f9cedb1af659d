"""The seller server's domain errors; one exception handler in ``app`` renders them as JSON.

::

    SellerError(status, code, message)
    ├── InvalidInput        422  bad input; ``field`` names the offending field
    ├── NotFound            404
    ├── Conflict            409  state conflict (pending sale on the cashbox, paid sale cancel, ...)
    ├── Unauthorized        401
    └── UpstreamError       502/503  Mercado Pago failed or is unreachable
"""

from __future__ import annotations

__all__ = ["Conflict", "InvalidInput", "NotFound", "SellerError", "Unauthorized", "UpstreamError"]


class SellerError(Exception):
    status = 500
    code = "internal_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(SellerError):
    status = 422
    code = "invalid_request"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


class NotFound(SellerError):
    status = 404
    code = "not_found"


class Conflict(SellerError):
    status = 409
    code = "conflict"


class Unauthorized(SellerError):
    status = 401
    code = "unauthorized"


class UpstreamError(SellerError):
    code = "mercadopago_unavailable"

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        if status == 502:
            self.code = "mercadopago_error"
