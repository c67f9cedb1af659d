# The source of _sync_resources.py: scripts/unasync.py writes that sync twin from this file.
# Edit here, then run `python scripts/unasync.py` (make lint fails while the twin is stale).
"""The resources of :class:`mpqr.AsyncClient`: each method builds a pure ``Call`` and sends it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any, Unpack

from mpqr.client.models import (
    DynamicQr,
    InstoreOrderV1Response,
    InstoreOrderV2,
    MerchantOrder,
    MerchantOrderSearch,
    Order,
    Payment,
    PaymentSearch,
    Pos,
    PosSearch,
    Refund,
    Store,
    StoreDeleted,
    StoreSearch,
    TestUser,
    User,
)
from mpqr.client.resources import merchant_orders, orders, payments, pos, qr_orders, stores, users
from mpqr.client.resources._parse import Body, Id
from mpqr.client.resources.merchant_orders import MerchantOrderFilters

if TYPE_CHECKING:
    from mpqr.client.aio import AsyncClient

__all__ = [
    "MerchantOrders",
    "Orders",
    "Payments",
    "PointsOfSale",
    "QrOrders",
    "Stores",
    "TestUsers",
    "Users",
]


class _Resource:
    __slots__ = ("_client",)

    def __init__(self, client: AsyncClient) -> None:
        self._client = client

    @property
    def _currency(self) -> str | None:
        return self._client._config.currency_id


class Users(_Resource):
    """``client.users``: the account behind the token."""

    async def me(self) -> User:
        return await self._client._send(users.me())


class TestUsers(_Resource):
    """``client.test_users``: create test accounts (needs a production token)."""

    __test__ = False

    async def create(self, site_id: str, *, idempotency_key: str | None = None) -> TestUser:
        call = users.create_test_user(site_id, idempotency_key=idempotency_key)
        return await self._client._send(call)


class Stores(_Resource):
    """``client.stores``: create, get, update, delete and search stores ."""

    async def create(self, user_id: Id, body: Body, *, idempotency_key: str | None = None) -> Store:
        call = stores.create(user_id, body, idempotency_key=idempotency_key)
        return await self._client._send(call)

    async def get(self, store_id: Id) -> Store:
        return await self._client._send(stores.get(store_id))

    async def update(self, user_id: Id, store_id: Id, body: Body) -> Store:
        return await self._client._send(stores.update(user_id, store_id, body))

    async def delete(self, user_id: Id, store_id: Id) -> StoreDeleted:
        return await self._client._send(stores.delete(user_id, store_id))

    async def search(
        self,
        user_id: Id,
        *,
        external_id: str | None = None,
        limit: int | None = None,
        offset: int | None = None,
    ) -> StoreSearch:
        call = stores.search(user_id, external_id=external_id, limit=limit, offset=offset)
        return await self._client._send(call)


class PointsOfSale(_Resource):
    """``client.pos``: create, get, update, delete and search points of sale."""

    async def create(self, body: Body, *, idempotency_key: str | None = None) -> Pos:
        return await self._client._send(pos.create(body, idempotency_key=idempotency_key))

    async def get(self, pos_id: Id) -> Pos:
        return await self._client._send(pos.get(pos_id))

    async def update(self, pos_id: Id, body: Body) -> Pos:
        return await self._client._send(pos.update(pos_id, body))

    async def delete(self, pos_id: Id) -> None:
        return await self._client._send(pos.delete(pos_id))

    async def search(
        self,
        *,
        external_id: str | None = None,
        external_store_id: str | None = None,
        store_id: Id | None = None,
        category: int | None = None,
        limit: int | None = None,
        offset: int | None = None,
    ) -> PosSearch:
        call = pos.search(
            external_id=external_id,
            external_store_id=external_store_id,
            store_id=store_id,
            category=category,
            limit=limit,
            offset=offset,
        )
        return await self._client._send(call)


class QrOrders(_Resource):
    """``client.qr_orders``: attended orders on a POS — legacy v1, v2, dynamic and hybrid QR."""

    async def create_v1(
        self,
        user_id: Id,
        external_pos_id: Id,
        order: Body,
        ttl_seconds: int | None = None,
        *,
        idempotency_key: str | None = None,
    ) -> InstoreOrderV1Response:
        call = qr_orders.create_v1(
            user_id,
            external_pos_id,
            order,
            ttl_seconds,
            site_currency=self._currency,
            idempotency_key=idempotency_key,
        )
        return await self._client._send(call)

    async def delete_v1(self, user_id: Id, external_pos_id: Id) -> None:
        return await self._client._send(qr_orders.delete_v1(user_id, external_pos_id))

    async def put(
        self, user_id: Id, external_pos_id: Id, order: Body, external_store_id: Id | None = None
    ) -> None:
        call = qr_orders.put(
            user_id, external_pos_id, order, external_store_id, site_currency=self._currency
        )
        return await self._client._send(call)

    async def get(self, user_id: Id, external_pos_id: Id) -> list[InstoreOrderV2]:
        return await self._client._send(qr_orders.get(user_id, external_pos_id))

    async def delete(self, user_id: Id, external_pos_id: Id) -> None:
        return await self._client._send(qr_orders.delete(user_id, external_pos_id))

    async def create_dynamic(
        self, user_id: Id, external_pos_id: Id, order: Body, *, idempotency_key: str | None = None
    ) -> DynamicQr:
        call = qr_orders.create_dynamic(
            user_id,
            external_pos_id,
            order,
            site_currency=self._currency,
            idempotency_key=idempotency_key,
        )
        return await self._client._send(call)

    async def put_hybrid(self, user_id: Id, external_pos_id: Id, order: Body) -> DynamicQr | None:
        call = qr_orders.put_hybrid(user_id, external_pos_id, order, site_currency=self._currency)
        return await self._client._send(call)


class Orders(_Resource):
    """``client.orders``: the Orders API for QR (``/v1/orders``)."""

    async def create(self, order: Body, *, idempotency_key: str | None = None) -> Order:
        call = orders.create(order, site_currency=self._currency, idempotency_key=idempotency_key)
        return await self._client._send(call)

    async def get(self, order_id: str) -> Order:
        return await self._client._send(orders.get(order_id))

    async def cancel(self, order_id: str, *, idempotency_key: str | None = None) -> Order:
        return await self._client._send(orders.cancel(order_id, idempotency_key=idempotency_key))

    async def refund(
        self,
        order_id: str,
        *,
        amount: Any = None,
        transaction_id: str | None = None,
        idempotency_key: str | None = None,
    ) -> Order:
        call = orders.refund(
            order_id,
            amount=amount,
            transaction_id=transaction_id,
            site_currency=self._currency,
            idempotency_key=idempotency_key,
        )
        return await self._client._send(call)


class MerchantOrders(_Resource):
    """``client.merchant_orders``: get, search and iterate merchant orders ."""

    async def get(self, merchant_order_id: Id) -> MerchantOrder:
        return await self._client._send(merchant_orders.get(merchant_order_id))

    async def search(self, **filters: Unpack[MerchantOrderFilters]) -> MerchantOrderSearch:
        return await self._client._send(merchant_orders.search(**filters))

    async def iter_all(
        self,
        **filters: Unpack[MerchantOrderFilters],
    ) -> AsyncIterator[MerchantOrder]:
        """Every merchant order matching ``filters``, page after page."""
        offset: int | None = filters.pop("offset", None) or 0
        while offset is not None:
            page = await self._client._send(merchant_orders.search(**filters, offset=offset))
            for element in page.elements:
                yield element
            offset = merchant_orders.next_offset(page, offset)


class Payments(_Resource):
    """``client.payments``: get, search, iterate, refund ."""

    async def get(self, payment_id: Id) -> Payment:
        return await self._client._send(payments.get(payment_id))

    async def search(
        self,
        *,
        external_reference: str | None = None,
        pos_id: Id | None = None,
        store_id: Id | None = None,
        status: str | None = None,
        sort: str | None = None,
        criteria: str | None = None,
        limit: int | None = None,
        offset: int | None = None,
        **extra: Any,
    ) -> PaymentSearch:
        call = payments.search(
            external_reference=external_reference,
            pos_id=pos_id,
            store_id=store_id,
            status=status,
            sort=sort,
            criteria=criteria,
            limit=limit,
            offset=offset,
            **extra,
        )
        return await self._client._send(call)

    async def iter_all(self, **filters: Any) -> AsyncIterator[Payment]:
        """Every payment matching ``filters`` (the keywords of :meth:`search`), page after page."""
        offset: int | None = filters.pop("offset", None) or 0
        while offset is not None:
            page = await self._client._send(payments.search(**filters, offset=offset))
            for result in page.results:
                yield result
            offset = payments.next_offset(page, offset)

    async def refund(
        self, payment_id: Id, amount: Any = None, *, idempotency_key: str | None = None
    ) -> Refund:
        call = payments.refund(
            payment_id, amount, site_currency=self._currency, idempotency_key=idempotency_key
        )
        return await self._client._send(call)

    async def list_refunds(self, payment_id: Id) -> list[Refund]:
        return await self._client._send(payments.list_refunds(payment_id))

    async def get_refund(self, payment_id: Id, refund_id: Id) -> Refund:
        return await self._client._send(payments.get_refund(payment_id, refund_id))
