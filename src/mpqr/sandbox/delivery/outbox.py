"""The durable notification outbox: the sandbox's :class:`~mpqr.sandbox.events.NoticeSink`.

``publish`` stores the deliveries of a notice and returns; a worker task on the event loop sends
what is due on the (virtual) clock, retries on the profile's schedule and records every attempt. See
docs/sandbox-delivery.md for the choices made where Mercado Pago leaves room.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import Callable, Collection
from datetime import datetime
from typing import Any, Final

from mpqr.clock import Clock
from mpqr.sandbox.delivery.forms import QrSignature, build_deliveries
from mpqr.sandbox.delivery.lanes import Lanes, attempt_number, is_due
from mpqr.sandbox.delivery.model import Attempt, Delivery, DeliveryState
from mpqr.sandbox.delivery.policy import (
    apply_outcome,
    fail_now,
    get_profile,
    is_success,
    refusal,
    schedule_for,
)
from mpqr.sandbox.delivery.request import KeyedIds, build_request
from mpqr.sandbox.delivery.transport import AiohttpTransport, Transport, sleep_ms
from mpqr.sandbox.events import Notice
from mpqr.sandbox.faults import Faults, NotificationDecision

__all__ = ["Outbox"]

log = logging.getLogger(__name__)

DROPPED: Final = "dropped (fault injection)"
_FORMAT_VERSION: Final = 1


class Outbox:
    """Stores notices as deliveries and sends them like Mercado Pago: IPN and/or Webhooks form,
    200/201 or retry on the profile's schedule (virtual clock), loopback hosts only unless allowed.

    Example (inside a running event loop)::

        outbox = Outbox(clock=VirtualClock(), secret_for=lambda uid: "s3cret",
                        base_url=lambda: "http://127.0.0.1:8080")
        await outbox.start()
        outbox.publish(notice)        # returns at once
        await outbox.drain(5.0)       # tests: wait until nothing is due now
        await outbox.stop()
    """

    def __init__(
        self,
        *,
        clock: Clock,
        profile: str = "fast",
        secret_for: Callable[[int], str | None],
        base_url: Callable[[], str],
        allow_hosts: Collection[str] = (),
        sign_ipn: bool = False,
        qr_signature: QrSignature = "none",
        resource_base: Callable[[], str] | None = None,
        seed: int | None = None,
        faults: Faults | None = None,
        timeouts: tuple[float, float] = (22.0, 5.0),
        max_in_flight: int = 32,
        reorder_hold: float = 0.5,
        transport: Transport | None = None,
        keep_finished: int = 5_000,
    ) -> None:
        self._clock = clock
        self._profile = get_profile(profile)
        self._secret_for = secret_for
        self._base_url = base_url
        self._allow_hosts = tuple(allow_hosts)
        self._sign_ipn = sign_ipn
        self._qr_signature: QrSignature = qr_signature
        self._resource_base = resource_base or base_url
        self._keyed = KeyedIds(seed)
        self._faults = faults
        self._timeouts = timeouts
        self._lanes = Lanes(max_in_flight=max_in_flight, reorder_hold=reorder_hold)
        self._transport: Transport = transport or AiohttpTransport()
        self._lock = threading.RLock()
        self._deliveries: dict[int, Delivery] = {}
        # The deliveries that may still need an attempt: the worker scans only these, so thousands
        # of finished deliveries cost nothing per wake-up.
        self._active: dict[int, Delivery] = {}
        # Finished deliveries, oldest first: beyond ``keep_finished`` the oldest are forgotten,
        # so a sandbox that runs for days keeps a bounded history.
        self._done_order: dict[int, None] = {}
        self._keep_finished = keep_finished
        self._next_id = 1
        self._tasks: set[asyncio.Task[None]] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wakeup: asyncio.Event | None = None
        self._changed: asyncio.Event | None = None
        self._worker: asyncio.Task[None] | None = None

    @property
    def profile(self) -> str:
        return self._profile.name

    # -- the NoticeSink side ------------------------------------------------------------------

    def publish(self, notice: Notice) -> None:
        """Store the deliveries of ``notice`` (refused hosts are failed at once) and wake the
        worker.
        """
        now = self._clock.now()
        with self._lock:
            created = build_deliveries(
                notice,
                base_url=self._resource_base(),
                now=now,
                next_id=self._take_id,
                notification_id=lambda delivery_id: self._keyed.number("notification", delivery_id),
                sign_ipn=self._sign_ipn,
                qr_signature=self._qr_signature,
            )
            for delivery in created:
                self._refuse_if_needed(delivery, now, manual=False)
                self._deliveries[delivery.id] = delivery
                self._track(delivery)
        if created:
            self.wake()

    def _take_id(self) -> int:
        taken = self._next_id
        self._next_id += 1
        return taken

    def _track(self, delivery: Delivery) -> None:
        """Keep ``_active`` in step with ``delivery`` (ignoring one dropped by a reset)."""
        if self._deliveries.get(delivery.id) is not delivery:
            return
        if delivery.state is DeliveryState.PENDING or delivery.resend_requested:
            self._active[delivery.id] = delivery
            self._done_order.pop(delivery.id, None)
            return
        self._active.pop(delivery.id, None)
        self._done_order.pop(delivery.id, None)
        self._done_order[delivery.id] = None  # newest last
        while len(self._done_order) > self._keep_finished:
            oldest = next(iter(self._done_order))
            del self._done_order[oldest]
            self._deliveries.pop(oldest, None)

    def _refuse_if_needed(self, delivery: Delivery, at: datetime, *, manual: bool) -> bool:
        reason = refusal(delivery.url, self._allow_hosts)
        if reason is None:
            return False
        delivery.attempts.append(Attempt(at=at, error=reason, manual=manual))
        delivery.resend_requested = False
        fail_now(delivery)
        return True

    # -- inspection and control -----------------------------------------------------------------

    def deliveries(self) -> list[Delivery]:
        with self._lock:
            return list(self._deliveries.values())

    def get(self, delivery_id: int | str) -> Delivery | None:
        try:
            key = int(delivery_id)
        except ValueError:
            return None
        with self._lock:
            return self._deliveries.get(key)

    def resend(self, delivery_id: int | str) -> Delivery:
        """Send ``delivery_id`` again now, outside its retry schedule; raise KeyError if unknown."""
        delivery = self.get(delivery_id)
        if delivery is None:
            raise KeyError(f"notification {delivery_id} not found")
        with self._lock:
            delivery.resend_requested = True
            if delivery.state is not DeliveryState.PENDING:
                delivery.move_to(DeliveryState.PENDING)
            self._track(delivery)
        self.wake()
        return delivery

    def reset(self) -> None:
        """Forget every delivery (in-flight attempts finish but are no longer listed)."""
        with self._lock:
            self._deliveries.clear()
            self._active.clear()
            self._done_order.clear()
            self._lanes.clear(in_flight=False)
            self._next_id = 1
        self._signal_changed()

    def to_dict(self) -> dict[str, Any]:
        with self._lock:
            return {
                "version": _FORMAT_VERSION,
                "next_id": self._next_id,
                "deliveries": [d.to_dict() for d in self._deliveries.values()],
            }

    def load_dict(self, d: dict[str, Any]) -> None:
        """Replace the outbox with a saved one; pending deliveries resume on the worker."""
        if d.get("version") != _FORMAT_VERSION:
            raise ValueError(f"outbox state version {d.get('version')!r} is not {_FORMAT_VERSION}")
        loaded = [Delivery.from_dict(x) for x in d.get("deliveries", [])]
        with self._lock:
            self._deliveries = {x.id: x for x in loaded}
            self._active.clear()
            self._done_order.clear()
            for delivery in loaded:
                self._track(delivery)
            self._lanes.clear(in_flight=False)
            self._next_id = max([int(d.get("next_id", 1)), *(x.id + 1 for x in loaded)])
        self.wake()

    # -- the worker ---------------------------------------------------------------------------

    async def start(self) -> None:
        """Open the HTTP session and start the worker on the running loop."""
        if self._worker is not None:
            return
        self._loop = asyncio.get_running_loop()
        self._wakeup = asyncio.Event()
        self._changed = asyncio.Event()
        await self._transport.open()
        self._worker = self._loop.create_task(self._run(), name="mpqr-outbox")

    async def stop(self) -> None:
        """Cancel the worker and in-flight attempts (they stay pending, and resume after a
        restart).
        """
        tasks = [t for t in (self._worker, *self._tasks) if t is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._worker = None
        with self._lock:
            self._lanes.clear(in_flight=True)
        await self._transport.close()

    def wake(self) -> None:
        """Re-check what is due now (after a publish, a resend, or a move of the virtual clock).
        Callable from any thread.
        """
        loop, event = self._loop, self._wakeup
        if loop is None or event is None or loop.is_closed():
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            event.set()
        else:
            loop.call_soon_threadsafe(event.set)

    async def drain(self, timeout: float) -> None:  # noqa: ASYNC109 - the contract
        """Wait (real seconds, at most ``timeout``) until nothing is due now and nothing is in
        flight. Does not move the clock. Raises TimeoutError if the outbox is still busy.
        """
        changed = self._changed
        if changed is None:
            raise RuntimeError("Outbox.drain() before start()")
        async with asyncio.timeout(timeout):
            while not self._idle():
                changed.clear()
                self.wake()
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(0.05):
                        await changed.wait()

    def _idle(self) -> bool:
        now = self._clock.now()
        with self._lock:
            return not self._lanes.busy and not any(is_due(d, now) for d in self._active.values())

    def _signal_changed(self) -> None:
        if self._changed is not None and self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._changed.set)

    async def _run(self) -> None:
        assert self._wakeup is not None
        while True:
            self._wakeup.clear()
            pause = self._dispatch_due()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(pause):
                    await self._wakeup.wait()

    def _dispatch_due(self) -> float:
        """Start what is due and startable; return how long to sleep (real seconds)."""
        now, mono = self._clock.now(), time.monotonic()
        with self._lock:
            active = list(self._active.values())
            for delivery, decision in self._lanes.pick(active, now, mono, self._decide):
                self._launch(delivery, decision)
            return self._lanes.pause(active, now, mono)

    def _decide(self, delivery: Delivery) -> NotificationDecision:
        if self._faults is None:
            return NotificationDecision()
        return self._faults.decide_notification(f"{delivery.id}:{attempt_number(delivery)}")

    def _launch(self, delivery: Delivery, decision: NotificationDecision) -> None:
        assert self._loop is not None
        # A resend is served by this attempt (by the first one, if none was made yet); one asked
        # for while it is in flight sets the flag again and gets its own attempt.
        manual = delivery.resend_requested and delivery.scheduled_attempts > 0
        delivery.resend_requested = False
        task = self._loop.create_task(self._attempt(delivery, manual, decision))
        self._tasks.add(task)
        task.add_done_callback(lambda t: self._finished(t, delivery))

    def _finished(self, task: asyncio.Task[None], delivery: Delivery) -> None:
        self._tasks.discard(task)
        with self._lock:
            self._lanes.finish(delivery)
            if not task.cancelled() and task.exception() is not None:
                log.error("delivery %s crashed", delivery.id, exc_info=task.exception())
                if delivery.state is DeliveryState.PENDING:
                    fail_now(delivery)
            self._track(delivery)
        self._signal_changed()
        self.wake()

    # -- one attempt ----------------------------------------------------------------------------

    async def _attempt(
        self, delivery: Delivery, manual: bool, decision: NotificationDecision
    ) -> None:
        with self._lock:
            if delivery.state is not DeliveryState.PENDING:
                delivery.move_to(DeliveryState.PENDING)  # a resend of a finished delivery
            if self._refuse_if_needed(delivery, self._clock.now(), manual=manual):
                return
        number = attempt_number(delivery)
        if decision.drop:
            record = Attempt(at=self._clock.now(), error=DROPPED, manual=manual)
        else:
            await sleep_ms(decision.delay_ms)
            record = await self._send(delivery, number, manual, duplicate=False)
            if decision.duplicate:
                copy = await self._send(delivery, number, manual, duplicate=True)
                with self._lock:
                    delivery.attempts.append(copy)
        self._record(delivery, record, manual)

    def _record(self, delivery: Delivery, record: Attempt, manual: bool) -> None:
        schedule = schedule_for(self._profile, delivery.form)
        with self._lock:
            delivery.attempts.append(record)
            ok = is_success(record.status_code)
            apply_outcome(delivery, ok=ok, manual=manual, at=record.at, schedule=schedule)

    async def _send(
        self, delivery: Delivery, number: int, manual: bool, duplicate: bool
    ) -> Attempt:
        at = self._clock.now()
        request_id = self._keyed.uuid("request", delivery.id, number, duplicate)
        request = build_request(
            delivery, request_id=request_id, at=at, secret=self._secret_for(delivery.seller_id)
        )
        first = not any(not a.duplicate for a in delivery.attempts)
        result = await self._transport.send(request, self._timeouts[0 if first else 1])
        error = result.error
        if error is None and not is_success(result.status_code):
            error = f"status {result.status_code} is not 200 or 201"
        return Attempt(
            at=at,
            status_code=result.status_code,
            latency_ms=result.latency_ms,
            error=error,
            request_id=request_id,
            manual=manual,
            duplicate=duplicate,
            response_excerpt=result.response_excerpt,
        )
