"""Which due deliveries to start now (no I/O): one attempt in flight per lane, so a lane is
served in creation order, a bound on attempts in flight overall so one slow receiver cannot stall
the others, and the ``reorder`` fault's hold-back.

A lane is one resource at one URL: ``(notification_url, topic, resource_id)``. The notifications
of one merchant order (or payment, or Orders API order) reach a URL in the order they were
created; different resources go to the same URL concurrently, as Mercado Pago sends them (it does
not promise any order between them).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Final

from mpqr.sandbox.delivery.model import Delivery, DeliveryState
from mpqr.sandbox.faults import NotificationDecision

__all__ = ["Lane", "Lanes", "attempt_number", "is_due", "lane_of"]

# Re-check at least this often (real seconds) even if nobody calls wake(): a clock moved without a
# wake() then costs at most this much delay, never a stuck delivery.
MAX_SLEEP: Final = 1.0

Decide = Callable[[Delivery], NotificationDecision]
Lane = tuple[str, str, str]


def lane_of(delivery: Delivery) -> Lane:
    """The ordering lane of ``delivery``: its URL (as the seller gave it) and its resource."""
    return (delivery.notification_url, delivery.topic, delivery.resource_id)


def is_due(delivery: Delivery, now: datetime) -> bool:
    if delivery.resend_requested:
        return True
    if delivery.state is not DeliveryState.PENDING:
        return False
    return delivery.next_attempt_at is not None and delivery.next_attempt_at <= now


def attempt_number(delivery: Delivery) -> int:
    """1 for the first attempt, 2 for the next...; duplicate copies do not count."""
    return sum(1 for a in delivery.attempts if not a.duplicate) + 1


class Lanes:
    """In-flight bookkeeping of the outbox worker.

    ``pick`` returns the deliveries to start now, each with its fault decision, and marks them in
    flight; ``finish`` frees their lane. A delivery whose decision says ``reorder`` is held back
    until a later delivery of its lane has been started (it then goes right after it) or until
    ``reorder_hold`` real seconds have passed.
    """

    def __init__(self, *, max_in_flight: int, reorder_hold: float) -> None:
        self._max = max_in_flight
        self._hold = reorder_hold
        self._in_flight: set[int] = set()
        self._busy: set[Lane] = set()
        self._held: dict[int, tuple[Lane, float]] = {}  # id -> (lane, real time of release)

    @property
    def busy(self) -> bool:
        return bool(self._in_flight or self._held)

    def clear(self, *, in_flight: bool) -> None:
        self._held.clear()
        if in_flight:
            self._in_flight.clear()
            self._busy.clear()

    def finish(self, delivery: Delivery) -> None:
        self._in_flight.discard(delivery.id)
        self._busy.discard(lane_of(delivery))

    def pick(
        self, active: Iterable[Delivery], now: datetime, mono: float, decide: Decide
    ) -> list[tuple[Delivery, NotificationDecision]]:
        started: list[tuple[Delivery, NotificationDecision]] = []
        for delivery in sorted(active, key=lambda d: d.id):
            if len(self._in_flight) >= self._max:
                break
            if delivery.id in self._in_flight or lane_of(delivery) in self._busy:
                continue
            if is_due(delivery, now):
                decision = decide(delivery)
                if self._may_start(delivery, decision, mono):
                    self._start(delivery)
                    started.append((delivery, decision))
        return started

    def _may_start(self, delivery: Delivery, decision: NotificationDecision, mono: float) -> bool:
        if decision.reorder and delivery.id not in self._held:
            self._held[delivery.id] = (lane_of(delivery), mono + self._hold)
            return False
        held = self._held.get(delivery.id)
        return held is None or held[1] <= mono

    def _start(self, delivery: Delivery) -> None:
        self._held.pop(delivery.id, None)
        lane = lane_of(delivery)
        for held_id, (held_lane, _) in list(self._held.items()):
            if held_lane == lane and held_id < delivery.id:
                self._held[held_id] = (held_lane, 0.0)  # overtaken: it goes next
        self._in_flight.add(delivery.id)
        self._busy.add(lane)

    def pause(self, active: Iterable[Delivery], now: datetime, mono: float) -> float:
        """Real seconds until something may become startable (capped at ``MAX_SLEEP``)."""
        waits = [MAX_SLEEP]
        for delivery in active:
            at = delivery.next_attempt_at
            if delivery.state is DeliveryState.PENDING and at is not None and at > now:
                waits.append((at - now).total_seconds())
        # A released entry waits for its lane to free up, and that wakes the worker anyway.
        waits.extend(release - mono for _, release in self._held.values() if release > mono)
        return max(0.0, min(waits))
