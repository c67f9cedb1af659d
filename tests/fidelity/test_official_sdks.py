"""The seed's flow with the official SDKs (Python ``mercadopago`` 3.6.0, Node ``mercadopago``)
against ``mpqr sandbox`` run as a user runs it: a subprocess on 127.0.0.1.

Create a store and a POS, put an order on the POS with the legacy ``/mpmobile/instore/qr`` endpoint,
the customer pays, the IPN ``merchant_order`` arrives, fetch the merchant order (closed), search by
``external_reference``, delete an order. Neither SDK wraps the in-store QR endpoints, so those calls
go through the SDK's own transport (Python: a resource class on the SDK's ``MPBase``; Node: the
same global ``fetch`` the SDK uses). The Node SDK is installed from npm into a cache directory from
``node/package.json``; without ``node``/``npm`` the Node test is skipped, and under ``CI=true`` a
failed install fails it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from mercadopago.core import MPBase

from mpqr.sandbox.sdk import mercadopago_sdk

NODE_DIR = Path(__file__).parent / "node"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def cli() -> Iterator[dict[str, str]]:
    """``mpqr sandbox`` in a subprocess; yields its base URL, user id and access token."""
    port = _free_port()
    cmd = [sys.executable, "-m", "mpqr", "sandbox", "--port", str(port), "--seed", "9"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)  # noqa: S603
    info = {"base": f"http://127.0.0.1:{port}"}
    assert proc.stdout is not None
    for line in proc.stdout:
        key, _, value = line.strip().partition(":")
        info[key.strip()] = value.strip()
        if key.strip() == "customer app":
            break
    info["user_id"] = info["user id"].split()[0]
    _wait_until_up(info["base"])
    yield info
    proc.terminate()
    proc.wait(timeout=15)


def _wait_until_up(base: str) -> None:
    deadline = time.monotonic() + 20
    while True:
        try:
            with urllib.request.urlopen(f"{base}/_sandbox/clock", timeout=2):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


class InStore(MPBase):  # type: ignore[misc]
    """The in-store QR endpoints the SDK does not wrap, on the SDK's own base class."""

    def store(self, user_id: str, body: dict[str, Any]) -> Any:
        return self._post(uri=f"/users/{user_id}/stores", data=body)

    def pos(self, body: dict[str, Any]) -> Any:
        return self._post(uri="/pos", data=body)

    def put_order(self, user_id: str, pos: str, body: dict[str, Any]) -> Any:
        return self._post(uri=f"/mpmobile/instore/qr/{user_id}/{pos}", data=body)

    def delete_order(self, user_id: str, pos: str) -> Any:
        return self._delete(uri=f"/mpmobile/instore/qr/{user_id}/{pos}")


class Receiver:
    """The seller's notification_url: a tiny HTTP server on 127.0.0.1."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, Any]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                outer.seen.append((self.path, json.loads(raw or b"null")))
                self.send_response(200)
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/mp?source_news=ipn"

    def wait_for(self, topic: str, timeout: float = 15) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [body for path, body in self.seen if f"topic={topic}" in path]
            if found:
                return found[0]
            time.sleep(0.02)
        raise TimeoutError(f"no {topic} notification: {self.seen}")


def _control(base: str, path: str, body: dict[str, Any]) -> Any:
    request = urllib.request.Request(
        f"{base}/_sandbox/{path}",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def test_python_sdk_seed_flow(cli: dict[str, str]) -> None:
    sdk = mercadopago_sdk(cli["base"], cli["access token"])
    instore = InStore(sdk.request_options, sdk.http_client)
    uid = cli["user_id"]
    assert instore.store(uid, {"name": "Py", "external_id": "PY1", "location": {}})["status"] == 200
    pos = instore.pos(
        {
            "name": "Caja Py",
            "fixed_amount": True,
            "external_store_id": "PY1",
            "external_id": "PYCAJA",
        }
    )
    assert pos["status"] == 201
    receiver = Receiver()
    try:
        item = {"title": "Alfajor", "currency_id": "ARS", "unit_price": 990, "quantity": 3}
        order = {
            "external_reference": "py-seed-1",
            "notification_url": receiver.url,
            "items": [item],
        }
        assert instore.put_order(uid, "PYCAJA", order)["status"] == 200
        _control(cli["base"], "pay", {"pos_id": pos["response"]["id"], "cardholder_name": "APRO"})
        ipn = receiver.wait_for("merchant_order")
    finally:
        receiver.server.shutdown()
    assert ipn["resource"].startswith("https://api.mercadolibre.com/merchant_orders/")
    mo = sdk.merchant_order().get(int(ipn["resource"].rsplit("/", 1)[1]))
    assert (mo["status"], mo["response"]["status"], mo["response"]["order_status"]) == (
        200,
        "closed",
        "paid",
    )
    found = sdk.merchant_order().search({"external_reference": "py-seed-1"})["response"]
    assert [e["id"] for e in found["elements"]] == [mo["response"]["id"]]
    assert (
        sdk.merchant_order().search({"external_reference": "nope"})["response"]["elements"] is None
    )
    assert (
        instore.put_order(uid, "PYCAJA", {**order, "external_reference": "py-seed-2"})["status"]
        == 200
    )
    assert instore.delete_order(uid, "PYCAJA")["status"] == 204
    assert _control(cli["base"], "scan", {"pos_id": pos["response"]["id"]})["order"] is None


def _node_sdk_dir() -> Path:
    """``node/package.json`` installed from the npm registry into a cache directory (once)."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("node and npm are not installed: the Node SDK test needs them")
    manifest = (NODE_DIR / "package.json").read_bytes()
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "mpqr" / "node-sdk"
    target = cache / hashlib.sha256(manifest).hexdigest()[:16]
    if (target / "node_modules" / "mercadopago" / "package.json").exists():
        return target
    target.mkdir(parents=True, exist_ok=True)
    (target / "package.json").write_bytes(manifest)
    result = subprocess.run(
        ["npm", "install", "--no-audit", "--no-fund", "--silent"],  # noqa: S607
        cwd=target,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if result.returncode != 0:
        message = f"npm install of the Node SDK failed: {result.stderr[-2000:]}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return target


def test_node_sdk_seed_flow(cli: dict[str, str]) -> None:
    sdk_dir = _node_sdk_dir()
    script = sdk_dir / "seed_flow.cjs"
    shutil.copyfile(NODE_DIR / "seed_flow.cjs", script)
    result = subprocess.run(  # noqa: S603
        ["node", str(script), cli["base"], cli["access token"], cli["user_id"]],  # noqa: S607
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["created"] == [200, 201]
    assert (out["put"], out["paid"], out["deleted"]) == (200, 201, 204)
    assert out["ipn_resource"].startswith("https://api.mercadolibre.com/merchant_orders/")
    assert (out["merchant_order"]["status"], out["merchant_order"]["order_status"]) == (
        "closed",
        "paid",
    )
    assert out["search_total"] == 1
    assert out["no_match_elements"] is None
