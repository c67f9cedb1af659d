"""Run a sandbox inside a test process, the way moto's ``mock_aws`` runs AWS.

:class:`Sandbox` starts the sandbox app with uvicorn on ``127.0.0.1`` (a free port) in a background
thread, creates one seller and gives helpers for the simulated customer and the clock::

    from mpqr.sandbox.testing import Sandbox

    with Sandbox(seed=1) as sb:
        pos = sb.create_pos("CAJA1")
        ...  # your integration puts an order on CAJA1 against sb.base_url
        sb.scan(pos_id=pos["id"])
        sb.pay(pos_id=pos["id"], status="approved")
        sb.advance(600)
        sb.wait_for_deliveries(lambda ds: len(ds) >= 2)

Its HTTP helpers use only the standard library (the plugin must work in any project). The official
``mercadopago`` SDK talks to it through :meth:`Sandbox.mercadopago_sdk` (the SDK's public
``http_client`` seam, see :mod:`mpqr.sandbox.sdk`).
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from types import TracebackType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import uvicorn
    from fastapi import FastAPI

__all__ = ["Sandbox", "SandboxHTTPError", "SellerInfo"]


@dataclass(frozen=True)
class SellerInfo:
    """A seller of the sandbox: what ``POST /_sandbox/users`` returns."""

    id: int
    access_token: str = field(repr=False)
    site_id: str
    currency_id: str
    nickname: str
    webhook_secret: str = field(repr=False)

    @property
    def auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}


class SandboxHTTPError(Exception):
    """A helper call that the sandbox answered with an error status."""

    def __init__(self, status: int, body: Any) -> None:
        super().__init__(f"HTTP {status}: {body}")
        self.status = status
        self.body = body


class _Server:
    """uvicorn in a daemon thread on 127.0.0.1 with a free port."""

    def __init__(self, app: FastAPI) -> None:
        import uvicorn

        config = uvicorn.Config(
            app, host="127.0.0.1", port=0, log_level="warning", lifespan="on", access_log=False
        )
        self.server: uvicorn.Server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="mpqr-sandbox", daemon=True)

    def start(self, timeout: float = 10.0) -> int:
        self.thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the sandbox server did not start")
            time.sleep(0.005)
        sockets = self.server.servers[0].sockets
        port: int = sockets[0].getsockname()[1]
        return port

    def stop(self, timeout: float = 10.0) -> None:
        self.server.should_exit = True
        self.thread.join(timeout)


class Sandbox:
    """A running sandbox for one test (or session): base URL, a seller and customer helpers."""

    def __init__(
        self, *, seed: int | None = None, site_id: str = "MLA", **app_options: Any
    ) -> None:
        self._seed = seed
        self._site_id = site_id
        self._options = app_options
        self._server: _Server | None = None
        self.app: FastAPI | None = None
        self.base_url = ""
        self.seller: SellerInfo | None = None

    # ---- lifecycle ------------------------------------------------------------------------------

    def start(self) -> Sandbox:
        from mpqr.sandbox.app import create_app

        self.app = create_app(seed=self._seed, **self._options)
        self._server = _Server(self.app)
        port = self._server.start()
        self.base_url = f"http://127.0.0.1:{port}"
        self.app.state.runtime.base_url.value = self.base_url
        self.seller = self.create_seller(self._site_id)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # ---- HTTP -----------------------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        headers: dict[str, str] | None = None,
        auth: bool = True,
    ) -> tuple[int, Any]:
        """Call the sandbox (as the default seller unless ``auth=False``): ``(status, json)``."""
        all_headers = {"Content-Type": "application/json", **(headers or {})}
        if auth and self.seller is not None:
            all_headers = {**self.seller.auth_headers, **all_headers}
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(  # noqa: S310 - the URL is our own 127.0.0.1 server
            self.base_url + path, data=data, method=method, headers=all_headers
        )
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:  # noqa: S310
                raw = resp.read()
                return resp.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as exc:
            raw = exc.read()
            return exc.code, json.loads(raw) if raw else None

    def _ok(self, method: str, path: str, body: Any = None, **kw: Any) -> Any:
        status, payload = self.request(method, path, body, **kw)
        if status >= 400:
            raise SandboxHTTPError(status, payload)
        return payload

    # ---- sellers and setup ----------------------------------------------------------------------

    def create_seller(self, site_id: str = "MLA", **extra: Any) -> SellerInfo:
        raw = self._ok("POST", "/_sandbox/users", {"site_id": site_id, **extra}, auth=False)
        return SellerInfo(**raw)

    def create_store(self, external_id: str = "SUC001", name: str = "Sucursal") -> Any:
        assert self.seller is not None
        body = {"name": name, "external_id": external_id, "location": {"city_name": "Ciudad"}}
        return self._ok("POST", f"/users/{self.seller.id}/stores", body)

    def create_pos(self, external_id: str = "CAJA1", *, store_external_id: str = "SUC001") -> Any:
        """A POS (creating its store if needed), as ``POST /pos`` returns it."""
        assert self.seller is not None
        status, found = self.request(
            "GET", f"/users/{self.seller.id}/stores/search?external_id={store_external_id}"
        )
        if status == 200 and not found["results"]:
            self.create_store(store_external_id)
        body = {
            "name": f"Caja {external_id}",
            "fixed_amount": True,
            "external_store_id": store_external_id,
            "external_id": external_id,
        }
        return self._ok("POST", "/pos", body)

    # ---- the customer, the clock, deliveries ----------------------------------------------------

    def scan(self, **selector: Any) -> Any:
        return self._ok("POST", "/_sandbox/scan", selector, auth=False)

    def pay(self, status: str = "approved", **options: Any) -> Any:
        return self._ok("POST", "/_sandbox/pay", {"status": status, **options}, auth=False)

    def settle(self, payment_id: int, status: str = "approved") -> Any:
        path = f"/_sandbox/payments/{payment_id}/settle"
        return self._ok("POST", path, {"status": status}, auth=False)

    def advance(self, seconds: float) -> Any:
        return self._ok("POST", "/_sandbox/clock/advance", {"seconds": seconds}, auth=False)

    def deliveries(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self._ok("GET", "/_sandbox/notifications", auth=False)
        return result

    def wait_for_deliveries(
        self, until: Callable[[list[dict[str, Any]]], bool], timeout: float = 10.0
    ) -> list[dict[str, Any]]:
        """Poll the deliveries until ``until(deliveries)`` holds (or raise TimeoutError)."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.deliveries()
            if until(found):
                return found
            if time.monotonic() > deadline:
                raise TimeoutError(f"deliveries did not reach the expected state: {found!r}")
            time.sleep(0.02)

    def state(self) -> Any:
        return self._ok("GET", "/_sandbox/state", auth=False)

    def reset(self) -> None:
        """Forget everything, then create a fresh default seller."""
        self._ok("POST", "/_sandbox/reset", auth=False)
        self.seller = self.create_seller(self._site_id)

    def mercadopago_sdk(self, access_token: str | None = None) -> Any:
        """The official ``mercadopago`` SDK talking to this sandbox (as the default seller)."""
        from mpqr.sandbox.sdk import mercadopago_sdk

        assert self.seller is not None
        return mercadopago_sdk(self.base_url, access_token or self.seller.access_token)

    @contextlib.contextmanager
    def patch_mercadopago_sdk(self) -> Iterator[None]:
        """Point the official ``mercadopago`` SDK at this sandbox, then restore its base URL."""
        from mercadopago.config.config import Config

        attr = "_Config__api_base_url"
        saved = getattr(Config, attr)
        setattr(Config, attr, self.base_url)
        try:
            yield
        finally:
            setattr(Config, attr, saved)
