"""Refunds, write-ahead: one stored operation per payment touched, then the call, then the outcome.

Under the sale's row lock the refund is planned against what Mercado Pago showed plus our own
refunds done and under way, so two concurrent refunds can never give back more than was paid. Each
operation carries its own ``X-Idempotency-Key``; a crash or an unanswered call leaves it open and
the recovery job sends it again with the same key, which Mercado Pago answers with the first
refund instead of a second one. What our refunds gave back counts at once, even before Mercado
Pago's search shows it (the larger of the two is kept per payment).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from mpqr.seller import idempotency
from mpqr.seller.context import Context
from mpqr.seller.db.engine import Conn
from mpqr.seller.errors import Conflict, InvalidInput, NotFound, Reason, UpstreamError
from mpqr.seller.sales import operations_repository as ops
from mpqr.seller.sales import repository as repo
from mpqr.seller.sales.apply import apply_evidence
from mpqr.seller.sales.checks import check_amount
from mpqr.seller.sales.intents import not_done
from mpqr.seller.sales.rules import ZERO, EventSource, Evidence, PaymentFact
from mpqr.seller.sales.schemas import RefundIn, SaleOut
from mpqr.statuses import PaymentStatus

if TYPE_CHECKING:
    from mpqr.seller.sales.service import SalesService

__all__ = ["Refunder", "allocate", "refundable"]

log = logging.getLogger("mpqr.seller.sales")


class Refunder:
    def __init__(self, ctx: Context, sales: SalesService) -> None:
        self.ctx = ctx
        self.sales = sales

    async def refund(self, sale_id: str, body: RefundIn, key: str | None) -> SaleOut:
        """Give back ``body.amount`` (everything left when None). With a key, a retry resumes the
        same refund instead of starting another."""
        for op in await self._intents(sale_id, body, key):
            if op.state is ops.OpState.OPEN:
                await self.drive(op)
        return await self.sales.get(sale_id)

    async def _intents(self, sale_id: str, body: RefundIn, key: str | None) -> list[ops.Operation]:
        now = self.ctx.now()
        async with self.ctx.db.transaction() as conn:
            row = await repo.get_sale(conn, sale_id=sale_id, for_update=True)
            if row is None:
                raise NotFound(f"sale {sale_id!r} not found", reason=Reason.SALE_NOT_FOUND)
            if key is not None:
                scope, print_ = f"refund:{sale_id}", idempotency.fingerprint(body.model_dump_json())
                earlier = await idempotency.claim(conn, scope, key, print_, {"operations": []}, now)
                if earlier is not None:
                    return [await ops.get(conn, i) for i in earlier.get("operations", [])]
            plan = await self._plan(conn, sale_id, body.amount, row.currency_id)
            lease = now + timedelta(seconds=self.ctx.settings.lease_seconds)
            made = [
                await ops.insert(
                    conn,
                    self.ctx.ids.ulid("R"),
                    ops.OpKind.REFUND,
                    sale_id=sale_id,
                    payment_id=payment_id,
                    amount=part,
                    now=now,
                    lease_until=lease,
                )
                for payment_id, part in plan
            ]
            if key is not None:
                await idempotency.set_result(
                    conn, f"refund:{sale_id}", key, {"operations": [op.id for op in made]}
                )
            detail = {"operations": [op.id for op in made], "amount": str(sum(p for _, p in plan))}
            await repo.add_event(
                conn,
                sale_id,
                at=now,
                source=EventSource.API.value,
                kind="refund_requested",
                detail=detail,
            )
        return made

    async def _plan(
        self, conn: Conn, sale_id: str, amount: Decimal | None, currency: str
    ) -> list[tuple[str, Decimal]]:
        pays, _ = await repo.facts(conn, sale_id)
        done, running = await ops.refund_totals(conn, sale_id)
        left = refundable(pays.values(), done, running)
        remaining = sum(left.values(), ZERO)
        if remaining <= ZERO:
            if not any(p.captured for p in pays.values()):
                raise Conflict(
                    f"sale {sale_id} has no payment to refund",
                    reason=Reason.SALE_NOT_PAID,
                    sale_id=sale_id,
                )
            raise Conflict(
                "nothing left to refund", reason=Reason.NOTHING_TO_REFUND, sale_id=sale_id
            )
        if amount is None:
            return allocate(left, remaining)
        check_amount("amount", amount, currency)
        if amount > remaining:
            raise InvalidInput(
                "amount",
                f"at most {remaining} can still be refunded",
                reason=Reason.REFUND_TOO_LARGE,
            )
        return allocate(left, amount)

    async def drive(self, op: ops.Operation) -> None:
        """Send one stored refund (from the request, or from recovery after a crash)."""
        assert op.sale_id is not None
        assert op.payment_id is not None
        assert op.amount is not None
        async with self.ctx.db.transaction() as conn:
            row = await repo.get_sale(conn, sale_id=op.sale_id)
        if row is None:
            raise NotFound(f"sale {op.sale_id!r} not found", reason=Reason.SALE_NOT_FOUND)
        try:
            await self.ctx.gateway.refund(op.payment_id, op.amount, op.mp_key, row.mp_order_id)
        except UpstreamError as exc:
            await not_done(self.ctx, op, exc)
            if exc.definite:
                # a refusal (say, 409 "already refunded") may follow an earlier attempt whose
                # answer was lost (a timeout, a crash) and that did refund: MP's facts decide
                await self._refresh(op)
            await self.ctx.broadcaster.publish(op.sale_id)
            if exc.definite:
                raise
            return
        self.ctx.crash.hit("refund.after_call")
        now = self.ctx.now()
        async with self.ctx.db.transaction() as conn:
            await ops.finish(conn, op.id, ops.OpState.DONE, now)
            await apply_evidence(conn, Evidence(row.external_reference), EventSource.API, now)
        await self.ctx.broadcaster.publish(op.sale_id)
        await self._refresh(op)

    async def _refresh(self, op: ops.Operation) -> None:
        """Mercado Pago's own view of the payment, when it answers."""
        assert op.sale_id is not None
        try:
            await self.sales.refresh(op.sale_id, EventSource.API)
        except UpstreamError as exc:
            log.info("refresh after refund %s failed: %s", op.id, exc.message)


def refundable(
    pays: Iterable[PaymentFact],
    done: Mapping[str, Decimal],
    running: Mapping[str, Decimal],
) -> dict[str, Decimal]:
    """What can still be given back per approved payment, net of our refunds done and running."""
    left: dict[str, Decimal] = {}
    for p in pays:
        if p.status is not PaymentStatus.APPROVED:
            continue
        given = max(p.refunded, done.get(p.id, ZERO)) + running.get(p.id, ZERO)
        rest = p.amount - given
        if rest > ZERO:
            left[p.id] = rest
    return left


def allocate(left: Mapping[str, Decimal], amount: Decimal) -> list[tuple[str, Decimal]]:
    """Spread ``amount`` over the payments in order, each up to what it has left."""
    plan = []
    for payment_id, rest in left.items():
        part = min(rest, amount)
        if part > ZERO:
            plan.append((payment_id, part))
            amount -= part
    return plan
