"""The sandbox's errors: one exception type per Mercado Pago error envelope, rendered by one
handler.

::

    SandboxError                        raised by state, lifecycle and routes
    ├── ApiError        {"message", "error", "status", "cause": []}       most MP APIs
    ├── InstoreError    {"error", "message", "status", "causes": []}      in-store QR family
    ├── OrdersError     {"errors": [{"code", "message", "details"}]}      Orders API (/v1/orders)
    └── ControlError    {"error", "message"}                              the /_sandbox control
    plane

The state layer raises these with MP's exact keys and messages; the routes never build error JSON.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "ApiError",
    "ControlError",
    "InstoreError",
    "OrdersError",
    "SandboxError",
    "not_found",
    "unauthorized",
]


class SandboxError(Exception):
    """Base of the sandbox's deliberate errors: an HTTP status and a JSON body in MP's shape."""

    def __init__(self, status: int, error: str, message: str) -> None:
        super().__init__(f"{status} {error}: {message}")
        self.status = status
        self.error = error
        self.message = message

    def body(self) -> Any:
        raise NotImplementedError


class ApiError(SandboxError):
    """The general MP envelope ``{"message", "error", "status", "cause": [...]}``."""

    def __init__(
        self, status: int, error: str, message: str, cause: list[dict[str, Any]] | None = None
    ) -> None:
        super().__init__(status, error, message)
        self.cause = cause or []

    def body(self) -> dict[str, Any]:
        return {
            "message": self.message,
            "error": self.error,
            "status": self.status,
            "cause": self.cause,
        }


class InstoreError(SandboxError):
    """The in-store QR envelope ``{"error": key, "message": description, "status", "causes":
    []}``.
    """

    def body(self) -> dict[str, Any]:
        return {"error": self.error, "message": self.message, "status": self.status, "causes": []}


class OrdersError(SandboxError):
    """The Orders API envelope ``{"errors": [{"code", "message", "details"}]}``."""

    def __init__(
        self, status: int, code: str, message: str, details: list[str] | None = None
    ) -> None:
        super().__init__(status, code, message)
        self.details = details or []

    def body(self) -> dict[str, Any]:
        return {"errors": [{"code": self.error, "message": self.message, "details": self.details}]}


class ControlError(SandboxError):
    """Errors of the ``/_sandbox`` control plane: ``{"error", "message"}``."""

    def body(self) -> dict[str, Any]:
        return {"error": self.error, "message": self.message}


def unauthorized() -> ApiError:
    return ApiError(401, "unauthorized", "invalid access token")


def not_found(what: str) -> ApiError:
    return ApiError(404, "not_found", f"{what} not found")
