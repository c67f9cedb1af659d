"""A running ``mpqr demo`` stack (sandbox + seller server) for the cashier UI tests, and a
signed-in HTTP client. Other ``test_web*`` modules import the ``*_fixture`` objects from here
(pytest registers them under their ``name``: ``stack``, ``info``, ``cashier``).

The stack is the demo itself, run in a background thread with its own event loop on free ports,
so these tests also prove that what ``make demo`` starts can sell.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import threading
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

from mpqr.demo import Demo, DemoConfig, DemoInfo

T = TypeVar("T")


class Stack:
    """``Demo.run`` in a daemon thread; :meth:`start` returns once it is ready."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.loop: asyncio.AbstractEventLoop | None = None
        self.stop_event: asyncio.Event | None = None
        self.demo: Demo | None = None
        self.ready = threading.Event()
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="mpqr-demo-stack", daemon=True)

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as exc:  # reported to the test thread by start()
            self.error = exc
            self.ready.set()

    async def _main(self) -> None:
        self.loop = asyncio.get_running_loop()
        self.stop_event = asyncio.Event()
        self.demo = Demo(DemoConfig(self.data_dir, 0, 0), echo=lambda _text: None)
        waiter = asyncio.create_task(self._signal_ready(self.demo))
        try:
            await self.demo.run(self.stop_event)
        finally:
            waiter.cancel()

    async def _signal_ready(self, demo: Demo) -> None:
        await demo.ready.wait()
        self.ready.set()

    def start(self, timeout: float = 30.0) -> DemoInfo:
        self.thread.start()
        if not self.ready.wait(timeout):
            raise TimeoutError("the demo stack did not start")
        if self.error is not None:
            raise self.error
        assert self.demo is not None
        assert self.demo.info is not None
        return self.demo.info

    def stop(self) -> None:
        if self.loop is not None and self.stop_event is not None:
            self.loop.call_soon_threadsafe(self.stop_event.set)
        self.thread.join(15)

    def call(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run ``coro`` on the servers' loop (where the seller's database and services live)."""
        assert self.loop is not None
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(10)

    def add_login(self, username: str, password: str) -> None:
        """Create a cashier login in the running server's database."""
        from mpqr.seller.web.users import set_password

        ctx = self.seller_app.state.ctx
        self.call(set_password(ctx.db, username, password, ctx.now()))

    def expire(self, sale_id: str) -> None:
        """What the reconciler does when a pending sale's order ran out of time."""

        sales = self.seller_app.state.sales
        self.call(sales.expire(sale_id))

    @property
    def seller_app(self) -> Any:
        """The seller's FastAPI app (its ``state.ctx`` reaches services from tests)."""
        assert self.demo is not None
        return self.demo.seller_app


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF field in the page"
    return found.group(1)


def field_of(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found, f"no {name} field in the page"
    return found.group(1)


def status_of(html: str) -> str:
    found = re.search(r'id="status" data-status="([^"]+)"', html)
    assert found, "no status in the page"
    return found.group(1)


@contextlib.contextmanager
def sign_in(
    info: DemoInfo, username: str | None = None, password: str | None = None
) -> Iterator[httpx.Client]:
    """An HTTP client with a session cookie (it fails the test if the login is refused)."""
    with httpx.Client(base_url=info.seller_url, timeout=10.0) as client:
        page = client.get("/ui/login")
        response = client.post(
            "/ui/login",
            data={
                "csrf": csrf_of(page.text),
                "username": username or info.username,
                "password": password or info.password,
                "next": "/ui/",
            },
        )
        assert response.status_code == 303, response.text
        yield client


def sell(
    client: httpx.Client, cashbox: str, headers: dict[str, str] | None = None, **fields: Any
) -> httpx.Response:
    """Send the sale form of ``cashbox`` (``replace`` on, so tests never trip on each other)."""
    form = client.get(f"/ui/cashboxes/{cashbox}/sell").text
    data = {"csrf": csrf_of(form), "idem": field_of(form, "idem"), "replace": "1", **fields}
    return client.post(f"/ui/cashboxes/{cashbox}/sell", data=data, headers=headers)


@pytest.fixture(scope="module", name="stack")
def stack_fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    running = Stack(tmp_path_factory.mktemp("demo"))
    running.start()
    yield running
    running.stop()


@pytest.fixture(scope="module", name="info")
def info_fixture(stack: Stack) -> DemoInfo:
    assert stack.demo is not None
    assert stack.demo.info is not None
    return stack.demo.info


@pytest.fixture(name="cashier")
def cashier_fixture(info: DemoInfo) -> Iterator[httpx.Client]:
    with sign_in(info) as client:
        yield client


def test_the_stack_serves_both_apps(info: DemoInfo) -> None:
    assert httpx.get(f"{info.seller_url}/healthz").json() == {"status": "ok"}
    assert sorted(info.customer_urls) == ["CAJA1", "CAJA2"]
    for url in info.customer_urls.values():
        assert url.startswith(info.sandbox_url + "/customer/")
