"""mpqr: Mercado Pago in-store QR payments from Python.

The client (:class:`Client`, :class:`AsyncClient`), the offline sandbox (``mpqr sandbox``), the
seller server (``mpqr serve``) and a demo wiring them together (``mpqr demo``).
"""

import importlib
from typing import TYPE_CHECKING, Any

from mpqr._version import __version__
from mpqr.errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    MPError,
    NotFoundError,
    NotificationError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    SignatureError,
    ValidationError,
)

if TYPE_CHECKING:
    from mpqr.client import AsyncClient, Client, RetryPolicy, Timeouts

# The client pulls in urllib3, aiohttp and pydantic: load it on first use so `import mpqr` (and the
# CLI's --help / --version) stay fast.
_LAZY = {
    "AsyncClient": "mpqr.client",
    "Client": "mpqr.client",
    "RetryPolicy": "mpqr.client",
    "Timeouts": "mpqr.client",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'mpqr' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


__all__ = [
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncClient",
    "AuthenticationError",
    "BadRequestError",
    "Client",
    "ConflictError",
    "MPError",
    "NotFoundError",
    "NotificationError",
    "PermissionDeniedError",
    "RateLimitError",
    "RetryPolicy",
    "ServerError",
    "SignatureError",
    "Timeouts",
    "ValidationError",
    "__version__",
]
