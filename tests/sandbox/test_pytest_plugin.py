"""The pytest plugin, used as a user would: ``mpqr_sandbox`` from the pytest11 entry point."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import httpx


def test_fixture_directly(mpqr_sandbox: Any) -> None:
    sb = mpqr_sandbox
    pos = sb.create_pos("CAJA1")
    with httpx.Client(base_url=sb.base_url, headers=sb.seller.auth_headers) as http:
        body = {
            "external_reference": "X",
            "title": "T",
            "total_amount": 10,
            "items": [
                {
                    "title": "a",
                    "unit_price": 10,
                    "quantity": 1,
                    "unit_measure": "unit",
                    "total_amount": 10,
                }
            ],
        }
        r = http.put(f"/instore/qr/seller/collectors/{sb.seller.id}/pos/CAJA1/orders", json=body)
        assert r.status_code == 204
    assert sb.scan(pos_id=pos["id"])["order"]["total_amount"] == 10
    paid = sb.pay(pos_id=pos["id"], status="pending")
    settled = sb.settle(paid["payment"]["id"], "approved")
    assert settled["merchant_order"]["status"] == "closed"
    assert sb.advance(60)["expired"] == 0
    assert isinstance(sb.deliveries(), list)
    sb.reset()
    assert sb.state()["pos"] == {}
    assert sb.app.state.sandbox is not None


def test_session_fixture(mpqr_sandbox_session: Any) -> None:
    assert mpqr_sandbox_session.base_url.startswith("http://127.0.0.1:")


def test_a_user_project_gets_the_fixture(tmp_path: Path) -> None:
    test_file = tmp_path / "test_user_project.py"
    test_file.write_text(
        textwrap.dedent(
            """
            import json
            import urllib.request


            def test_my_integration(mpqr_sandbox):
                seller = mpqr_sandbox.seller
                pos = mpqr_sandbox.create_pos("CAJA7")
                req = urllib.request.Request(
                    f"{mpqr_sandbox.base_url}/mpmobile/instore/qr/{seller.id}/CAJA7",
                    data=json.dumps({"items": [{"title": "Cafe", "currency_id": "ARS",
                                                "unit_price": 900, "quantity": 1}]}).encode(),
                    headers={**seller.auth_headers, "Content-Type": "application/json"},
                    method="POST",
                )
                with urllib.request.urlopen(req) as resp:
                    assert resp.status == 200
                paid = mpqr_sandbox.pay(pos_id=pos["id"])
                assert paid["merchant_order"]["order_status"] == "paid"
            """
        )
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter and file
        [sys.executable, "-m", "pytest", str(test_file), "-q", "-p", "no:cacheprovider"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout


def test_plugin_module_is_light() -> None:
    code = (
        "import sys, mpqr.sandbox.pytest_plugin; "
        "heavy = [m for m in ('fastapi', 'uvicorn', 'mpqr.sandbox.app') if m in sys.modules]; "
        "print(heavy)"
    )
    out = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"
