"""``--state FILE``: stop the sandbox, start it again from the file, and find everything intact."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mpqr.sandbox.persistence import read_state_file, write_state_file
from mpqr.sandbox.testing import Sandbox


def test_restart_keeps_state(tmp_path: Path) -> None:
    path = tmp_path / "sandbox.json"
    with Sandbox(seed=9, state_file=str(path)) as sb:
        seller = sb.seller
        assert seller is not None
        pos = sb.create_pos("CAJA1")
        body = {
            "notification_url": "http://127.0.0.1:9/unreachable",
            "items": [{"title": "Pan", "currency_id": "ARS", "unit_price": 10, "quantity": 1}],
        }
        assert sb.request("POST", f"/mpmobile/instore/qr/{seller.id}/CAJA1", body)[0] == 200
        mo_id = sb.scan(pos_id=pos["id"])["merchant_order_id"]
        sb.advance(120)
        offset = sb.request("GET", "/_sandbox/clock")[1]["offset_seconds"]
        sb.wait_for_deliveries(lambda ds: len(ds) == 2 and all(d["attempts"] for d in ds))
    assert path.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["sandbox.json"]  # no temp files left
    with Sandbox(seed=9, state_file=str(path)) as again:
        headers = seller.auth_headers
        status, mo = again.request("GET", f"/merchant_orders/{mo_id}", headers=headers, auth=False)
        assert (status, mo["status"], mo["total_amount"]) == (200, "opened", 10)
        scan = again.scan(pos_id=pos["id"])
        assert scan["order"]["total_amount"] == 10
        assert scan["merchant_order_id"] != mo_id  # a new scan, a new merchant order
        clock = again.request("GET", "/_sandbox/clock")[1]
        assert clock["offset_seconds"] >= offset
        deliveries = again.deliveries()
        assert {d["resource_id"] for d in deliveries} >= {str(mo_id)}
        again.advance(480)  # the legacy TTL keeps running on the restored clock
        assert again.scan(pos_id=pos["id"])["order"] is None


def test_ids_do_not_repeat_after_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    with Sandbox(seed=1, state_file=str(path)) as sb:
        first = sb.create_pos("CAJA1")["id"]
    with Sandbox(seed=1, state_file=str(path)) as sb:
        second = sb.create_pos("CAJA1")["id"]
    assert first != second


def test_state_file_format(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    assert read_state_file(path) is None
    write_state_file(path, {"sandbox": {}})
    assert read_state_file(path) == {"format": "mpqr-sandbox-state/1", "sandbox": {}}
    path.write_text(json.dumps({"format": "other"}))
    with pytest.raises(ValueError, match="not an mpqr sandbox state file"):
        read_state_file(path)


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "new.json"
    write_state_file(path, {"sandbox": {"schema_version": 99}})
    from mpqr.sandbox import create_app

    with pytest.raises(ValueError, match="newer"):
        create_app(state_file=path)
