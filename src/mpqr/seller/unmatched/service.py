"""Unmatched payments: kept, alerted, listed, refundable; and the sweep that finds them.

A payment is unmatched when its ``external_reference`` (or its lack of one) owns no stored sale:
an order put on a cashbox by something other than this server, a sale deleted by hand, a bug.
Because every sale is stored before its order goes to Mercado Pago, a payment for an unknown
reference is never "a sale not stored yet". The processor and the reconciler record the ones they
meet; the sweep searches Mercado Pago every few minutes for the seller's recent in-person
payments, so one is found even when no notification reveals it.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from mpqr.seller.context import Context
from mpqr.seller.errors import Conflict, NotFound, Reason, UpstreamError
from mpqr.seller.sales import operations_repository as ops
from mpqr.seller.sales import repository as sales_repo
from mpqr.seller.sales.intents import not_done
from mpqr.seller.sales.rules import EventSource, Evidence
from mpqr.seller.sales.service import SalesService
from mpqr.seller.unmatched import repository as repo

__all__ = ["UnmatchedService"]

log = logging.getLogger("mpqr.seller.unmatched")


def view(row: Any) -> dict[str, Any]:
    return {
        "payment_id": row.payment_id,
        "merchant_order_id": row.merchant_order_id,
        "external_reference": row.external_reference,
        "amount": str(row.amount),
        "refunded_amount": str(row.refunded_amount),
        "currency_id": row.currency_id,
        "cashbox": row.cashbox,
        "status": row.status,
        "status_detail": row.status_detail,
        "source": row.source,
        "seen_at": row.seen_at.isoformat(),
    }


class UnmatchedService:
    def __init__(self, ctx: Context, sales: SalesService) -> None:
        self.ctx = ctx
        self.sales = sales

    async def list(self) -> list[dict[str, Any]]:
        async with self.ctx.db.transaction() as conn:
            return [view(r) for r in await repo.list_recent(conn)]

    async def needing_attention(self) -> int:
        """Unmatched payments whose money is still with the seller (the cashier UI's banner)."""
        return sum(
            1
            for p in await self.list()
            if p["status"] == "approved" and p["refunded_amount"] != p["amount"]
        )

    async def get(self, payment_id: str) -> dict[str, Any]:
        async with self.ctx.db.transaction() as conn:
            row = await repo.get(conn, payment_id)
            running = await ops.open_for_payment(conn, payment_id)
        if row is None:
            raise NotFound(f"no unmatched payment {payment_id!r}", reason=Reason.PAYMENT_NOT_FOUND)
        return {**view(row), "refund_in_progress": bool(running)}

    # --- refund, write-ahead like a sale's refund

    async def refund(self, payment_id: str) -> dict[str, Any]:
        """Give the whole payment back; asking again is harmless (one refund, same answer)."""
        op = await self._intent(payment_id)
        if op is not None:
            await self.drive(op)
        return await self.get(payment_id)

    async def _intent(self, payment_id: str) -> ops.Operation | None:
        now = self.ctx.now()
        async with self.ctx.db.transaction() as conn:
            row = await repo.get(conn, payment_id, for_update=True)
            if row is None:
                raise NotFound(
                    f"no unmatched payment {payment_id!r}", reason=Reason.PAYMENT_NOT_FOUND
                )
            running = await ops.open_for_payment(conn, payment_id)
            if running:
                return running[0]
            if row.refunded_amount >= row.amount or row.status == "refunded":
                return None  # done before: the same answer again
            if row.status != "approved":
                raise Conflict(
                    f"payment {payment_id} is {row.status}: there is no money to give back",
                    reason=Reason.NOTHING_TO_REFUND,
                )
            return await ops.insert(
                conn,
                self.ctx.ids.ulid("U"),
                ops.OpKind.UNMATCHED_REFUND,
                sale_id=None,
                payment_id=payment_id,
                amount=row.amount - row.refunded_amount,
                now=now,
                lease_until=now + timedelta(seconds=self.ctx.settings.lease_seconds),
            )

    async def drive(self, op: ops.Operation) -> None:
        assert op.payment_id is not None
        assert op.amount is not None
        try:
            await self.ctx.gateway.refund(op.payment_id, op.amount, op.mp_key, None)
        except UpstreamError as exc:
            await not_done(self.ctx, op, exc)
            if exc.definite:
                raise
            return
        self.ctx.crash.hit("unmatched_refund.after_call")
        now = self.ctx.now()
        async with self.ctx.db.transaction() as conn:
            row = await repo.get(conn, op.payment_id)
            await ops.finish(conn, op.id, ops.OpState.DONE, now)
            if row is not None:
                await repo.set_refunded(conn, op.payment_id, row.amount, now)
        log.warning("unmatched payment %s refunded", op.payment_id)

    # --- the sweep

    async def sweep(self) -> int:
        """Check the seller's recent in-person payments against the sales; returns how many
        payments were new to this server."""
        since = self.ctx.now() - timedelta(seconds=self.ctx.settings.sweep_window)
        found = await self.ctx.gateway.recent_payments(since)
        async with self.ctx.db.transaction() as conn:
            known = await repo.known_ids(conn, [p.id for p in found])
        new = [p for p in found if p.id not in known]
        for p in new:
            await self._check(p)
        return len(new)

    async def _check(self, payment: Any) -> None:
        reference = payment.external_reference
        sale = None
        if reference is not None:
            async with self.ctx.db.transaction() as conn:
                sale = await sales_repo.get_sale(conn, external_reference=reference)
        if sale is not None:  # the sale has not seen this payment yet: look at it in full
            await self.sales.refresh(sale.id, EventSource.RECONCILE)
            await self.sales.apply(Evidence(reference, (), (payment,)), EventSource.RECONCILE)
            return
        now = self.ctx.now()
        currency = await self.ctx.gateway.currency_id()
        evidence = Evidence(reference, (), (payment,))
        async with self.ctx.db.transaction() as conn:
            fresh = await repo.record(conn, evidence, "sweep", now, currency)
        for payment_id in fresh:
            self.ctx.metrics.unmatched.inc()
            log.warning(
                "unmatched payment found by the sweep",
                extra={"payment_id": payment_id, "external_reference": reference},
            )
