"""``mpqr serve`` as a user runs it, and Settings from MPQR_* variables."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
from click.testing import CliRunner

from mpqr.cli import main
from mpqr.seller.settings import Integration, Settings


def test_help_lists_every_option() -> None:
    result = CliRunner().invoke(main, ["serve", "--help"])
    assert result.exit_code == 0, result.output
    for option in [
        "--host",
        "--port",
        "--database-url",
        "--mp-base-url",
        "--mp-access-token",
        "--public-url",
        "--integration",
        "--api-key",
        "instore-v1|instore-v2|orders",
    ]:
        assert option in result.output


def test_settings_from_env() -> None:
    env = {
        "MPQR_PORT": "9001",
        "MPQR_INTEGRATION": "orders",
        "MPQR_MP_ACCESS_TOKEN": "APP_USR-zzz",
        "MPQR_WEBHOOK_SECRETS": "a, b",
        "MPQR_AUTO_REFUND_AFTER_CANCEL": "true",
    }
    s = Settings.from_env(env, host="0.0.0.0")
    assert s.port == 9001
    assert s.integration is Integration.ORDERS
    assert s.webhook_secrets == ("a", "b")
    assert s.auto_refund_after_cancel is True
    assert s.host == "0.0.0.0"
    assert "APP_USR-zzz" not in repr(s)
    assert s.notification_url == "http://127.0.0.1:8000/notifications"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_subprocess_prints_admin_once_and_serves(tmp_path: Path) -> None:
    port = _free_port()
    env = {
        **os.environ,
        "MPQR_DATABASE_URL": f"sqlite:///{tmp_path}/cli.db",
        "MPQR_MP_ACCESS_TOKEN": "APP_USR-cli-secret-999",
        "MPQR_MP_BASE_URL": "http://127.0.0.1:9",  # never called in this test
    }
    cmd = [sys.executable, "-m", "mpqr", "serve", "--port", str(port)]
    proc = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.05)
        r = httpx.get(f"http://127.0.0.1:{port}/api/sales", timeout=5)
        assert r.status_code == 401
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=20)
    assert "Created API key: mpqr_" in out
    assert "user 'admin'" in out
    assert "APP_USR-cli-secret-999" not in out + err
    assert '"request_id"' in err  # JSON log lines


async def test_serve_leaves_its_start_up_objects_out_of_collections(tmp_path: Path) -> None:
    """``mpqr serve`` builds its app with ``freeze_gc=True``: once started, what start-up built
    is frozen (a full collection no longer walks it). An app built elsewhere (a test, another
    program) leaves that process's collector alone."""
    import gc

    from fastapi import FastAPI
    from seller_env import serve, settings_for
    from seller_fakes import FakeGateway

    from mpqr.seller.app import create_app

    def make(freeze: bool) -> Callable[[str], FastAPI]:
        def build(base: str) -> FastAPI:
            cfg = settings_for(f"sqlite:///{tmp_path}/f{freeze}.db", base)
            return create_app(cfg, gateway=FakeGateway(), freeze_gc=freeze)

        return build

    gc.unfreeze()
    try:
        async with serve(make(False)):
            assert gc.get_freeze_count() == 0
        async with serve(make(True)):
            assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()  # give this test process its collector back
    source = Path(__file__).parents[2] / "src" / "mpqr" / "seller" / "cli.py"
    assert "freeze_gc=True" in source.read_text()
