"""The flow driver: whole sales against a running sandbox, in its own process.

One flow on one cashbox: ``PUT`` an instore v2 order → the customer scans (``/_sandbox/scan``) →
pays (``/_sandbox/pay``) → the payment's notification reaches this process's receiver. Each
cashbox runs its flows one after another; ``cashboxes`` of them run at once. Reads a JSON spec on
stdin (``url``, ``token``, ``user_id``, ``cashboxes``, ``seconds`` or ``count``, and optionally
``prefix`` for its store and cashboxes, ``warmup`` flows per cashbox first, and ``search``: end
each flow by searching merchant orders and payments by the sale's reference) and prints
``{"flows", "seconds", "flows_per_s", "flow_ms"}`` (``flow_ms``: the mean time of one flow)::

    echo '{"url": "http://127.0.0.1:8080", "token": "APP_USR-...", "user_id": 1,
           "cashboxes": 16, "seconds": 5}' | python -m mpqr.bench.flows
"""

from __future__ import annotations

import asyncio
import itertools
import json
import sys
import time
from typing import Any

from aiohttp import ClientSession, web

from mpqr.bench.sandbox import order_body

__all__ = ["main"]

NOTIFICATION_TIMEOUT = 30.0


class Receiver:
    """Notifications in, one future per payment id (a notification may beat the pay answer)."""

    def __init__(self) -> None:
        self.waiting: dict[str, asyncio.Future[None]] = {}

    def future(self, payment_id: str) -> asyncio.Future[None]:
        if payment_id not in self.waiting:
            self.waiting[payment_id] = asyncio.get_running_loop().create_future()
        return self.waiting[payment_id]

    async def handle(self, request: web.Request) -> web.Response:
        query = request.query
        is_payment = query.get("type") == "payment" or query.get("topic") == "payment"
        payment_id = query.get("data.id") or query.get("id")
        if is_payment and payment_id:
            future = self.future(payment_id)
            if not future.done():
                future.set_result(None)
        return web.Response(status=200)

    def forget(self, payment_id: str) -> None:
        self.waiting.pop(payment_id, None)


class Driver:
    def __init__(self, spec: dict[str, Any], session: ClientSession, hook: str) -> None:
        self.spec = spec
        self.session = session
        self.hook = hook
        self.receiver = Receiver()
        self.user_id = int(spec["user_id"])
        self.references = itertools.count(1)

    async def call(self, method: str, path: str, body: Any, expect: int) -> Any:
        async with self.session.request(method, self.spec["url"] + path, json=body) as answer:
            raw = await answer.read()
            if answer.status != expect:
                raise RuntimeError(f"{method} {path}: {answer.status} {raw[:200]!r}")
            return json.loads(raw) if raw else None

    async def cashboxes(self) -> list[str]:
        prefix = str(self.spec.get("prefix", "BENCH"))
        store = {"name": prefix, "external_id": prefix, "location": {"city_name": "Ciudad"}}
        await self.call("POST", f"/users/{self.user_id}/stores", store, 200)
        names = [f"{prefix}{index:03d}" for index in range(int(self.spec["cashboxes"]))]
        for name in names:
            pos = {"name": name, "fixed_amount": True, "external_store_id": prefix}
            await self.call("POST", "/pos", {**pos, "external_id": name}, 201)
        return names

    async def flow(self, cashbox: str) -> None:
        reference = f"{cashbox}-{next(self.references)}"
        path = f"/instore/qr/seller/collectors/{self.user_id}/pos/{cashbox}/orders"
        await self.call("PUT", path, order_body(reference, self.hook), 204)
        selector = {"user_id": self.user_id, "external_pos_id": cashbox}
        await self.call("POST", "/_sandbox/scan", selector, 200)
        paid = await self.call("POST", "/_sandbox/pay", selector, 201)
        payment_id = str(paid["payment"]["id"])
        try:
            await asyncio.wait_for(self.receiver.future(payment_id), NOTIFICATION_TIMEOUT)
        finally:
            self.receiver.forget(payment_id)
        if self.spec.get("search"):  # as a seller reconciles: find the sale by its reference
            query = f"external_reference={reference}"
            await self.call("GET", f"/merchant_orders/search?{query}", None, 200)
            await self.call("GET", f"/v1/payments/search?{query}", None, 200)

    async def run(self) -> dict[str, float]:
        names = await self.cashboxes()
        warmup = int(self.spec.get("warmup", 1))
        await asyncio.gather(*(self.repeat(name, times=warmup) for name in names))
        seconds, count = self.spec.get("seconds"), self.spec.get("count")
        start = time.perf_counter()
        if count:
            shares = [count // len(names) + (i < count % len(names)) for i in range(len(names))]
            await asyncio.gather(
                *(self.repeat(name, times=n) for name, n in zip(names, shares, strict=True))
            )
            done = count
        else:
            deadline = start + float(seconds or 3.0)
            done = sum(await asyncio.gather(*(self.repeat(n, until=deadline) for n in names)))
        elapsed = time.perf_counter() - start
        per_flow = elapsed * len(names) / done if done else float("nan")
        return {
            "flows": done,
            "seconds": elapsed,
            "flows_per_s": done / elapsed,
            "flow_ms": 1000 * per_flow,
        }

    async def repeat(self, cashbox: str, *, times: int = 0, until: float = 0.0) -> int:
        done = 0
        while (times and done < times) or (not times and time.perf_counter() < until):
            await self.flow(cashbox)
            done += 1
        return done


async def _main(spec: dict[str, Any]) -> dict[str, float]:
    receiver_app = web.Application()
    runner = web.AppRunner(receiver_app, access_log=None)
    headers = {"Authorization": f"Bearer {spec['token']}"}
    async with ClientSession(headers=headers) as session:
        driver = Driver(spec, session, "")
        receiver_app.router.add_post("/hook", driver.receiver.handle)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        driver.hook = f"http://127.0.0.1:{port}/hook"
        try:
            return await driver.run()
        finally:
            await runner.cleanup()


def main() -> None:
    spec = json.loads(sys.stdin.read())
    print(json.dumps(asyncio.run(_main(spec))), flush=True)


if __name__ == "__main__":
    main()
