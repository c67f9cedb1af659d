"""The whole in-store flow through Client and AsyncClient against the mpqr sandbox.

Skipped when the sandbox is not importable: the client does not depend on it, but when it is there
this is the closest thing to Mercado Pago the tests can reach.
"""

from __future__ import annotations

from typing import Any

import pytest
from client_testkit import Api

from mpqr import AsyncClient, Client
from mpqr.client.models import (
    DynamicQr,
    MerchantOrderStatus,
    OrderStatus,
    PaymentStatus,
)
from mpqr.errors import NotFoundError

pytest.importorskip("mpqr.sandbox.testing")

LOCATION = {
    "street_name": "Caseros",
    "street_number": "3039",
    "city_name": "Belgrano",
    "state_name": "Capital Federal",
    "latitude": -34.6,
    "longitude": -58.4,
}
V2_ORDER = {
    "external_reference": "sale-1",
    "title": "Compra",
    "total_amount": 100,
    "items": [
        {
            "title": "Pasta",
            "unit_price": 20,
            "quantity": 5,
            "unit_measure": "unit",
            "total_amount": 100,
        }
    ],
}


def _client(kind: str, sandbox: Any) -> Client | AsyncClient:
    seller = sandbox.seller
    cls = Client if kind == "sync" else AsyncClient
    return cls(seller.access_token, base_url=sandbox.base_url, site_id=seller.site_id)


async def _setup_pos(api: Api) -> tuple[int, Any]:
    me = await api("users.me")
    store = await api(
        "stores.create", me.id, {"name": "Suc", "external_id": "SUC1", "location": LOCATION}
    )
    pos = await api(
        "pos.create",
        {
            "name": "Caja",
            "fixed_amount": True,
            "store_id": store.id,
            "external_store_id": "SUC1",
            "external_id": "CAJA1",
        },
    )
    return me.id, pos


@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_attended_v2_flow(kind: str, mpqr_sandbox: Any) -> None:
    client = _client(kind, mpqr_sandbox)
    api = Api(client, [])
    try:
        user_id, pos = await _setup_pos(api)
        await api("qr_orders.put", user_id, "CAJA1", V2_ORDER)
        (current,) = await api("qr_orders.get", user_id, "CAJA1")
        assert current.external_reference == "sale-1"

        mpqr_sandbox.scan(pos_id=pos.id)
        mpqr_sandbox.pay(pos_id=pos.id, status="approved")

        (mo,) = await api.collect("merchant_orders.iter_all", external_reference="sale-1")
        assert mo.status is MerchantOrderStatus.CLOSED
        payments = await api("payments.search", external_reference="sale-1")
        payment = payments.results[0]
        assert payment.status is PaymentStatus.APPROVED
        refund = await api("payments.refund", payment.id, "10")
        assert [r.id for r in await api("payments.list_refunds", payment.id)] == [refund.id]
        with pytest.raises(NotFoundError) as info:
            await api("qr_orders.get", user_id, "CAJA1")
        assert info.value.error == "point_of_sale_in_store_order_not_found"
    finally:
        if isinstance(client, AsyncClient):
            await client.aclose()
        else:
            client.close()


@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_orders_api_and_dynamic_qr(kind: str, mpqr_sandbox: Any) -> None:
    client = _client(kind, mpqr_sandbox)
    api = Api(client, [])
    try:
        user_id, _ = await _setup_pos(api)
        order = await api(
            "orders.create",
            {
                "external_reference": "B1",
                "total_amount": 50,
                "config": {"qr": {"external_pos_id": "CAJA1", "mode": "dynamic"}},
                "transactions": {"payments": [{"amount": 50}]},
            },
        )
        assert order.status is OrderStatus.CREATED
        assert (await api("orders.cancel", order.id)).status is OrderStatus.CANCELED
        qr = await api(
            "qr_orders.create_dynamic", user_id, "CAJA1", {**V2_ORDER, "external_reference": "C1"}
        )
        assert isinstance(qr, DynamicQr)
        assert qr.qr_data.startswith("000201")
    finally:
        if isinstance(client, AsyncClient):
            await client.aclose()
        else:
            client.close()
