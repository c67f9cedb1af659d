"""What happens to a stored operation when its Mercado Pago call fails.

A definite refusal (Mercado Pago answered 4xx) ends it ``failed`` with the reason; an unknown
outcome keeps it ``open`` and pushes its lease out, so the recovery job sends it again (with the
same idempotency key) once the lease has run out.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from mpqr.seller.context import Context
from mpqr.seller.errors import UpstreamError
from mpqr.seller.sales import operations_repository as ops

__all__ = ["not_done"]

log = logging.getLogger("mpqr.seller.sales")


async def not_done(ctx: Context, op: ops.Operation, exc: UpstreamError) -> None:
    now = ctx.now()
    async with ctx.db.transaction() as conn:
        if exc.definite:
            await ops.finish(conn, op.id, ops.OpState.FAILED, now, exc.message)
        else:
            at = now + timedelta(seconds=ctx.settings.lease_seconds)
            await ops.retry_later(conn, op.id, op.attempts + 1, at, exc.message)
    verdict = "refused" if exc.definite else "no answer, will retry"
    log.warning("%s %s: %s (%s)", op.kind.value, op.id, verdict, exc.message)
