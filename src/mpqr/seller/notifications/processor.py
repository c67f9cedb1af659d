"""The processor: lease inbox rows, fetch the resource from Mercado Pago, apply, mark processed.

The notification body is never trusted: only the resource id is used, and the fetched merchant
order / payment / order is what gets applied. A row is marked processed only after the sale was
updated; failures are retried with exponential backoff on the injected clock.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from mpqr.errors import NotificationError
from mpqr.notifications import parse_notification, resource_to_fetch
from mpqr.seller.context import Context
from mpqr.seller.errors import SellerError
from mpqr.seller.notifications import inbox
from mpqr.seller.sales.rules import EventSource
from mpqr.seller.sales.service import SalesService

__all__ = ["Processor", "retry_delay"]

log = logging.getLogger("mpqr.seller.processor")
LEASE = timedelta(seconds=60)
UNKNOWN_SALE_ATTEMPTS = 6  # the sale may not be stored yet (notification raced the create)


def retry_delay(attempts: int) -> float:
    """Seconds before attempt ``attempts + 1``: 1, 2, 4, ... capped at 5 minutes."""
    return float(min(2 ** max(attempts - 1, 0), 300))


class _UnknownSale(Exception):
    pass


class Processor:
    """Drains the inbox. ``run_once`` is what the background loop and the tests call."""

    def __init__(self, ctx: Context, sales: SalesService) -> None:
        self.ctx = ctx
        self.sales = sales

    async def run_once(self, limit: int = 50) -> int:
        now = self.ctx.now()
        async with self.ctx.db.transaction() as conn:
            rows = await inbox.claim(conn, now, now + LEASE, limit)
        for row in rows:
            await self._handle(row)
        return len(rows)

    async def _handle(self, row: Any) -> None:
        try:
            n = parse_notification("POST", row.query, row.headers, row.body)
            ref = resource_to_fetch(n)
        except NotificationError:
            await self._done(row)  # a topic with nothing to fetch for QR
            return
        try:
            evidence = await self.ctx.gateway.fetch(ref)
            applied = await self.sales.apply(evidence, EventSource.NOTIFICATION)
            if applied is None and evidence.external_reference is not None:
                raise _UnknownSale(f"no sale with external_reference {evidence.external_reference}")
        except (SellerError, _UnknownSale) as exc:
            await self._failed(row, exc)
            return
        await self._done(row)

    async def _done(self, row: Any) -> None:
        async with self.ctx.db.transaction() as conn:
            await inbox.mark_processed(conn, row.id, row.deliveries, self.ctx.now())
        self.ctx.metrics.processed.inc()

    async def _failed(self, row: Any, exc: Exception) -> None:
        self.ctx.metrics.failed.inc()
        attempts = row.attempts + 1
        limit = UNKNOWN_SALE_ATTEMPTS if isinstance(exc, _UnknownSale) else None
        give_up = attempts >= (limit or self.ctx.settings.inbox_max_attempts)
        message = f"{type(exc).__name__}: {exc}"
        log.warning("notification %s attempt %d failed: %s", row.id, attempts, message)
        async with self.ctx.db.transaction() as conn:
            if give_up:
                await inbox.mark_failed(conn, row.id, attempts, message)
            else:
                at = self.ctx.now() + timedelta(seconds=retry_delay(attempts))
                await inbox.retry_later(conn, row.id, attempts, at, message)
