"""The two sides the chaos run drives: the seller's HTTP API (as a patient cashier program would
call it: the same Idempotency-Key on every retry, waiting out a dead server) and the sandbox's
control plane (the customer, the clock, the faults, the truth)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx

from mpqr.sandbox.testing import Sandbox, SandboxHTTPError

__all__ = ["CustomerSide", "SellerAPI", "Unavailable"]


class Unavailable(Exception):
    """The seller server did not give a usable answer within the patience allowed."""


class SellerAPI:
    """The seller server's API, retried across kills and 5xx answers."""

    def __init__(self, base_url: str, api_key: str, patience: float = 120.0) -> None:
        self.http = httpx.AsyncClient(
            base_url=base_url, headers={"Authorization": f"Bearer {api_key}"}, timeout=30
        )
        self.patience = patience
        self.retries = 0

    async def aclose(self) -> None:
        await self.http.aclose()

    async def call(
        self, method: str, path: str, json: Any = None, key: str | None = None
    ) -> httpx.Response:
        """Send until the answer is not a transport error, a 5xx or "in progress"."""
        headers = {"Idempotency-Key": key} if key else {}
        deadline = time.monotonic() + self.patience
        while True:
            try:
                r = await self.http.request(method, path, json=json, headers=headers)
            except httpx.TransportError:
                r = None
            if r is not None and r.status_code < 500 and not _in_progress(r):
                return r
            if time.monotonic() > deadline:
                detail = "no answer" if r is None else f"{r.status_code} {r.text[:200]}"
                raise Unavailable(f"{method} {path}: {detail}")
            self.retries += 1
            await asyncio.sleep(0.3)

    async def sale(self, sale_id: str) -> dict[str, Any]:
        r = await self.call("GET", f"/api/sales/{sale_id}")
        body: dict[str, Any] = r.json()
        return body

    async def wait(self, sale_id: str, done: Any, within: float = 120.0) -> dict[str, Any]:
        """Poll the sale until ``done(sale)``; the last sale seen if it never gets there."""
        deadline = time.monotonic() + within
        while True:
            sale = await self.sale(sale_id)
            if done(sale) or time.monotonic() > deadline:
                return sale
            await asyncio.sleep(0.5)


def _in_progress(r: httpx.Response) -> bool:
    return (
        r.status_code == 409
        and r.headers.get("content-type", "").startswith("application/json")
        and r.json().get("reason") == "in_progress"
    )


class CustomerSide:
    """The sandbox: the customer who scans and pays, faults, and the truth (blocking calls run
    off the event loop)."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox

    async def _run(self, name: str, *args: Any, **kwargs: Any) -> Any:
        return await asyncio.to_thread(getattr(self.sandbox, name), *args, **kwargs)

    @property
    def user_id(self) -> int:
        assert self.sandbox.seller is not None
        return self.sandbox.seller.id

    async def scan(self, cashbox: str) -> dict[str, Any] | None:
        found: dict[str, Any] = await self._run(
            "scan", user_id=self.user_id, external_pos_id=cashbox
        )
        return found

    async def pay(self, cashbox: str, status: str = "approved", **extra: Any) -> dict[str, Any]:
        """A payment, or ``{}`` when the cashbox shows no order to pay."""
        selector = {"user_id": self.user_id, "external_pos_id": cashbox}
        if "merchant_order_id" in extra:
            selector = {}
        try:
            paid: dict[str, Any] = await self._run("pay", status=status, **selector, **extra)
        except SandboxHTTPError:
            return {}
        return paid

    async def settle(self, payment_id: int, status: str = "approved") -> None:
        await self._run("settle", payment_id, status)

    async def faults(self, config: dict[str, Any]) -> None:
        status, body = await self._run("request", "PUT", "/_sandbox/faults", config, auth=False)
        if status != 200:
            raise RuntimeError(f"sandbox refused the faults: {body}")

    async def state(self) -> dict[str, Any]:
        state: dict[str, Any] = await self._run("state")
        return state

    async def rogue_order(self, cashbox: str, reference: str, amount: int) -> None:
        """An order put on a cashbox by something other than the seller server (the API faults
        hit it too: retried like any client would)."""
        item = {"title": "otra caja", "currency_id": "ARS", "unit_price": amount, "quantity": 1}
        body = {"external_reference": reference, "items": [item]}
        path = f"/mpmobile/instore/qr/{self.user_id}/{cashbox}"
        for _ in range(20):
            status, answer = await self._run("request", "POST", path, body)
            if status < 400:
                return
            if status != 429 and status < 500:
                break
            await asyncio.sleep(0.2)
        raise RuntimeError(f"the rogue order was refused: {status} {answer}")
