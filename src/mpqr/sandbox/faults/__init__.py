"""Fault injection for the sandbox: API errors and latency on Mercado Pago paths, and dropped,
duplicated, delayed or reordered notifications, all deterministic for a seed.
"""

from mpqr.sandbox.faults.config import ApiFaults, FaultConfig, NotificationFaults
from mpqr.sandbox.faults.core import ApiDecision, Faults, NotificationDecision
from mpqr.sandbox.faults.middleware import ApiFaultMiddleware, is_mp_path
from mpqr.sandbox.faults.routes import router

__all__ = [
    "ApiDecision",
    "ApiFaultMiddleware",
    "ApiFaults",
    "FaultConfig",
    "Faults",
    "NotificationDecision",
    "NotificationFaults",
    "is_mp_path",
    "router",
]
