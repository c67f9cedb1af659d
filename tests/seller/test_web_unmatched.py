"""Payments without a sale in the cashier UI: a banner on every page while one holds money, the
list, and a refund that asks first (issue 7, "Unmatched payments")."""

from __future__ import annotations

import re
from decimal import Decimal

import httpx
import pytest
from seller_env import Running, serve, settings_for
from seller_fakes import FakeGateway, FakeMO

from mpqr.clock import FrozenClock
from mpqr.ids import IdFactory
from mpqr.seller.app import create_app

PASSWORD = "counter password 123"


@pytest.fixture
async def ui(database_url: str) -> Running:  # type: ignore[misc]
    gateway = FakeGateway()

    def make(base: str):  # type: ignore[no-untyped-def]
        cfg = settings_for(database_url, base, admin_password=PASSWORD)
        return create_app(cfg, clock=FrozenClock(), gateway=gateway, ids=IdFactory(4))

    async with serve(make) as running:
        running.gateway = gateway  # type: ignore[attr-defined]
        yield running


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found
    return found.group(1)


async def _cashier(base: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=base, headers={"accept-language": "es"})
    page = await client.get("/ui/login")
    data = {"csrf": _csrf(page.text), "username": "admin", "password": PASSWORD}
    assert (await client.post("/ui/login", data=data)).status_code == 303
    return client


async def test_banner_list_and_a_refund_that_asks_first(ui: Running) -> None:
    gateway: FakeGateway = ui.gateway  # type: ignore[attr-defined]
    client = await _cashier(ui.base_url)
    try:
        assert "unmatched-banner" not in (await client.get("/ui/")).text
        mo = FakeMO("5001", "OTRA-CAJA-1", Decimal("99.00"))
        gateway.mos[mo.id] = mo
        payment = gateway.pay(mo)
        await ui.http.post(f"/notifications?topic=merchant_order&id={mo.id}")
        await ui.process()
        home = (await client.get("/ui/")).text
        assert "Hay pagos que no corresponden a ninguna venta (1)" in home
        listing = await client.get("/ui/unmatched")
        assert f"#{payment.id}" in listing.text
        assert "OTRA-CAJA-1" in listing.text
        asked = await client.post(
            f"/ui/unmatched/{payment.id}/refund", data={"csrf": _csrf(listing.text)}
        )
        assert "¿Devolver ARS 99,00 al cliente?" in asked.text
        assert gateway.refunds == []  # asking refunds nothing
        done = await client.post(
            f"/ui/unmatched/{payment.id}/refund", data={"csrf": _csrf(asked.text), "confirm": "1"}
        )
        assert done.status_code == 303
        again = await client.post(
            f"/ui/unmatched/{payment.id}/refund", data={"csrf": _csrf(asked.text), "confirm": "1"}
        )
        assert again.status_code == 303
        assert [(pid, amount) for pid, amount, _ in gateway.refunds] == [
            (payment.id, Decimal("99.00"))
        ]
        assert "unmatched-banner" not in (await client.get("/ui/")).text
    finally:
        await client.aclose()
