"""One interface over Mercado Pago's three QR integrations, built on :class:`mpqr.AsyncClient`.

:class:`Gateway` is what the sales service, the processor and the reconciler call; it speaks in the
seller's terms (cashbox, sale, :class:`~mpqr.seller.sales.rules.Evidence`) and hides which API
family (``instore-v1``, ``instore-v2``, ``orders``) carries the order. Mercado Pago failures surface
as :class:`~mpqr.seller.errors.UpstreamError`: ``definite`` when Mercado Pago certainly did not act
(it answered 4xx, or the request was refused before sending), else the outcome is unknown and the
caller's stored intent stays open for recovery.

Every write is safe to repeat: orders go on a cashbox with an idempotency key, taking an order off
a cashbox that holds none counts as done, refunds carry the operation's idempotency key.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol, TypeVar

from mpqr.client import AsyncClient
from mpqr.client.models import PaymentSearch
from mpqr.errors import (
    APIConnectionError,
    APIStatusError,
    MPError,
    RateLimitError,
    ValidationError,
)
from mpqr.notifications import ResourceRef
from mpqr.seller.errors import UpstreamError
from mpqr.seller.mpmap import (
    ItemLine,
    OrderRequest,
    PosInfo,
    currency_of,
    is_in_person,
    merge_evidence,
    mo_evidence,
    order_evidence,
    orders_body,
    payment_fact,
    v1_body,
    v2_body,
)
from mpqr.seller.sales.rules import Evidence, OrderState, PaymentFact
from mpqr.seller.settings import Integration

__all__ = ["Gateway", "ItemLine", "MPGateway", "OrderRequest", "PosInfo", "TakenOff"]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class TakenOff:
    """What recovery learnt while taking an interrupted create's order off its cashbox."""

    mp_order_id: str | None
    evidence: Evidence


class Gateway(Protocol):
    """What the seller needs from Mercado Pago (tests substitute their own implementation)."""

    async def currency_id(self) -> str: ...
    async def put_order(self, cashbox: str, store: str, order: OrderRequest) -> str | None: ...
    async def delete_order(self, cashbox: str, mp_order_id: str | None) -> None: ...
    async def take_off(self, cashbox: str, store: str, order: OrderRequest) -> TakenOff: ...
    async def find(self, external_reference: str, mp_order_id: str | None) -> Evidence: ...
    async def fetch(self, ref: ResourceRef) -> Evidence: ...
    async def refund(
        self, payment_id: str, amount: Decimal, key: str, mp_order_id: str | None
    ) -> None: ...
    async def create_store(self, external_id: str, name: str, location: dict[str, Any]) -> str: ...
    async def create_pos(
        self, external_id: str, name: str, store_external_id: str, mp_store_id: str | None
    ) -> PosInfo: ...
    async def list_pos(self) -> list[PosInfo]: ...
    async def recent_payments(self, since: datetime) -> list[PaymentFact]: ...


async def upstream(call: Callable[[], Awaitable[T]]) -> T:
    """Run one Mercado Pago call; its failure becomes an :class:`UpstreamError`.

    4xx answers, 429 included, and the client's own validation are definite (nothing happened);
    5xx answers, timeouts and broken connections are not (the call may have taken effect).
    """
    try:
        return await call()
    except RateLimitError as exc:
        raise UpstreamError(
            503, "Mercado Pago is rate limiting", definite=True, mp_status=429, mp_error=exc.error
        ) from exc
    except APIConnectionError as exc:
        raise UpstreamError(503, f"Mercado Pago unavailable: {type(exc).__name__}") from exc
    except APIStatusError as exc:
        raise UpstreamError(
            502 if exc.status < 500 else 503,
            f"Mercado Pago answered {exc.status}: {exc.error}: {exc.message}"[:500],
            definite=exc.status < 500,
            mp_status=exc.status,
            mp_error=exc.error,
        ) from exc
    except ValidationError as exc:
        raise UpstreamError(502, f"refused before sending: {exc}", definite=True) from exc
    except MPError as exc:
        raise UpstreamError(502, f"Mercado Pago call failed: {type(exc).__name__}") from exc


