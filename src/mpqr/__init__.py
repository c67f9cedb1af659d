"""mpqr: Mercado Pago in-store QR payments from Python.

The client (:class:`Client`, :class:`AsyncClient`), the offline sandbox (``mpqr sandbox``), the
seller server (``mpqr serve``) and a demo wiring them together (``mpqr demo``).
"""

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

__all__ = [
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "MPError",
    "NotFoundError",
    "NotificationError",
    "PermissionDeniedError",
    "RateLimitError",
    "ServerError",
    "SignatureError",
    "ValidationError",
    "__version__",
]
