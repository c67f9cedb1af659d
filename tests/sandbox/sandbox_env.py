"""Helpers for the sandbox core tests: a running sandbox plus an httpx client as its seller."""

from __future__ import annotations

from typing import Any

import httpx

from mpqr.sandbox.events import Notice
from mpqr.sandbox.testing import Sandbox


class Env:
    """A running sandbox, an httpx client authenticated as its seller, and a POS to sell at."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sb = sandbox
        assert sandbox.seller is not None
        self.seller = sandbox.seller
        self.http = httpx.Client(base_url=sandbox.base_url, headers=self.seller.auth_headers)
        self.anon = httpx.Client(base_url=sandbox.base_url)

    @property
    def uid(self) -> int:
        return self.seller.id

    @property
    def notices(self) -> list[Notice]:
        assert self.sb.app is not None
        notices: list[Notice] = self.sb.app.state.outbox.notices
        return notices

    def control(self, path: str, body: Any = None, status: int | None = None) -> Any:
        r = self.anon.post(f"/_sandbox/{path}", json=body or {})
        if status is not None:
            assert r.status_code == status, r.text
        return r.json()

    def legacy(self, external_id: str = "CAJA1", amount: float = 120.0, **extra: Any) -> Any:
        body = {
            "external_reference": "F-1",
            "notification_url": "http://127.0.0.1:9/hook",
            "items": [
                {"title": "Shampoo", "currency_id": "ARS", "unit_price": amount, "quantity": 1}
            ],
            **extra,
        }
        r = self.http.post(f"/mpmobile/instore/qr/{self.uid}/{external_id}", json=body)
        assert r.status_code == 200, r.text
        return r.json()

    def v2(self, external_id: str = "CAJA1", total: float = 100.0, **extra: Any) -> httpx.Response:
        body = {
            "external_reference": "order-1",
            "title": "Compra",
            "description": "Compra en Mercado Pago",
            "notification_url": "http://127.0.0.1:9/hook",
            "total_amount": total,
            "items": [
                {
                    "sku_number": "KS955RUR",
                    "category": "COMIDA",
                    "title": "Pasta",
                    "unit_price": total / 5,
                    "quantity": 5,
                    "unit_measure": "unit",
                    "total_amount": total,
                }
            ],
            **extra,
        }
        path = f"/instore/qr/seller/collectors/{self.uid}/pos/{external_id}/orders"
        return self.http.put(path, json=body)

    def close(self) -> None:
        self.http.close()
        self.anon.close()
