"""Creating a sale, write-ahead: store the intent, commit, call Mercado Pago, record the outcome.

The invariant this module keeps: **Mercado Pago never holds an order on a cashbox whose
``external_reference`` no stored sale owns.**

1. The sale is committed as ``opening`` — with its idempotency key, and holding its cashbox: a
   unique index allows one ``opening``/``pending`` sale per cashbox, and ``external_reference`` is
   unique across all cashboxes — before any call to Mercado Pago.
2. The order goes on the cashbox (with an idempotency key, bounded by the sale's lease).
   Success → ``pending``. A definite refusal (Mercado Pago answered 4xx) → ``failed``, with its
   error in the history. An unknown outcome (timeout, 5xx, reset, a crash) leaves ``opening``.
3. Recovery takes over an ``opening`` sale once its lease has run out: it takes whatever order
   the attempt may have left off the cashbox (the cashbox is the sale's own, so this touches no
   other sale) and looks for money. A customer who paid makes the sale ``pending`` → ``paid``;
   otherwise it ends ``cancelled``. Taking the order off rather than adopting it was chosen
   because the cashier was told the create did not finish: an order appearing on the QR
   minutes later, unknown to the cashier, could be paid by the next customer in line.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import IntegrityError

from mpqr.seller import idempotency
from mpqr.seller.cashboxes import repository as cash_repo
from mpqr.seller.context import Context
from mpqr.seller.db.engine import Conn
from mpqr.seller.errors import Conflict, NotFound, Reason, UpstreamError
from mpqr.seller.gateway import ItemLine, OrderRequest
from mpqr.seller.sales import repository as repo
from mpqr.seller.sales.apply import apply_evidence
from mpqr.seller.sales.checks import lines_of
from mpqr.seller.sales.opening_units import (
    check_free,
    open_sale,
    order_request,
    sale_items_box,
)
from mpqr.seller.sales.rules import ZERO, EventSource, Evidence, SaleStatus
from mpqr.seller.sales.schemas import SaleCreate, SaleOut

if TYPE_CHECKING:
    from mpqr.seller.sales.service import SalesService

__all__ = ["Opener"]

log = logging.getLogger("mpqr.seller.sales")
_MARGIN = 2.0  # seconds between the end of a create's call and the end of its lease


@dataclass(frozen=True, slots=True)
class _Stored:
    sale_id: str
    replayed: bool
    values: dict[str, Any] | None = None  # the row stored now (None: a replayed request)


class Opener:
    """Creates sales and recovers the ones a crash or an unanswered call left ``opening``."""

    def __init__(self, ctx: Context, sales: SalesService) -> None:
        self.ctx = ctx
        self.sales = sales

    # --- create

    async def create(self, body: SaleCreate, key: str | None) -> SaleOut:
        """The new sale: ``pending`` (order on the cashbox), or ``opening`` when Mercado Pago's
        answer is unknown (recovery finishes it). A refusal raises :class:`UpstreamError`."""
        box = await self.ctx.db.read_unit(cash_repo.get_cashbox, body.cashbox)
        if box is None:
            raise NotFound(
                f"no cashbox {body.cashbox!r}", reason=Reason.CASHBOX_NOT_FOUND, field="cashbox"
            )
        currency = await self.ctx.gateway.currency_id()
        lines, total = lines_of(body, currency, self.ctx.settings.integration)
        if body.replace:
            await self._clear(box.external_id)
        stored = await self._store(body, box.external_id, lines, total, currency, key)
        if stored.replayed:
            return await self._replay(stored.sale_id)
        assert stored.values is not None
        order = order_request(stored.values, lines, self.ctx.settings.notification_url)
        return await self._put(stored.sale_id, order, box, stored.values["lease_until"])

    async def _clear(self, cashbox: str) -> None:
        """``replace: true``: end the cashbox's live sale first (cancel it, or recover it)."""
        async with self.ctx.db.transaction() as conn:
            live = await repo.live_for_cashbox(conn, cashbox)
        if live is not None:
            await self.sales.cancel(live.id)

    async def _store(
        self,
        body: SaleCreate,
        cashbox: str,
        lines: tuple[ItemLine, ...],
        total: Decimal,
        currency: str,
        key: str | None,
    ) -> _Stored:
        sale_id = self.ctx.ids.ulid("S")
        reference = body.external_reference or sale_id
        now = self.ctx.now()
        values = self._values(sale_id, reference, cashbox, body, total, currency, now)
        print_ = idempotency.fingerprint(body.model_dump_json())

        async def store(conn: Conn) -> _Stored:
            if key is not None:
                result = {"sale_id": sale_id}
                earlier = await idempotency.claim(conn, "sales", key, print_, result, now)
                if earlier is not None:
                    return _Stored(str(earlier["sale_id"]), True)
            await check_free(conn, cashbox, reference)
            await repo.insert_sale(conn, values, [asdict(line) for line in lines])
            await repo.add_event(
                conn,
                sale_id,
                at=now,
                source=EventSource.API.value,
                kind="created",
                to_status=SaleStatus.OPENING.value,
                detail={"total_amount": str(total), "external_reference": reference},
            )
            return _Stored(sale_id, False, values)

        try:
            return await self.ctx.db.unit(store)
        except IntegrityError:
            # another request took the cashbox or the reference between our check and insert
            async with self.ctx.db.transaction() as conn:
                await check_free(conn, cashbox, reference)
            raise Conflict("the cashbox or the reference was taken meanwhile") from None

    def _values(
        self,
        sale_id: str,
        reference: str,
        cashbox: str,
        body: SaleCreate,
        total: Decimal,
        currency: str,
        now: datetime,
    ) -> dict[str, Any]:
        ttl = body.expires_in or self.ctx.settings.default_expires_in
        return {
            "id": sale_id,
            "external_reference": reference,
            "cashbox": cashbox,
            "status": SaleStatus.OPENING.value,
            "total_amount": total,
            "currency_id": currency,
            "paid_amount": ZERO,
            "refunded_amount": ZERO,
            "alerts": [],
            "mp_order_id": None,
            "integration": self.ctx.settings.integration.value,
            "created_at": now,
            "expires_at": now + timedelta(seconds=ttl),
            "updated_at": now,
            "lease_until": now + timedelta(seconds=self.ctx.settings.lease_seconds),
            "notification_url": self.ctx.settings.notification_url,
        }

    async def _put(
        self, sale_id: str, order: OrderRequest, box: Any, lease_until: datetime
    ) -> SaleOut:
        """Put ``order`` on the cashbox of the row ``box``."""
        cashbox, store = box.external_id, box.store_external_id
        left = (lease_until - self.ctx.now()).total_seconds() - _MARGIN
        budget = max(0.1, min(self.ctx.settings.create_timeout, left))
        try:
            async with asyncio.timeout(budget):
                mp_order_id = await self.ctx.gateway.put_order(cashbox, store, order)
        except UpstreamError as exc:
            if not exc.definite:
                log.warning(
                    "create of %s: outcome unknown (%s); recovery will finish it",
                    sale_id,
                    exc.message,
                )
                return await self.sales.get(sale_id)
            await self._failed(sale_id, exc)
            exc.sale_id = sale_id
            raise
        except TimeoutError:
            log.warning(
                "create of %s: no answer in %.1f s; recovery will finish it", sale_id, budget
            )
            return await self.sales.get(sale_id)
        self.ctx.crash.hit("create.after_call")
        return await self._opened(sale_id, cashbox, mp_order_id, order.external_reference)

    async def _order_of(self, sale_id: str) -> tuple[OrderRequest, str, str, datetime]:
        row, items, box = await self.ctx.db.read_unit(sale_items_box, sale_id)
        if row is None:
            raise NotFound(f"sale {sale_id!r} not found", reason=Reason.SALE_NOT_FOUND)
        lines = tuple(
            ItemLine(i.title, i.unit_price, i.quantity, i.description, i.picture_url, i.sku)
            for i in items
        )
        order = order_request(row._asdict(), lines, self.ctx.settings.notification_url)
        store = str(box.store_external_id) if box is not None else ""
        return order, row.cashbox, store, row.lease_until or self.ctx.now()

    async def _opened(
        self, sale_id: str, cashbox: str, mp_order_id: str | None, reference: str
    ) -> SaleOut:
        """The sale ``pending`` with its order; its view is read in the same unit of work."""
        now = self.ctx.now()
        first = now + timedelta(seconds=self.ctx.settings.reconcile_first_after)
        opened = await self.ctx.db.unit(open_sale, sale_id, reference, mp_order_id, now, first)
        if opened is None:  # recovery ended this sale while our call ran: our order must not stay
            log.error("sale %s was ended while its create ran; taking its order off", sale_id)
            await self.ctx.gateway.delete_order(cashbox, mp_order_id)
        await self.ctx.broadcaster.publish(sale_id)
        return opened if opened is not None else await self.sales.get(sale_id)

    async def _failed(self, sale_id: str, exc: UpstreamError) -> None:
        now = self.ctx.now()
        detail = {"mp_status": exc.mp_status, "mp_error": exc.mp_error, "message": exc.message}
        async with self.ctx.db.transaction() as conn:
            if await repo.transition(
                conn,
                sale_id,
                SaleStatus.OPENING,
                SaleStatus.FAILED,
                lease_until=None,
                updated_at=now,
            ):
                await repo.add_status_event(
                    conn,
                    sale_id,
                    at=now,
                    source=EventSource.API.value,
                    old=SaleStatus.OPENING,
                    new=SaleStatus.FAILED,
                    detail=detail,
                )
        await self.ctx.broadcaster.publish(sale_id)

    async def _replay(self, sale_id: str) -> SaleOut:
        """The answer to a retried request: the sale its key points at, finished if a crash left
        it ``opening``; a failed create fails again the same way."""
        sale = await self.sales.get(sale_id)
        if sale.status is SaleStatus.OPENING:
            await self.recover(sale_id)
            sale = await self.sales.get(sale_id)
        if sale.status is SaleStatus.FAILED:
            raise await self._failure_of(sale_id)
        return sale

    async def _failure_of(self, sale_id: str) -> UpstreamError:
        async with self.ctx.db.transaction() as conn:
            events = await repo.events(conn, sale_id)
        detail: dict[str, Any] = next(
            (e.detail for e in reversed(events) if e.to_status == "failed"), {}
        )
        exc = UpstreamError(
            502,
            str(detail.get("message") or "Mercado Pago refused the order"),
            definite=True,
            mp_status=detail.get("mp_status"),
            mp_error=detail.get("mp_error"),
        )
        exc.sale_id = sale_id
        return exc

    # --- recovery

    async def recover(self, sale_id: str, *, claimed: bool = False) -> None:
        """Finish an ``opening`` sale whose lease ran out (``claimed``: the caller took the lease).

        A sale whose create is still within its lease is left alone: its request may still be
        waiting for Mercado Pago.
        """
        now = self.ctx.now()
        until = now + timedelta(seconds=self.ctx.settings.lease_seconds)
        if not claimed:
            async with self.ctx.db.transaction() as conn:
                if not await repo.take_lease(conn, sale_id, now, until):
                    return
        order, cashbox, store, _ = await self._order_of(sale_id)
        taken = await self.ctx.gateway.take_off(cashbox, store, order)
        self.ctx.crash.hit("recover.after_call")
        await self._recovered(sale_id, taken.mp_order_id, taken.evidence)

    async def _recovered(self, sale_id: str, mp_order_id: str | None, found: Evidence) -> None:
        now = self.ctx.now()
        paid = any(p.captured for p in found.payments)
        end = SaleStatus.PENDING if paid else SaleStatus.CANCELLED
        async with self.ctx.db.transaction() as conn:
            if not await repo.transition(
                conn,
                sale_id,
                SaleStatus.OPENING,
                end,
                mp_order_id=mp_order_id,
                lease_until=None,
                updated_at=now,
            ):
                return
            why = "a customer paid" if paid else "order taken off the cashbox"
            await repo.add_status_event(
                conn,
                sale_id,
                at=now,
                source=EventSource.RECONCILE.value,
                old=SaleStatus.OPENING,
                new=end,
                detail={"recovered": why, "mp_order_id": mp_order_id},
            )
            await apply_evidence(conn, found, EventSource.RECONCILE, now)
            await repo.schedule(conn, sale_id, now, 0)
        log.warning("recovered interrupted create of %s: %s", sale_id, end.value)
        await self.ctx.broadcaster.publish(sale_id)
