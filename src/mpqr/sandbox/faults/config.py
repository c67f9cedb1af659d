"""The fault-injection configuration, validated: probabilities in 0..1, ranges ``[a, b]`` with
``0 <= a <= b``, error statuses 4xx/5xx. Unknown keys are refused (a typo must not silently
disable a fault).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = ["ApiFaults", "FaultConfig", "NotificationFaults"]

Probability = Annotated[float, Field(ge=0.0, le=1.0)]
Millis = Annotated[int, Field(ge=0, le=600_000)]


def _check_range(value: tuple[int, int]) -> tuple[int, int]:
    low, high = value
    if low > high:
        raise ValueError(f"range [{low}, {high}]: the first bound must be <= the second")
    return value


class NotificationFaults(BaseModel):
    """Faults on outgoing notifications, decided per attempt."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    drop: Probability = 0.0
    duplicate: Probability = 0.0
    delay_ms: tuple[Millis, Millis] = (0, 0)
    reorder: Probability = 0.0

    _range = field_validator("delay_ms")(_check_range)

    @property
    def active(self) -> bool:
        return bool(self.drop or self.duplicate or self.delay_ms[1] or self.reorder)


class ApiFaults(BaseModel):
    """Faults on Mercado Pago API calls (never on the control plane), decided per request."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    error_rate: Probability = 0.0
    error_statuses: list[Annotated[int, Field(ge=400, le=599)]] = Field(
        default_factory=lambda: [500, 503, 429], min_length=1
    )
    latency_ms: tuple[Millis, Millis] = (0, 0)
    # Mercado Pago's test environment sometimes answers in-store order creation with
    # 500 alias_obtainment_error "Get aliases for user failed"; off by default.
    alias_obtainment_error: Probability = 0.0

    _range = field_validator("latency_ms")(_check_range)

    @property
    def active(self) -> bool:
        return bool(self.error_rate or self.latency_ms[1] or self.alias_obtainment_error)


class FaultConfig(BaseModel):
    """What ``PUT /_sandbox/faults`` takes and ``GET`` returns. All faults off by default."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    seed: int = 0
    notifications: NotificationFaults = Field(default_factory=NotificationFaults)
    api: ApiFaults = Field(default_factory=ApiFaults)
