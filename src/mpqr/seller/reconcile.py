"""The reconciler: the contingency poll, so a sale is right even if every notification is lost.

Every sale that can still change has a row in ``reconcile_schedule``. When it is due, the sale is
searched by ``external_reference`` and the result applied (source ``reconcile``; any change it finds
counts as a correction, i.e. a missed notification). The schedule is adaptive: soon after creation,
backing off while pending, at expiry, and on until ``reconcile_after_expiry`` has passed so payments
after cancel or expiry are still caught. A pending sale past its expiry is marked expired.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from mpqr.seller.context import Context
from mpqr.seller.db.engine import Conn
from mpqr.seller.errors import SellerError
from mpqr.seller.sales import repository as repo
from mpqr.seller.sales.apply import Applied
from mpqr.seller.sales.rules import EventSource, SaleStatus, is_final
from mpqr.seller.sales.service import SalesService
from mpqr.seller.settings import Settings

__all__ = ["Reconciler", "next_check"]

log = logging.getLogger("mpqr.seller.reconcile")
_MIN_SLEEP = 0.01
# Sales checked at once. Each check is a search at Mercado Pago and a unit of work; more at once
# make a burst of due sales (say 200 created within a second, all due 2 s later) crowd out the
# requests on the event loop (create p99 150 ms with 8, 17-30 ms with 2, in the same bench run).
_IN_FLIGHT = 2


def next_check(
    status: SaleStatus, expires_at: datetime, checks: int, now: datetime, settings: Settings
) -> datetime | None:
    """When to look at a sale again after ``checks`` checks; None when it can no longer change."""
    if is_final(status):
        return None
    end = expires_at + timedelta(seconds=settings.reconcile_after_expiry)
    if now >= end:
        return None
    delay = min(settings.reconcile_first_after * 2**checks, settings.reconcile_max_interval)
    at = now + timedelta(seconds=delay)
    if status is SaleStatus.PENDING and now < expires_at < at:
        at = expires_at  # be there when it expires
    return min(at, end)


class Reconciler:
    """Checks due sales against Mercado Pago; ``run_once`` is what the loop and the tests call."""

    def __init__(self, ctx: Context, sales: SalesService) -> None:
        self.ctx = ctx
        self.sales = sales

    async def schedule_all_now(self) -> None:
        """At start-up: every sale that can still change is checked at once."""
        now = self.ctx.now()
        async with self.ctx.db.transaction() as conn:
            for sale_id in await repo.open_sale_ids(conn, now):
                await repo.schedule(conn, sale_id, now, 0)

    async def idle_seconds(self) -> float:
        """How long the loop may sleep: until the next check is due, at most ``poll_interval``
        (a sale found paid only by this job is found when its check is due, not up to one poll
        later)."""
        interval = self.ctx.settings.poll_interval
        due = await self.ctx.db.read_unit(repo.next_due)
        if due is None:
            return interval
        return min(interval, max(_MIN_SLEEP, (due - self.ctx.now()).total_seconds()))

    async def run_once(self, limit: int = 50) -> int:
        now = self.ctx.now()
        lease = timedelta(seconds=self.ctx.settings.lease_seconds)
        due = await self.ctx.db.unit(repo.claim_due, now, now + lease, limit)
        gate = asyncio.Semaphore(_IN_FLIGHT)

        async def check(sale_id: str, checks: int) -> None:
            async with gate:
                await self._check(sale_id, checks)

        await asyncio.gather(*(check(sale_id, checks) for sale_id, checks in due))
        return len(due)

    async def _check(self, sale_id: str, checks: int) -> None:
        """Search the sale at Mercado Pago and apply what it shows; the next check is scheduled
        in the same unit of work as that change. A pending sale past its expiry is expired."""
        row = await self.ctx.db.read_unit(repo.get_sale, sale_id=sale_id)
        if row is None:
            await self.ctx.db.unit(repo.unschedule, sale_id)
            return
        retry_at = self.ctx.now() + timedelta(seconds=5)
        if SaleStatus(row.status) is SaleStatus.OPENING:
            # recovery's to finish; look again once it has
            await self._reschedule(sale_id, retry_at, checks)
            return

        settings = self.ctx.settings

        async def reschedule(conn: Conn, applied: Applied | None) -> None:
            sale = row if applied is None else applied.state.row
            now = self.ctx.now()
            at = next_check(SaleStatus(sale.status), sale.expires_at, checks + 1, now, settings)
            if at is None:
                await repo.unschedule(conn, sale_id)
            else:
                await repo.schedule(conn, sale_id, at, checks + 1)

        try:
            found = await self.ctx.gateway.find(row.external_reference, row.mp_order_id)
            applied = await self.sales.apply(found, EventSource.RECONCILE, then=reschedule)
        except SellerError as exc:
            log.warning("reconcile of %s failed: %s", sale_id, exc)
            await self._reschedule(sale_id, retry_at, checks)
            return
        if applied is not None and applied.changed:
            self.ctx.metrics.reconcile_corrections.inc()
        status = SaleStatus(row.status) if applied is None else applied.new_status
        if status is SaleStatus.PENDING and self.ctx.now() >= row.expires_at:
            # rescheduled already: an expired sale is checked on, exactly as a pending one
            await self._expire(sale_id)

    async def _expire(self, sale_id: str) -> None:
        """Expire the pending sale past its expiry, unless a cancel or refund under way decides
        its end (:meth:`SalesService.expire` re-checks that it is still pending)."""
        if not (await self.sales.get(sale_id)).in_progress:
            await self.sales.expire(sale_id)

    async def _reschedule(self, sale_id: str, at: datetime | None, checks: int) -> None:
        if at is None:
            await self.ctx.db.unit(repo.unschedule, sale_id)
        else:
            await self.ctx.db.unit(repo.schedule, sale_id, at, checks)
