"""``kill -9`` for real (issue 7, defect 4): ``mpqr serve`` dies by SIGKILL right after putting an
order on a cashbox; a new process on the same database finishes the sale, and a retry with the
same Idempotency-Key gets the resolved sale instead of "still in progress" forever."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from mpqr.chaos.truth import live_orders
from mpqr.sandbox.testing import Sandbox

API_KEY = "kill-test-api-key-0123456789"
SALE = {"cashbox": "CAJA1", "items": [{"title": "Mate", "unit_price": "10.00", "quantity": 1}]}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(seed=17) as sb:
        yield sb


def _serve(sandbox: Sandbox, db: Path, port: int, crash: str = "") -> subprocess.Popen[str]:
    assert sandbox.seller is not None
    env = {**os.environ, "MPQR_CRASH_POINTS": crash}
    cmd = [
        sys.executable, "-m", "mpqr", "serve",
        "--port", str(port),
        "--database-url", f"sqlite:///{db}",
        "--mp-base-url", sandbox.base_url,
        "--mp-access-token", sandbox.seller.access_token,
        "--api-key", API_KEY,
        "--lease-seconds", "3",
        "--recovery-interval", "0.2",
        "--log-level", "warning",
    ]  # fmt: skip
    proc = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return proc
        except httpx.TransportError:
            pass
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        assert time.monotonic() < deadline, "mpqr serve did not start"
        time.sleep(0.1)


def _stop(proc: subprocess.Popen[str]) -> None:
    if proc.poll() is None:
        proc.terminate()
        proc.wait(10)


def test_sigkill_after_the_order_went_on_the_cashbox(sandbox: Sandbox, tmp_path: Path) -> None:
    port = _free_port()
    db = tmp_path / "seller.db"
    headers = {"Authorization": f"Bearer {API_KEY}"}
    proc = _serve(sandbox, db, port, crash="create.after_call")
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=headers, timeout=20) as c:
            store = {"external_id": "SUC1", "name": "Sucursal", "location": {"city_name": "X"}}
            assert c.post("/api/stores", json=store).status_code == 201
            box = {"external_id": "CAJA1", "name": "Caja 1", "store_external_id": "SUC1"}
            assert c.post("/api/cashboxes", json=box).status_code == 201
            with pytest.raises(httpx.TransportError):
                c.post("/api/sales", json=SALE, headers={"Idempotency-Key": "till-42"})
        assert proc.wait(10) == -signal.SIGKILL
    finally:
        _stop(proc)
    on_the_cashbox = live_orders(sandbox.state())
    assert list(on_the_cashbox) == ["CAJA1"]  # the order got there; the sale says opening

    proc = _serve(sandbox, db, port)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=headers, timeout=20) as c:
            deadline = time.monotonic() + 30
            while True:
                r = c.post("/api/sales", json=SALE, headers={"Idempotency-Key": "till-42"})
                assert r.status_code in {201, 202}, r.text  # never 409 "in progress"
                if r.json()["status"] != "opening":
                    break
                assert time.monotonic() < deadline, "recovery did not finish the sale"
                time.sleep(0.2)
            assert (r.status_code, r.json()["status"]) == (201, "cancelled")
            assert r.json()["external_reference"] == on_the_cashbox["CAJA1"]
        assert live_orders(sandbox.state()) == {}
    finally:
        _stop(proc)
