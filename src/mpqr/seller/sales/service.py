"""The sales service: read sales, and apply what Mercado Pago shows about them.

Writes that involve Mercado Pago are write-ahead (intent stored and committed, then the call, then
the outcome) and live in their own modules: :mod:`.opening` (create and its recovery),
:mod:`.cancelling` and :mod:`.refunding`. Payment truth comes only from Mercado Pago, through
:meth:`SalesService.apply`; money that no sale owns goes to the unmatched payments.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from mpqr.seller.context import Context
from mpqr.seller.db.engine import Conn
from mpqr.seller.errors import InvalidInput, NotFound, Reason, SellerError
from mpqr.seller.sales import repository as repo
from mpqr.seller.sales.apply import Applied, apply_evidence
from mpqr.seller.sales.cancelling import Canceller
from mpqr.seller.sales.opening import Opener
from mpqr.seller.sales.refunding import Refunder
from mpqr.seller.sales.rules import Alert, EventSource, Evidence, SaleStatus
from mpqr.seller.sales.schemas import EventOut, RefundIn, SaleCreate, SaleList, SaleOut
from mpqr.seller.sales.views import event_view, sale_view
from mpqr.seller.unmatched import repository as unmatched

__all__ = ["SalesService"]

log = logging.getLogger("mpqr.seller.sales")
# More work for the unit of work of an apply, given its outcome (None: no sale owns the facts).
Also = Callable[[Conn, Applied | None], Awaitable[None]]
_LATE = frozenset({Alert.PAID_AFTER_CANCEL, Alert.PAID_AFTER_EXPIRY})
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class SalesService:
    """Sales on cashboxes. Payment truth comes only from Mercado Pago (via :meth:`apply`)."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.opener = Opener(ctx, self)
        self.canceller = Canceller(ctx, self)
        self.refunder = Refunder(ctx, self)

    # --- reading

    async def get(self, sale_id: str) -> SaleOut:
        sale = await self.ctx.db.read_unit(_view_of, sale_id)
        if sale is None:
            raise NotFound(f"sale {sale_id!r} not found", reason=Reason.SALE_NOT_FOUND)
        return sale

    async def list_sales(
        self,
        status: SaleStatus | None,
        cashbox: str | None,
        limit: int,
        cursor: str | None,
        external_reference: str | None = None,
    ) -> SaleList:
        after = _decode_cursor(cursor) if cursor else None
        async with self.ctx.db.read() as conn:
            rows = await repo.list_sales(
                conn,
                status=status.value if status else None,
                cashbox=cashbox,
                limit=limit,
                after=after,
                external_reference=external_reference,
            )
            views = [await sale_view(conn, r) for r in rows]
        nxt = _encode_cursor(rows[-1].created_at, rows[-1].id) if len(rows) == limit else None
        return SaleList(sales=views, next_cursor=nxt)

    async def history(self, sale_id: str) -> list[EventOut]:
        await self.get(sale_id)
        async with self.ctx.db.read() as conn:
            return [event_view(r) for r in await repo.events(conn, sale_id)]

    # --- the write-ahead operations

    async def create(self, body: SaleCreate, key: str | None) -> SaleOut:
        return await self.opener.create(body, key)

    async def cancel(self, sale_id: str) -> SaleOut:
        return await self.canceller.cancel(sale_id)

    async def refund(self, sale_id: str, body: RefundIn, key: str | None) -> SaleOut:
        return await self.refunder.refund(sale_id, body, key)

    # --- applying Mercado Pago's facts

    async def apply(
        self, evidence: Evidence, source: EventSource, then: Also | None = None
    ) -> Applied | None:
        """Apply fetched facts in one unit of work, then tell live viewers. Payments whose
        reference owns no sale are kept as unmatched (None is returned). ``then`` runs in the
        same unit of work (the processor marks its inbox rows done with the change they
        brought)."""
        now = self.ctx.now()
        currency = await self.ctx.gateway.currency_id() if evidence.payments else ""
        applied, fresh = await self.ctx.db.unit(_apply, evidence, source, now, currency, then)
        for payment_id in fresh:
            self.ctx.metrics.unmatched.inc()
            log.warning(
                "unmatched payment: no sale owns its reference",
                extra={"payment_id": payment_id, "external_reference": evidence.external_reference},
            )
        if applied is not None and applied.changed:
            self._observe(applied, now)
            await self.ctx.broadcaster.publish(applied.sale_id)
            if (
                _LATE.intersection(applied.new_alerts)
                and self.ctx.settings.auto_refund_after_cancel
            ):
                await self._auto_refund(applied.sale_id)
        return applied

    async def _auto_refund(self, sale_id: str) -> None:
        """Give back a payment that arrived after cancel/expiry (the key makes retries safe)."""
        try:
            await self.refund(sale_id, RefundIn(), f"auto-refund-{sale_id}")
        except SellerError as exc:
            log.warning("auto-refund of %s failed: %s", sale_id, exc.message)

    def _observe(self, applied: Applied, now: datetime) -> None:
        for approved in applied.became_paid_after:
            self.ctx.metrics.payment_to_paid.observe(max((now - approved).total_seconds(), 0.0))

    async def refresh(self, sale_id: str, source: EventSource) -> Applied | None:
        """Search Mercado Pago by the sale's external reference and apply what it shows."""
        row = await self.ctx.db.read_unit(_sale_row, sale_id)
        if row is None:
            raise NotFound(f"sale {sale_id!r} not found", reason=Reason.SALE_NOT_FOUND)
        evidence = await self.ctx.gateway.find(row.external_reference, row.mp_order_id)
        return await self.apply(evidence, source)

    async def expire(self, sale_id: str) -> SaleOut:
        """A pending sale past its expiry: take its order off (best effort), mark it expired."""
        row = await self.ctx.db.read_unit(_sale_row, sale_id)
        if row is None or SaleStatus(row.status) is not SaleStatus.PENDING:
            return await self.get(sale_id)
        try:  # so that a late scan shows the waiting screen
            await self.ctx.gateway.delete_order(row.cashbox, row.mp_order_id)
        except SellerError as exc:
            log.info("could not delete expired order of %s: %s", sale_id, exc.message)
        now = self.ctx.now()
        async with self.ctx.db.transaction() as conn:
            if await repo.transition(
                conn, sale_id, SaleStatus.PENDING, SaleStatus.EXPIRED, updated_at=now
            ):
                await repo.add_status_event(
                    conn,
                    sale_id,
                    at=now,
                    source=EventSource.RECONCILE.value,
                    old=SaleStatus.PENDING,
                    new=SaleStatus.EXPIRED,
                )
        await self.ctx.broadcaster.publish(sale_id)
        return await self.get(sale_id)


