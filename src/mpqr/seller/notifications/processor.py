"""The processor: lease inbox rows, fetch the resource from Mercado Pago, apply, mark processed.

The notification body is never trusted: only the resource id is used, and the fetched merchant
order / payment / order is what gets applied. A row is marked processed only after the sale was
updated; failures are retried with exponential backoff on the injected clock. A resource Mercado
Pago answers 404 for (a forged or mistyped id) is settled after ``inbox_not_found_attempts``
tries, not fetched again and again. Money whose reference owns no sale becomes an unmatched
payment (every sale is stored before its order reaches Mercado Pago, so it is not "not stored
yet").

Rows announcing the same resource (Mercado Pago sends each change in several forms) are answered
by one fetch; different resources are fetched and applied concurrently (at most ``_IN_FLIGHT``),
each after the inbox writer has nothing waiting (acknowledgements go first). The failed fetches
of one run are recorded in one unit of work at its end (a crash before it leaves them leased:
they are fetched again when the lease ends, as after a crash in mid-fetch).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from mpqr.errors import NotificationError
from mpqr.notifications import ResourceRef, parse_notification, resource_to_fetch
from mpqr.seller.context import Context
from mpqr.seller.db.engine import Conn
from mpqr.seller.errors import SellerError, UpstreamError
from mpqr.seller.notifications import inbox
from mpqr.seller.notifications.writer import InboxWriter
from mpqr.seller.sales.rules import EventSource
from mpqr.seller.sales.service import SalesService

__all__ = ["Processor", "retry_delay"]

log = logging.getLogger("mpqr.seller.processor")
_IN_FLIGHT = 8  # resources fetched and applied at once


def retry_delay(attempts: int) -> float:
    """Seconds before attempt ``attempts + 1``: 1, 2, 4, ... capped at 5 minutes."""
    return float(min(2 ** max(attempts - 1, 0), 300))


class Processor:
    """Drains the inbox. ``run_once`` is what the background loop and the tests call."""

    def __init__(
        self, ctx: Context, sales: SalesService, writer: InboxWriter | None = None
    ) -> None:
        self.ctx = ctx
        self.sales = sales
        self.writer = writer  # its acks go first: Mercado Pago waits for them, nobody waits for us

    async def run_once(self, limit: int = 50) -> int:
        now = self.ctx.now()
        lease = timedelta(seconds=self.ctx.settings.lease_seconds)
        rows = await self.ctx.db.unit(inbox.claim, now, now + lease, limit)
        groups: dict[ResourceRef, list[Any]] = {}
        for row in rows:
            try:
                n = parse_notification("POST", row.query, row.headers, row.body)
                ref = resource_to_fetch(n)
            except NotificationError:
                await self._done(row)  # a topic with nothing to fetch for QR
                continue
            groups.setdefault(ref, []).append(row)
        gate = asyncio.Semaphore(_IN_FLIGHT)
        failed: list[_Failure] = []

        async def handle(ref: ResourceRef, same: list[Any]) -> None:
            async with gate:
                await self._acks_first()
                if (failure := await self._handle(ref, same)) is not None:
                    failed.append(failure)

        await asyncio.gather(*(handle(ref, same) for ref, same in groups.items()))
        if failed:  # one unit for every failed fetch of this run, not one each
            await self._acks_first()
            await self.ctx.db.unit(_retry_or_fail, failed, self.ctx.now())
            for failure in failed:  # logged once committed, outside the write lock
                ids = ", ".join(f"{r.id} (attempt {r.attempts + 1})" for r in failure.rows)
                log.warning("notification %s failed: %s", ids, failure.message)
        return len(rows)

    async def _handle(self, ref: ResourceRef, rows: list[Any]) -> _Failure | None:
        """One fetch for every row announcing ``ref``: the resource's newest state answers
        them all. A failure is returned, to be recorded with the run's others."""
        now = self.ctx.now()

        async def done(conn: Conn, _: object) -> None:  # in the apply's unit: both or neither
            await _mark_processed(conn, rows, now)
            self.ctx.crash.hit("apply.before_commit")

        try:
            evidence = await self.ctx.gateway.fetch(ref)
            self.ctx.crash.hit("apply.after_call")
            await self._acks_first()  # again: before our unit of work too
            await self.sales.apply(evidence, EventSource.NOTIFICATION, then=done)
        except SellerError as exc:
            return self._failure(rows, exc)
        self.ctx.metrics.processed.inc(len(rows))
        return None

    async def _acks_first(self) -> None:
        """Wait while the inbox writer has acknowledgements to store (Mercado Pago waits for
        those; nobody waits for us)."""
        if self.writer is not None:
            await self.writer.wait_idle()

    async def _done(self, *rows: Any) -> None:
        await self.ctx.db.unit(_mark_processed, rows, self.ctx.now())
        self.ctx.metrics.processed.inc(len(rows))

    def _failure(self, rows: list[Any], exc: SellerError) -> _Failure:
        self.ctx.metrics.failed.inc(len(rows))
        settings = self.ctx.settings
        missing = isinstance(exc, UpstreamError) and exc.mp_status == 404
        limit = settings.inbox_not_found_attempts if missing else settings.inbox_max_attempts
        return _Failure(rows, limit, f"{type(exc).__name__}: {exc.message}")


@dataclass(frozen=True, slots=True)
class _Failure:
    """Rows whose fetch failed: retried later, or given up after ``limit`` attempts."""

    rows: list[Any]
    limit: int
    message: str


async def _mark_processed(conn: Conn, rows: Sequence[Any], now: datetime) -> None:
    for row in rows:
        await inbox.mark_processed(conn, row.id, row.deliveries, now)


async def _retry_or_fail(conn: Conn, failed: Sequence[_Failure], now: datetime) -> None:
    """Every failed row of a run: due again after its backoff, or failed for good at its
    limit. One statement, whatever the number of rows."""
    rows = [
        inbox.Failed(
            row.id,
            row.attempts + 1,
            now + timedelta(seconds=retry_delay(row.attempts + 1)),
            failure.message,
            given_up=row.attempts + 1 >= failure.limit,
        )
        for failure in failed
        for row in failure.rows
    ]
    await inbox.record_failures(conn, rows)
