"""The README's examples, run as a user would: the pytest plugin's fixture and the sync client."""

from __future__ import annotations

from typing import Any

from mpqr import Client


def test_readme_pytest_plugin_example(mpqr_sandbox: Any) -> None:
    mpqr_sandbox.create_pos("CAJA1")
    seller = mpqr_sandbox.seller
    with Client(seller.access_token, base_url=mpqr_sandbox.base_url, site_id="MLA") as mp:
        mp.qr_orders.create_v1(
            user_id=seller.id,
            external_pos_id="CAJA1",
            order={
                "external_reference": "Factura-0001",
                "notification_url": "http://127.0.0.1:9/notifications",
                "items": [
                    {
                        "title": "Producto 1",
                        "currency_id": "ARS",
                        "unit_price": "120.00",
                        "quantity": 1,
                    }
                ],
            },
            ttl_seconds=300,
        )
        mpqr_sandbox.pay(user_id=seller.id, external_pos_id="CAJA1")
        orders = list(mp.merchant_orders.iter_all(external_reference="Factura-0001"))
    assert [(mo.status, mo.order_status) for mo in orders] == [("closed", "paid")]
    mpqr_sandbox.advance(600)
