"""Settings of the seller server: one frozen object from CLI options and ``MPQR_*`` variables."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from enum import StrEnum
from typing import Any

__all__ = ["Integration", "Settings"]


class Integration(StrEnum):
    """Which Mercado Pago API family puts the order on the cashbox (mp-api §3, §4, §6)."""

    INSTORE_V1 = "instore-v1"
    INSTORE_V2 = "instore-v2"
    ORDERS = "orders"


@dataclass(frozen=True)
class Settings:
    """Everything the server needs, explicit and immutable; secrets never appear in ``repr``.

    Build it in code (tests) or with :meth:`from_env` (``MPQR_HOST``, ``MPQR_DATABASE_URL``, ...).

    >>> Settings(mp_access_token="APP_USR-1")  # doctest: +ELLIPSIS
    Settings(host='127.0.0.1', ..., mp_access_token='***', ...)
    """

    host: str = "127.0.0.1"
    port: int = 8000
    database_url: str = "sqlite:///./mpqr.db"
    mp_base_url: str = "https://api.mercadopago.com"
    mp_access_token: str = field(default="", repr=False)
    public_url: str = "http://127.0.0.1:8000"
    integration: Integration = Integration.INSTORE_V1
    api_key: str | None = field(default=None, repr=False)
    admin_password: str | None = field(default=None, repr=False)  # the cashier UI login 'admin'
    webhook_secrets: tuple[str, ...] = field(default=(), repr=False)
    signature_tolerance_seconds: float | None = None
    default_expires_in: int = 600  # seconds; MP's legacy default (mp-api §3.5)
    reconcile_first_after: float = 2.0  # seconds after a sale is created
    reconcile_max_interval: float = 30.0  # the backoff cap while pending
    reconcile_after_expiry: float = 120.0  # keep checking this long after expiry
    poll_interval: float = 0.5  # how often the processor and reconciler look for due work
    inbox_max_attempts: int = 20
    inbox_not_found_attempts: int = 3  # a resource Mercado Pago answers 404 for is settled then
    inbox_max_open_per_resource: int = 5  # unresolved inbox rows kept per resource id
    auto_refund_after_cancel: bool = False
    run_workers: bool = True  # tests turn the background loops off and drive them by hand
    instance_id: str = "seller"
    # write-ahead: a create's Mercado Pago call is cut off after ``create_timeout`` seconds; an
    # intent (opening sale, open cancel/refund) untouched for ``lease_seconds`` is recovered
    create_timeout: float = 20.0
    lease_seconds: float = 30.0
    recovery_interval: float = 5.0
    sweep_interval: float = 300.0  # the unmatched-payments sweep
    sweep_window: float = 86400.0  # how far back the sweep looks
    db_pool_size: int = 10
    forwarded_allow_ips: tuple[str, ...] = ()  # proxies whose X-Forwarded-For is believed
    max_body_bytes: int = 64 * 1024
    crash_points: str = ""  # TEST ONLY: see mpqr.seller.crash
    crash_mode: str = "kill"

    def __repr__(self) -> str:
        shown = []
        for f in fields(self):
            value: Any = getattr(self, f.name)
            if f.name in _SECRET_FIELDS:
                value = "***" if value else value
            shown.append(f"{f.name}={value!r}")
        return f"Settings({', '.join(shown)})"

    @property
    def notification_url(self) -> str:
        return self.public_url.rstrip("/") + "/notifications"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Settings from ``MPQR_<FIELD>`` variables, then ``overrides`` (None values ignored)."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(f"MPQR_{f.name.upper()}")
            if raw is not None and raw != "":
                values[f.name] = _coerce(f.name, raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return replace(cls(), **values)


_SECRET_FIELDS = frozenset({"mp_access_token", "api_key", "admin_password", "webhook_secrets"})
_INT_FIELDS = frozenset(
    {
        "port",
        "default_expires_in",
        "inbox_max_attempts",
        "inbox_not_found_attempts",
        "inbox_max_open_per_resource",
        "db_pool_size",
        "max_body_bytes",
    }
)
_FLOAT_FIELDS = frozenset(
    {
        "reconcile_first_after",
        "reconcile_max_interval",
        "reconcile_after_expiry",
        "poll_interval",
        "signature_tolerance_seconds",
        "create_timeout",
        "lease_seconds",
        "recovery_interval",
        "sweep_interval",
        "sweep_window",
    }
)
_BOOL_FIELDS = frozenset({"auto_refund_after_cancel", "run_workers"})


def _coerce(name: str, raw: str) -> Any:
    if name in _INT_FIELDS:
        return int(raw)
    if name in _FLOAT_FIELDS:
        return float(raw)
    if name in _BOOL_FIELDS:
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if name == "integration":
        return Integration(raw)
    if name in {"webhook_secrets", "forwarded_allow_ips"}:
        return tuple(s for s in (p.strip() for p in raw.split(",")) if s)
    return raw
