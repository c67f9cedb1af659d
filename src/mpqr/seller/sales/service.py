"""The sales service: create, cancel, refund and refresh sales.

Each method is a short sequence of units of work (``db.transaction()``, committed when the block
ends) around Mercado Pago calls, which never run while a sale is half-written: an order is put on
the cashbox before the sale is stored, so a Mercado Pago failure leaves nothing behind.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from mpqr.seller.cashboxes import repository as cash_repo
from mpqr.seller.context import Context
from mpqr.seller.errors import Conflict, InvalidInput, NotFound, SellerError
from mpqr.seller.gateway import ItemLine, OrderRequest
from mpqr.seller.sales import repository as repo
from mpqr.seller.sales.apply import Applied, apply_evidence
from mpqr.seller.sales.rules import ZERO, Alert, EventSource, Evidence, PaymentFact, SaleStatus
from mpqr.seller.sales.schemas import EventOut, RefundIn, SaleCreate, SaleList, SaleOut
from mpqr.seller.sales.views import event_view, sale_view
from mpqr.sites import AmountError, validate_amount

__all__ = ["SalesService"]

log = logging.getLogger("mpqr.seller.sales")
_LATE = frozenset({Alert.PAID_AFTER_CANCEL, Alert.PAID_AFTER_EXPIRY})
_DONE = frozenset({SaleStatus.PAID, SaleStatus.REFUNDED, SaleStatus.PARTIALLY_REFUNDED})


class SalesService:
    """Sales on cashboxes. Payment truth comes only from Mercado Pago (via :meth:`apply`)."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    # --- reading

    async def get(self, sale_id: str) -> SaleOut:
        async with self.ctx.db.transaction() as conn:
            row = await repo.get_sale(conn, sale_id=sale_id)
            if row is None:
                raise NotFound(f"sale {sale_id!r} not found")
            return await sale_view(conn, row)

    async def list_sales(
        self, status: SaleStatus | None, cashbox: str | None, limit: int, cursor: str | None
    ) -> SaleList:
        after = _decode_cursor(cursor) if cursor else None
        async with self.ctx.db.transaction() as conn:
            rows = await repo.list_sales(
                conn,
                status=status.value if status else None,
                cashbox=cashbox,
                limit=limit,
                after=after,
            )
            views = [await sale_view(conn, r) for r in rows]
        nxt = _encode_cursor(rows[-1].created_at, rows[-1].id) if len(rows) == limit else None
        return SaleList(sales=views, next_cursor=nxt)

    async def history(self, sale_id: str) -> list[EventOut]:
        await self.get(sale_id)
        async with self.ctx.db.transaction() as conn:
            return [event_view(r) for r in await repo.events(conn, sale_id)]

    # --- creating

    async def create(self, body: SaleCreate, key: str | None) -> SaleOut:
        currency = await self.ctx.gateway.currency_id()
        lines, total = _lines(body, currency)
        if key is None:
            return await self._create(body, lines, total, currency)
        existing = await self._claim("sales", key, body.model_dump_json())
        if existing is not None:
            return await self.get(existing["sale_id"])
        try:
            sale = await self._create(body, lines, total, currency)
        except BaseException:
            async with self.ctx.db.transaction() as conn:
                await repo.release_idempotency(conn, "sales", key)
            raise
        async with self.ctx.db.transaction() as conn:
            await repo.finish_idempotency(conn, "sales", key, {"sale_id": sale.id})
        return sale

    async def _claim(self, scope: str, key: str, payload: str) -> dict[str, Any] | None:
        """IETF idempotency: same key + same payload → earlier result; other payload → 422."""
        fingerprint = hashlib.sha256(payload.encode()).hexdigest()
        async with self.ctx.db.transaction() as conn:
            row = await repo.claim_idempotency(conn, scope, key, fingerprint, self.ctx.now())
        if row is None:
            return None
        if row.fingerprint != fingerprint:
            raise InvalidInput("Idempotency-Key", "this key was used with a different request")
        if row.result is None:
            raise Conflict("a request with this Idempotency-Key is still in progress")
        return dict(row.result)

    async def _create(
        self, body: SaleCreate, lines: tuple[ItemLine, ...], total: Decimal, currency: str
    ) -> SaleOut:
        name = f"cashbox:{body.cashbox.lower()}"
        async with self.ctx.cashbox_lock(body.cashbox), self.ctx.db.advisory_lock(name):
            return await self._create_locked(body, lines, total, currency)

    async def _create_locked(
        self, body: SaleCreate, lines: tuple[ItemLine, ...], total: Decimal, currency: str
    ) -> SaleOut:
        store = await self._check_cashbox(body)
        sale_id = self.ctx.ids.ulid("S")
        reference = body.external_reference or sale_id
        async with self.ctx.db.transaction() as conn:
            if await repo.get_sale(conn, external_reference=reference) is not None:
                raise Conflict(f"external_reference {reference!r} is already used by a sale")
        now = self.ctx.now()
        ttl = body.expires_in or self.ctx.settings.default_expires_in
        order = OrderRequest(
            external_reference=reference,
            items=lines,
            total_amount=total,
            expires_at=now + timedelta(seconds=ttl),
            ttl_seconds=ttl,
            notification_url=self.ctx.settings.notification_url,
            idempotency_key=f"sale-{sale_id}",
        )
        mp_order_id = await self.ctx.gateway.put_order(body.cashbox, store, order)
        async with self.ctx.db.transaction() as conn:
            await self._insert(conn, sale_id, body, order, currency, mp_order_id, now)
            view = await sale_view(conn, await repo.get_sale(conn, sale_id=sale_id))
        await self.ctx.broadcaster.publish(sale_id)
        return view

    async def _check_cashbox(self, body: SaleCreate) -> str:
        async with self.ctx.db.transaction() as conn:
            cashbox = await cash_repo.get_cashbox(conn, body.cashbox)
            if cashbox is None:
                raise NotFound(f"cashbox: no cashbox {body.cashbox!r}")
            pending = await repo.pending_for_cashbox(conn, body.cashbox)
        if pending is not None and not body.replace:
            raise Conflict(
                f"cashbox {body.cashbox!r} already has pending sale {pending.id}; "
                "cancel it or send replace: true"
            )
        if pending is not None:
            await self.cancel(pending.id)
        return str(cashbox.store_external_id)

    async def _insert(
        self,
        conn: Any,
        sale_id: str,
        body: SaleCreate,
        order: OrderRequest,
        currency: str,
        mp_order_id: str | None,
        now: datetime,
    ) -> None:
        values = {
            "id": sale_id,
            "external_reference": order.external_reference,
            "cashbox": body.cashbox,
            "status": SaleStatus.PENDING.value,
            "total_amount": order.total_amount,
            "currency_id": currency,
            "paid_amount": ZERO,
            "refunded_amount": ZERO,
            "alerts": [],
            "mp_order_id": mp_order_id,
            "integration": self.ctx.settings.integration.value,
            "created_at": now,
            "expires_at": order.expires_at,
            "updated_at": now,
        }
        items = [
            {
                "title": i.title,
                "unit_price": i.unit_price,
                "quantity": i.quantity,
                "description": i.description,
                "picture_url": i.picture_url,
                "sku": i.sku,
            }
            for i in order.items
        ]
        await repo.insert_sale(conn, values, items)
        detail = {"total_amount": str(order.total_amount), "mp_order_id": mp_order_id}
        await repo.add_event(
            conn, sale_id, at=now, source="api", kind="created", to_status="pending", detail=detail
        )
        first = now + timedelta(seconds=self.ctx.settings.reconcile_first_after)
        await repo.schedule(conn, sale_id, first, 0)

    # --- applying Mercado Pago's facts

    async def apply(self, evidence: Evidence, source: EventSource) -> Applied | None:
        """Apply fetched facts in one unit of work, then tell live viewers."""
        now = self.ctx.now()
        async with self.ctx.db.transaction() as conn:
            applied = await apply_evidence(conn, evidence, source, now)
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
            await self._refund(sale_id, None, f"auto-refund-{sale_id}")
        except SellerError as exc:
            log.warning("auto-refund of %s failed: %s", sale_id, exc)

    def _observe(self, applied: Applied, now: datetime) -> None:
        for approved in applied.became_paid_after:
            self.ctx.metrics.payment_to_paid.observe(max((now - approved).total_seconds(), 0.0))

    async def refresh(self, sale_id: str, source: EventSource) -> Applied | None:
        """Search Mercado Pago by the sale's external reference and apply what it shows."""
        async with self.ctx.db.transaction() as conn:
            row = await repo.get_sale(conn, sale_id=sale_id)
        if row is None:
            raise NotFound(f"sale {sale_id!r} not found")
        evidence = await self.ctx.gateway.find(row.external_reference, row.mp_order_id)
        return await self.apply(evidence, source)

    # --- cancelling

    async def cancel(self, sale_id: str) -> SaleOut:
        """Delete the order from the cashbox; a sale Mercado Pago shows as paid is not cancelled."""
        sale = await self.get(sale_id)
        if sale.status in _DONE:
            raise Conflict(f"sale {sale_id} is {sale.status}: refund it instead")
        if sale.status is not SaleStatus.PENDING:
            return sale
        await self.refresh(sale_id, EventSource.API)  # a payment may already be on its way
        sale = await self.get(sale_id)
        if sale.status in _DONE:
            raise Conflict(f"sale {sale_id} was paid meanwhile: refund it instead")
        await self.delete_order(sale_id)
        return await self.mark(sale_id, SaleStatus.CANCELLED, EventSource.API)

    async def delete_order(self, sale_id: str) -> None:
        """Take the sale's order off its cashbox at Mercado Pago."""
        async with self.ctx.db.transaction() as conn:
            row = await repo.get_sale(conn, sale_id=sale_id)
        if row is None:
            raise NotFound(f"sale {sale_id!r} not found")
        await self.ctx.gateway.delete_order(row.cashbox, row.mp_order_id)

    async def mark(self, sale_id: str, status: SaleStatus, source: EventSource) -> SaleOut:
        """Move a pending sale to cancelled or expired (no-op for any other status)."""
        now = self.ctx.now()
        async with self.ctx.db.transaction() as conn:
            row = await repo.get_sale(conn, sale_id=sale_id, for_update=True)
            if row is None:
                raise NotFound(f"sale {sale_id!r} not found")
            changed = row.status == SaleStatus.PENDING.value
            if changed:
                await repo.update_sale(conn, sale_id, status=status.value, updated_at=now)
                await repo.add_event(
                    conn,
                    sale_id,
                    at=now,
                    source=source.value,
                    kind="status",
                    from_status=row.status,
                    to_status=status.value,
                )
        if changed:
            await self.ctx.broadcaster.publish(sale_id)
        return await self.get(sale_id)

    # --- refunding

    async def refund(self, sale_id: str, body: RefundIn, key: str | None) -> SaleOut:
        if key is not None:
            done = await self._claim(f"refund:{sale_id}", key, body.model_dump_json())
            if done is not None:
                return await self.get(sale_id)
        try:
            sale = await self._refund(sale_id, body.amount, key or self.ctx.ids.hex(24))
        except BaseException:
            if key is not None:
                async with self.ctx.db.transaction() as conn:
                    await repo.release_idempotency(conn, f"refund:{sale_id}", key)
            raise
        if key is not None:
            async with self.ctx.db.transaction() as conn:
                await repo.finish_idempotency(conn, f"refund:{sale_id}", key, {"sale_id": sale_id})
        return sale

    async def _refund(self, sale_id: str, amount: Decimal | None, key: str) -> SaleOut:
        async with self.ctx.db.transaction() as conn:
            row = await repo.get_sale(conn, sale_id=sale_id)
            if row is None:
                raise NotFound(f"sale {sale_id!r} not found")
            pays, _ = await repo.facts(conn, sale_id)
        refundable = [p for p in pays.values() if p.status == "approved"]
        if SaleStatus(row.status) not in _DONE and not refundable:
            raise Conflict(f"sale {sale_id} is {row.status}: nothing to refund")
        plan = _allocate(refundable, _refund_amount(amount, refundable, row.currency_id))
        refunded = []
        for payment, part in plan:
            await self.ctx.gateway.refund(payment.id, part, f"{key}-{payment.id}", row.mp_order_id)
            refunded.append(_after_refund(payment, part))
        await self.apply(Evidence(row.external_reference, (), tuple(refunded)), EventSource.API)
        return await self.get(sale_id)