async def _sale_row(conn: Conn, sale_id: str) -> Any:
    return await repo.get_sale(conn, sale_id=sale_id)


async def _view_of(conn: Conn, sale_id: str) -> SaleOut | None:
    row = await repo.get_sale(conn, sale_id=sale_id)
    return None if row is None else await sale_view(conn, row)


async def _apply(
    conn: Conn,
    evidence: Evidence,
    source: EventSource,
    now: datetime,
    currency: str,
    then: Also | None,
) -> tuple[Applied | None, list[str]]:
    """The unit of work of :meth:`SalesService.apply`: the sale's change, or the unmatched
    payments' ids first seen now."""
    applied = await apply_evidence(conn, evidence, source, now)
    fresh: list[str] = []
    if applied is None:
        fresh = await unmatched.record(conn, evidence, source.value, now, currency)
    if then is not None:
        await then(conn, applied)
    return applied, fresh


def _encode_cursor(at: datetime, sale_id: str) -> str:
    """``<microseconds since the epoch>.<sale id>``: safe in a URL as it is."""
    micros = (at - _EPOCH) // timedelta(microseconds=1)
    return f"{micros}.{sale_id}"


def _decode_cursor(cursor: str) -> tuple[datetime, str]:
    micros, sep, sale_id = cursor.partition(".")
    try:
        if not sep or not sale_id:
            raise ValueError(cursor)
        return _EPOCH + timedelta(microseconds=int(micros)), sale_id
    except ValueError:
        raise InvalidInput(
            "cursor", "not a cursor this server returned", reason=Reason.BAD_FORMAT
        ) from None
