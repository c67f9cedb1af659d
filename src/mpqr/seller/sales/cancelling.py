"""Cancelling a sale, write-ahead: store the intent, look for a payment, take the order off.

The cancel operation is committed (``open``) before any call. Then Mercado Pago is searched: a
payment that got there first wins (the cancel ends, the sale is paid). Otherwise the order is
taken off the cashbox and the sale becomes ``cancelled`` in the same transaction that closes the
operation. A crash or an unanswered call leaves the operation open; the recovery job drives it
again (taking off an order that is already gone counts as done).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from mpqr.seller.context import Context
from mpqr.seller.errors import Conflict, Reason, UpstreamError
from mpqr.seller.sales import operations_repository as ops
from mpqr.seller.sales import repository as repo
from mpqr.seller.sales.intents import not_done
from mpqr.seller.sales.rules import EventSource, SaleStatus
from mpqr.seller.sales.schemas import SaleOut

if TYPE_CHECKING:
    from mpqr.seller.sales.service import SalesService

__all__ = ["Canceller"]

log = logging.getLogger("mpqr.seller.sales")
_PAID = frozenset({SaleStatus.PAID, SaleStatus.PARTIALLY_REFUNDED, SaleStatus.REFUNDED})
_ENDED = frozenset({SaleStatus.CANCELLED, SaleStatus.EXPIRED, SaleStatus.FAILED})


class Canceller:
    def __init__(self, ctx: Context, sales: SalesService) -> None:
        self.ctx = ctx
        self.sales = sales

    async def cancel(self, sale_id: str) -> SaleOut:
        """Cancel a pending sale. A paid sale is refused (409); an ended one is returned as is; a
        sale still ``opening`` is finished by recovery if its create is over, else 409."""
        sale = await self.sales.get(sale_id)
        if sale.status is SaleStatus.OPENING:
            await self.sales.opener.recover(sale_id)
            sale = await self.sales.get(sale_id)
            if sale.status is SaleStatus.OPENING:
                raise Conflict(
                    f"sale {sale_id} is still being sent to the cashbox; try again in a moment",
                    reason=Reason.IN_PROGRESS,
                    sale_id=sale_id,
                )
        if sale.status in _PAID:
            raise Conflict(
                f"sale {sale_id} is {sale.status}: refund it instead",
                reason=Reason.SALE_ALREADY_PAID,
                sale_id=sale_id,
            )
        if sale.status in _ENDED:
            return sale
        op = await self._intent(sale_id)
        await self.drive(op)
        sale = await self.sales.get(sale_id)
        if sale.status in _PAID:
            raise Conflict(
                f"sale {sale_id} was paid meanwhile: refund it instead",
                reason=Reason.SALE_ALREADY_PAID,
                sale_id=sale_id,
            )
        return sale

    async def _intent(self, sale_id: str) -> ops.Operation:
        """The sale's open cancel operation, stored now unless one is under way already."""
        now = self.ctx.now()
        lease = now + timedelta(seconds=self.ctx.settings.lease_seconds)
        async with self.ctx.db.transaction() as conn:
            await repo.get_sale(conn, sale_id=sale_id, for_update=True)
            running = await ops.open_for_sale(conn, sale_id, ops.OpKind.CANCEL)
            if running:
                return running[0]
            op = await ops.insert(
                conn,
                self.ctx.ids.ulid("C"),
                ops.OpKind.CANCEL,
                sale_id=sale_id,
                payment_id=None,
                amount=None,
                now=now,
                lease_until=lease,
            )
            await repo.add_event(
                conn,
                sale_id,
                at=now,
                source=EventSource.API.value,
                kind="cancel_requested",
                detail={"operation": op.id},
            )
        return op

    async def drive(self, op: ops.Operation) -> None:
        """Carry out one stored cancel (from the request, or from recovery after a crash)."""
        assert op.sale_id is not None
        try:
            await self.sales.refresh(op.sale_id, EventSource.API)  # a payment may have won
        except UpstreamError as exc:
            await not_done(self.ctx, op, _as_unknown(exc))  # a failed search: try again later
            if exc.definite:
                raise
            return
        async with self.ctx.db.transaction() as conn:
            row = await repo.get_sale(conn, sale_id=op.sale_id)
        if row is None or SaleStatus(row.status) is not SaleStatus.PENDING:
            await self._close(op, ops.OpState.DONE, None)
            return
        try:
            await self.ctx.gateway.delete_order(row.cashbox, row.mp_order_id)
        except UpstreamError as exc:
            await not_done(self.ctx, op, exc)
            if exc.definite:
                raise
            return
        self.ctx.crash.hit("cancel.after_call")
        await self._cancelled(op)

    async def _cancelled(self, op: ops.Operation) -> None:
        assert op.sale_id is not None
        now = self.ctx.now()
        async with self.ctx.db.transaction() as conn:
            if await repo.transition(
                conn, op.sale_id, SaleStatus.PENDING, SaleStatus.CANCELLED, updated_at=now
            ):
                await repo.add_status_event(
                    conn,
                    op.sale_id,
                    at=now,
                    source=EventSource.API.value,
                    old=SaleStatus.PENDING,
                    new=SaleStatus.CANCELLED,
                    detail={"operation": op.id},
                )
            await ops.finish(conn, op.id, ops.OpState.DONE, now)
        await self.ctx.broadcaster.publish(op.sale_id)

    async def _close(self, op: ops.Operation, state: ops.OpState, error: str | None) -> None:
        async with self.ctx.db.transaction() as conn:
            await ops.finish(conn, op.id, state, self.ctx.now(), error)
        if op.sale_id is not None:
            await self.ctx.broadcaster.publish(op.sale_id)


def _as_unknown(exc: UpstreamError) -> UpstreamError:
    """The search before a cancel failing ends nothing: the cancel is tried again."""
    return UpstreamError(exc.status, exc.message, mp_status=exc.mp_status, mp_error=exc.mp_error)
