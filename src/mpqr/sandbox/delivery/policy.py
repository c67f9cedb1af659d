"""Delivery policy without I/O: which hosts may be called, retry profiles, and what an attempt's
outcome does to a delivery (the retry schedule).

Retry delays count from the FIRST send, on the virtual clock. Profiles:

- ``mp-ipn``: +30 s, +5 min, +30 min (the in-person IPN table);
- ``mp-webhooks``: +5 min, +45 min, +6 h, +2 d, +4 d (the Webhooks page);
- ``mp``: each form on its own MP schedule (IPN -> ``mp-ipn``, Webhooks -> ``mp-webhooks``);
- ``fast``: +0.2 s, +0.5 s, +1 s, +2 s, for tests.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final
from urllib.parse import urlsplit

from mpqr.sandbox.delivery.model import Delivery, DeliveryState, Form

__all__ = [
    "PROFILES",
    "RetryProfile",
    "apply_outcome",
    "refusal",
    "schedule_for",
]

SUCCESS_STATUSES: Final = frozenset({200, 201})


@dataclass(frozen=True, slots=True)
class RetryProfile:
    """Named retry schedules: ``ipn`` and ``webhook`` delays (seconds after the first send)."""

    name: str
    ipn: tuple[float, ...]
    webhook: tuple[float, ...]


_MP_IPN: Final = (30.0, 300.0, 1800.0)
_MP_WEBHOOKS: Final = (300.0, 2700.0, 21600.0, 172800.0, 345600.0)
_FAST: Final = (0.2, 0.5, 1.0, 2.0)

PROFILES: Final[dict[str, RetryProfile]] = {
    "fast": RetryProfile("fast", _FAST, _FAST),
    "mp-ipn": RetryProfile("mp-ipn", _MP_IPN, _MP_IPN),
    "mp-webhooks": RetryProfile("mp-webhooks", _MP_WEBHOOKS, _MP_WEBHOOKS),
    "mp": RetryProfile("mp", _MP_IPN, _MP_WEBHOOKS),
}


def get_profile(name: str) -> RetryProfile:
    try:
        return PROFILES[name]
    except KeyError:
        names = ", ".join(sorted(PROFILES))
        raise ValueError(f"unknown notify profile {name!r}; choose one of {names}") from None


def schedule_for(profile: RetryProfile, form: Form) -> tuple[float, ...]:
    match form:
        case Form.IPN:
            return profile.ipn
        case Form.WEBHOOK:
            return profile.webhook


def refusal(url: str, allow_hosts: Collection[str]) -> str | None:
    """Why ``url`` may not be called, or None. Never resolves a name: only literal loopback
    addresses, ``localhost`` and the explicitly allowed host names pass.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return f"refused: scheme {parts.scheme!r} is not http or https"
    host = (parts.hostname or "").lower()
    allowed = {h.lower().strip("[]") for h in allow_hosts}
    if host in ("localhost", *allowed):
        return None
    try:
        if ipaddress.ip_address(host).is_loopback:
            return None
    except ValueError:
        pass
    return f"refused: host {host} is not loopback; allow it with --allow-host"


def is_success(status: int | None) -> bool:
    """Mercado Pago accepts 200 or 201 only; 202, 204 and redirects are failures."""
    return status in SUCCESS_STATUSES


def apply_outcome(
    delivery: Delivery, *, ok: bool, manual: bool, at: datetime, schedule: tuple[float, ...]
) -> None:
    """Move ``delivery`` after an attempt made at ``at``: delivered, next retry, or failed.

    A scheduled attempt advances the schedule. A manual resend is an extra try outside it: when it
    fails, a delivery that still had a retry scheduled keeps it, any other one is failed.
    """
    if manual:
        if ok:
            _delivered(delivery)
        elif delivery.next_attempt_at is None:
            delivery.move_to(DeliveryState.FAILED)
        return
    if delivery.first_attempt_at is None:
        delivery.first_attempt_at = at
    delivery.scheduled_attempts += 1
    if ok:
        _delivered(delivery)
        return
    retry_index = delivery.scheduled_attempts - 1
    if retry_index >= len(schedule):
        fail_now(delivery)
        return
    delivery.move_to(DeliveryState.PENDING)
    delivery.next_attempt_at = delivery.first_attempt_at + timedelta(seconds=schedule[retry_index])


def _delivered(delivery: Delivery) -> None:
    delivery.move_to(DeliveryState.DELIVERED)
    delivery.next_attempt_at = None


def fail_now(delivery: Delivery) -> None:
    """End ``delivery`` without retries (a refused host: retrying would not change the answer)."""
    delivery.move_to(DeliveryState.FAILED)
    delivery.next_attempt_at = None
