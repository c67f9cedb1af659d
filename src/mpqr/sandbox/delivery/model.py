"""The records of the outbox: a :class:`Delivery` (one HTTP notification to one URL, in one form)
and its :class:`Attempt` log. Plain data with ``to_dict`` / ``from_dict`` so the outbox persists
across restarts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Final

__all__ = ["ALLOWED", "Attempt", "Delivery", "DeliveryState", "Form"]


class Form(StrEnum):
    """The two shapes Mercado Pago notifies in: legacy IPN (``?topic=&id=``) and Webhooks (JSON
    body).
    """

    IPN = "ipn"
    WEBHOOK = "webhook"


class DeliveryState(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


# A resend brings a finished delivery back to pending; pending -> pending is a failed attempt with a
# retry left in the schedule.
ALLOWED: Final[dict[DeliveryState, frozenset[DeliveryState]]] = {
    DeliveryState.PENDING: frozenset(
        {DeliveryState.PENDING, DeliveryState.DELIVERED, DeliveryState.FAILED}
    ),
    DeliveryState.DELIVERED: frozenset({DeliveryState.PENDING}),
    DeliveryState.FAILED: frozenset({DeliveryState.PENDING}),
}


def _iso(at: datetime | None) -> str | None:
    return None if at is None else at.isoformat()


def _from_iso(s: str | None) -> datetime | None:
    return None if s is None else datetime.fromisoformat(s)


@dataclass(slots=True)
class Attempt:
    """One try at sending a delivery: when (virtual time), what came back, and what went wrong.

    ``manual`` marks a resend asked for through the control plane (outside the retry schedule);
    ``duplicate`` marks the extra copy sent by the ``duplicate`` fault (its outcome does not count).
    """

    at: datetime
    status_code: int | None = None
    latency_ms: float | None = None
    error: str | None = None
    request_id: str | None = None
    manual: bool = False
    duplicate: bool = False
    response_excerpt: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "at": _iso(self.at),
            "status_code": self.status_code,
            "latency_ms": self.latency_ms,
            "error": self.error,
            "request_id": self.request_id,
            "manual": self.manual,
            "duplicate": self.duplicate,
            "response_excerpt": self.response_excerpt,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Attempt:
        at = _from_iso(d["at"])
        assert at is not None
        return cls(**{**d, "at": at})


@dataclass(slots=True)
class Delivery:
    """One notification to send: the URL (the order's ``notification_url`` plus our query), the
    form, the JSON body, and its progress through the retry schedule.

    ``notification_url`` (as the seller gave it), ``topic`` and ``resource_id`` make the ordering
    lane (``lanes.lane_of``): deliveries of one resource to one URL are attempted in creation
    order. ``type`` is the wire name (IPN ``topic`` or Webhooks ``type``);
    ``topic`` is the notice's topic (``merchant_order`` / ``payment`` / ``order``).
    """

    id: int
    seller_id: int
    notification_url: str
    url: str
    form: Form
    topic: str
    type: str
    resource_id: str
    action: str
    query: dict[str, str]
    body: dict[str, Any]
    signed: bool
    created_at: datetime
    forged: bool = False  # signed, but not with the seller's secret: it never verifies
    state: DeliveryState = DeliveryState.PENDING
    next_attempt_at: datetime | None = None
    first_attempt_at: datetime | None = None
    scheduled_attempts: int = 0
    resend_requested: bool = False
    attempts: list[Attempt] = field(default_factory=list)

    def move_to(self, state: DeliveryState) -> None:
        if state not in ALLOWED[self.state]:
            raise ValueError(f"delivery {self.id}: {self.state} -> {state} is not allowed")
        self.state = state

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "seller_id": self.seller_id,
            "notification_url": self.notification_url,
            "url": self.url,
            "form": self.form.value,
            "topic": self.topic,
            "type": self.type,
            "resource_id": self.resource_id,
            "action": self.action,
            "query": dict(self.query),
            "body": self.body,
            "signed": self.signed,
            "forged": self.forged,
            "created_at": _iso(self.created_at),
            "state": self.state.value,
            "next_attempt_at": _iso(self.next_attempt_at),
            "first_attempt_at": _iso(self.first_attempt_at),
            "scheduled_attempts": self.scheduled_attempts,
            "resend_requested": self.resend_requested,
            "attempts": [a.to_dict() for a in self.attempts],
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Delivery:
        created = _from_iso(d["created_at"])
        assert created is not None
        return cls(
            **{
                **d,
                "form": Form(d["form"]),
                "state": DeliveryState(d["state"]),
                "created_at": created,
                "next_attempt_at": _from_iso(d.get("next_attempt_at")),
                "first_attempt_at": _from_iso(d.get("first_attempt_at")),
                "attempts": [Attempt.from_dict(a) for a in d.get("attempts", [])],
            }
        )
