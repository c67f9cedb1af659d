"""Fault decisions, deterministic for a seed.

API faults draw from one ``random.Random(seed)`` in request order, re-seeded whenever the
configuration is replaced. Notification faults are *keyed*: each attempt's decision comes from
``random.Random(f"{seed}|{key}")`` where the key names the delivery and the attempt, so the same
seed gives the same drops, duplicates, delays and reorders whatever the order in which concurrent
deliveries happen to be dispatched.
"""

from __future__ import annotations

import random
import threading
import uuid
from dataclasses import dataclass
from typing import Any

from mpqr.sandbox.faults.config import FaultConfig

__all__ = ["ApiDecision", "Faults", "NotificationDecision"]


@dataclass(frozen=True, slots=True)
class NotificationDecision:
    drop: bool = False
    duplicate: bool = False
    delay_ms: float = 0.0
    reorder: bool = False


@dataclass(frozen=True, slots=True)
class ApiDecision:
    latency_ms: float = 0.0
    status: int | None = None
    request_id: str = ""
    alias_error: bool = False  # answer 500 alias_obtainment_error (in-store order creation only)


_NO_NOTIFICATION_FAULT = NotificationDecision()


class Faults:
    """The sandbox's fault-injection switchboard (``app.state.faults``).

    Example::

        faults = Faults(FaultConfig(seed=7, notifications={"drop": 1.0}))
        faults.decide_notification("12:1").drop  # True: every attempt is dropped
    """

    def __init__(self, config: FaultConfig | None = None) -> None:
        self._lock = threading.Lock()
        self._config = config or FaultConfig()
        self._rng = random.Random(self._config.seed)

    @property
    def config(self) -> FaultConfig:
        return self._config

    def configure(self, config: FaultConfig) -> None:
        """Replace the whole configuration and re-seed the random source."""
        with self._lock:
            self._config = config
            self._rng = random.Random(config.seed)

    def reset(self) -> None:
        self.configure(FaultConfig())

    def to_dict(self) -> dict[str, Any]:
        return self._config.model_dump(mode="json")

    def load_dict(self, d: dict[str, Any]) -> None:
        self.configure(FaultConfig.model_validate(d))

    @property
    def api_active(self) -> bool:
        return self._config.api.active

    @property
    def notifications_active(self) -> bool:
        return self._config.notifications.active

    def decide_api(self, *, creates_instore_order: bool = False) -> ApiDecision:
        """The next API request's fate: extra latency and maybe an injected error status."""
        api = self._config.api
        with self._lock:
            rng = self._rng
            latency = rng.uniform(*api.latency_ms) if api.latency_ms[1] else 0.0
            alias = bool(creates_instore_order and api.alias_obtainment_error)
            alias = alias and rng.random() < api.alias_obtainment_error
            failing = alias or rng.random() < api.error_rate
            status = 500 if alias else rng.choice(api.error_statuses) if failing else None
            request_id = str(uuid.UUID(int=rng.getrandbits(128), version=4)) if failing else ""
        return ApiDecision(latency, status, request_id, alias)

    def decide_notification(self, key: str) -> NotificationDecision:
        """The fate of one notification attempt named by ``key`` (e.g. ``"<delivery
        id>:<attempt>"``).
        """
        n = self._config.notifications
        if not n.active:
            return _NO_NOTIFICATION_FAULT
        rng = random.Random(f"{self._config.seed}|{key}")
        return NotificationDecision(
            drop=rng.random() < n.drop,
            duplicate=rng.random() < n.duplicate,
            delay_ms=rng.uniform(*n.delay_ms) if n.delay_ms[1] else 0.0,
            reorder=rng.random() < n.reorder,
        )
