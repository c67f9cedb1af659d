"""The recovery job: finishes what a crash or an unanswered call left half-done.

Runs at start and every ``recovery_interval`` seconds (on every instance; leases keep two
instances off the same row). It takes over:

- ``opening`` sales whose create lease ran out (see :mod:`mpqr.seller.sales.opening`);
- ``open`` cancel and refund operations whose lease ran out: each is driven again with its own
  idempotency key, so a refund Mercado Pago already made is answered, not repeated.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from datetime import timedelta

from mpqr.seller.context import Context
from mpqr.seller.errors import SellerError
from mpqr.seller.sales import operations_repository as ops
from mpqr.seller.sales import repository as repo
from mpqr.seller.sales.service import SalesService
from mpqr.seller.unmatched.service import UnmatchedService

__all__ = ["Recovery"]

log = logging.getLogger("mpqr.seller.recovery")


class Recovery:
    def __init__(self, ctx: Context, sales: SalesService, unmatched: UnmatchedService) -> None:
        self.ctx = ctx
        self.sales = sales
        self.unmatched = unmatched

    async def run_once(self, limit: int = 20) -> int:
        now = self.ctx.now()
        until = now + timedelta(seconds=self.ctx.settings.lease_seconds)
        async with self.ctx.db.transaction() as conn:
            openings = await repo.claim_opening(conn, now, until, limit)
            due = await ops.claim_due(conn, now, until, limit)
        for sale_id in openings:
            recover = self.sales.opener.recover(sale_id, claimed=True)
            await self._guarded(f"create of {sale_id}", recover)
        for op in due:
            await self._guarded(f"{op.kind.value} {op.id}", self._drive(op))
        return len(openings) + len(due)

    async def _drive(self, op: ops.Operation) -> None:
        match op.kind:
            case ops.OpKind.CANCEL:
                await self.sales.canceller.drive(op)
            case ops.OpKind.REFUND:
                await self.sales.refunder.drive(op)
            case ops.OpKind.UNMATCHED_REFUND:
                await self.unmatched.drive(op)

    async def _guarded(self, what: str, work: Awaitable[None]) -> None:
        try:
            await work
        except SellerError as exc:  # the lease brings it back later
            log.warning("recovery of %s not finished: %s", what, exc.message)
            return
        self.ctx.metrics.recovered.inc()