async def tolerate_missing(call: Callable[[], Awaitable[object]]) -> None:
    """Run a delete or cancel; "there was nothing to take off" counts as done."""
    try:
        await upstream(call)
    except UpstreamError as exc:
        if exc.mp_status not in {400, 404, 409}:
            raise


class MPGateway:
    """:class:`Gateway` over an :class:`~mpqr.AsyncClient` and one chosen integration."""

    def __init__(self, client: AsyncClient, integration: Integration) -> None:
        self._mp = client
        self.integration = integration
        self._me: tuple[int, str] | None = None

    async def _user(self) -> tuple[int, str]:
        if self._me is None:
            me = await upstream(self._mp.users.me)
            self._me = (int(me.id), currency_of(me.site_id))
        return self._me

    async def currency_id(self) -> str:
        return (await self._user())[1]

    async def put_order(self, cashbox: str, store: str, order: OrderRequest) -> str | None:
        user_id, currency = await self._user()
        match self.integration:
            case Integration.INSTORE_V1:
                body = v1_body(order, currency)
                resp = await upstream(
                    lambda: self._mp.qr_orders.create_v1(
                        user_id,
                        cashbox,
                        body,
                        order.ttl_seconds,
                        idempotency_key=order.idempotency_key,
                    )
                )
                return resp.id
            case Integration.INSTORE_V2:
                v2 = v2_body(order)
                await upstream(lambda: self._mp.qr_orders.put(user_id, cashbox, v2, store))
                return None
            case Integration.ORDERS:
                created = await upstream(
                    lambda: self._mp.orders.create(
                        orders_body(cashbox, order), idempotency_key=order.idempotency_key
                    )
                )
                return created.id

    async def delete_order(self, cashbox: str, mp_order_id: str | None) -> None:
        """Take the order off the cashbox; nothing there (any more) counts as done."""
        user_id, _ = await self._user()
        match self.integration:
            case Integration.INSTORE_V1:
                await tolerate_missing(lambda: self._mp.qr_orders.delete_v1(user_id, cashbox))
            case Integration.INSTORE_V2:
                await self._delete_v2(user_id, cashbox)
            case Integration.ORDERS:
                if mp_order_id is not None:
                    await tolerate_missing(lambda: self._mp.orders.cancel(mp_order_id))

    async def _delete_v2(self, user_id: int, cashbox: str) -> None:
        """v2 DELETE answers 500 when the cashbox holds no order: a GET tells which it was."""
        try:
            await tolerate_missing(lambda: self._mp.qr_orders.delete(user_id, cashbox))
        except UpstreamError as exc:
            if exc.mp_status != 500:
                raise
            try:
                await upstream(lambda: self._mp.qr_orders.get(user_id, cashbox))
            except UpstreamError as missing:
                if missing.mp_status == 404:
                    return
            raise

    async def take_off(self, cashbox: str, store: str, order: OrderRequest) -> TakenOff:
        """Make sure an interrupted create leaves nothing on the cashbox, and say what Mercado Pago
        shows for its reference (a customer may have paid in between)."""
        if self.integration is not Integration.ORDERS:
            await self.delete_order(cashbox, None)
            return TakenOff(None, await self.find(order.external_reference, None))
        # the same idempotency key gives back the order the first attempt created, if any
        created = await upstream(
            lambda: self._mp.orders.create(
                orders_body(cashbox, order), idempotency_key=order.idempotency_key
            )
        )
        if order_evidence(created).orders[0].state is OrderState.OPEN:
            await self.delete_order(cashbox, created.id)
        return TakenOff(created.id, await self.find(order.external_reference, created.id))

    async def find(self, external_reference: str, mp_order_id: str | None) -> Evidence:
        """Everything Mercado Pago holds for one sale (the reconciler's contingency search)."""
        if self.integration is Integration.ORDERS:
            if mp_order_id is not None:
                return order_evidence(await upstream(lambda: self._mp.orders.get(mp_order_id)))
            return await self._find_orders(external_reference)
        search = await upstream(
            lambda: self._mp.merchant_orders.search(external_reference=external_reference)
        )
        return merge_evidence(external_reference, [mo_evidence(mo) for mo in search.elements])

    async def _find_orders(self, external_reference: str) -> Evidence:
        found = await upstream(
            lambda: self._mp.payments.search(external_reference=external_reference)
        )
        pays = tuple(payment_fact(p) for p in found.results)
        return Evidence(external_reference, (), pays)

    async def fetch(self, ref: ResourceRef) -> Evidence:
        match ref.kind:
            case "merchant_order":
                return mo_evidence(await upstream(lambda: self._mp.merchant_orders.get(ref.id)))
            case "order":
                return order_evidence(await upstream(lambda: self._mp.orders.get(ref.id)))
            case "payment":
                return await self._payment_evidence(ref.id)

    async def _payment_evidence(self, payment_id: str) -> Evidence:
        payment = await upstream(lambda: self._mp.payments.get(payment_id))
        order = payment.order
        if order is not None and order.id and order.type == "mercadopago":
            mo_id = order.id
            return mo_evidence(await upstream(lambda: self._mp.merchant_orders.get(mo_id)))
        if payment.external_reference:
            return await self.find(payment.external_reference, None)
        return Evidence(None, (), (payment_fact(payment),) if is_in_person(payment) else ())

    async def refund(
        self, payment_id: str, amount: Decimal, key: str, mp_order_id: str | None
    ) -> None:
        if self.integration is Integration.ORDERS and mp_order_id is not None:
            await self._refund_order(mp_order_id, payment_id, amount, key)
            return
        await upstream(lambda: self._mp.payments.refund(payment_id, amount, idempotency_key=key))

    async def _refund_order(
        self, order_id: str, payment_id: str, amount: Decimal, key: str
    ) -> None:
        """Orders API refunds name the order's own transaction id (``PAY01...``), not ours."""
        order = await upstream(lambda: self._mp.orders.get(order_id))
        tx = next(
            (p.id for p in order.transactions.payments if payment_id in {p.id, p.reference_id}),
            None,
        )
        await upstream(
            lambda: self._mp.orders.refund(
                order_id, amount=amount, transaction_id=tx, idempotency_key=key
            )
        )

    async def create_store(self, external_id: str, name: str, location: dict[str, Any]) -> str:
        user_id, _ = await self._user()
        body = {"name": name, "external_id": external_id, "location": location}
        store = await upstream(lambda: self._mp.stores.create(user_id, body))
        return str(store.id)

    async def create_pos(
        self, external_id: str, name: str, store_external_id: str, mp_store_id: str | None
    ) -> PosInfo:
        body: dict[str, Any] = {
            "name": name,
            "fixed_amount": True,
            "external_store_id": store_external_id,
            "external_id": external_id,
            "category": 621102,
        }
        if mp_store_id is not None:
            body["store_id"] = mp_store_id
        pos = await upstream(lambda: self._mp.pos.create(body))
        full = await upstream(lambda: self._mp.pos.get(pos.id))
        return PosInfo(str(pos.id), external_id, name, store_external_id, full.qr_code)

    async def recent_payments(self, since: datetime) -> list[PaymentFact]:
        """In-person payments of this seller created since ``since``, newest first (the sweep)."""
        found: list[PaymentFact] = []
        begin = since.isoformat(timespec="milliseconds")
        for offset in range(0, 1000, 100):

            async def page_at(off: int = offset) -> PaymentSearch:
                return await self._mp.payments.search(
                    sort="date_created",
                    criteria="desc",
                    range="date_created",
                    begin_date=begin,
                    end_date="NOW",
                    limit=100,
                    offset=off,
                )

            page = await upstream(page_at)
            found.extend(payment_fact(p) for p in page.results if is_in_person(p))
            if len(page.results) < 100:
                break
        return found

    async def list_pos(self) -> list[PosInfo]:
        found = await upstream(lambda: self._mp.pos.search(limit=100))
        return [
            PosInfo(
                str(p.id), p.external_id or str(p.id), p.name or "", p.external_store_id, p.qr_code
            )
            for p in found.results
        ]