def _lines(body: SaleCreate, currency: str) -> tuple[tuple[ItemLine, ...], Decimal]:
    lines = []
    for i, item in enumerate(body.items):
        try:
            price = validate_amount(item.unit_price, currency)
        except AmountError as exc:
            raise InvalidInput(f"items[{i}].unit_price", str(exc)) from None
        lines.append(
            ItemLine(item.title, price, item.quantity, item.description, item.picture_url, item.sku)
        )
    total = sum((line.total for line in lines), ZERO)
    try:
        validate_amount(total, currency)
    except AmountError as exc:
        raise InvalidInput("items", f"total: {exc}") from None
    return tuple(lines), total


def _refund_amount(
    amount: Decimal | None, refundable: Sequence[PaymentFact], currency: str
) -> Decimal:
    remaining = sum((p.amount - p.refunded_amount for p in refundable), ZERO)
    if remaining <= ZERO:
        raise Conflict("nothing left to refund")
    if amount is None:
        return remaining
    try:
        validate_amount(amount, currency)
    except AmountError as exc:
        raise InvalidInput("amount", str(exc)) from None
    if amount > remaining:
        raise InvalidInput("amount", f"at most {remaining} can still be refunded")
    return amount


def _allocate(pays: Sequence[PaymentFact], amount: Decimal) -> list[tuple[PaymentFact, Decimal]]:
    plan = []
    for p in pays:
        part = min(p.amount - p.refunded_amount, amount)
        if part > ZERO:
            plan.append((p, part))
            amount -= part
    return plan


def _after_refund(p: PaymentFact, part: Decimal) -> PaymentFact:
    total = p.refunded_amount + part
    return PaymentFact(
        id=p.id,
        status="refunded" if total >= p.amount else p.status,
        amount=p.amount,
        status_detail="refunded" if total >= p.amount else p.status_detail,
        refunded_amount=total,
        merchant_order_id=p.merchant_order_id,
    )


def _encode_cursor(at: datetime, sale_id: str) -> str:
    return f"{at.isoformat()}|{sale_id}"


def _decode_cursor(cursor: str) -> tuple[datetime, str]:
    at, sep, sale_id = cursor.partition("|")
    try:
        if not sep:
            raise ValueError(cursor)
        return datetime.fromisoformat(at), sale_id
    except ValueError:
        raise InvalidInput("cursor", "not a cursor this server returned") from None
