"""``mpqr sandbox parity``: traffic the client recorded against the sandbox replays with no
differences; a hand-edited recording shows exactly its edits."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from mpqr import Client
from mpqr.cli import main
from mpqr.errors import NotFoundError
from mpqr.sandbox.parity import load_traffic, run_parity
from mpqr.sandbox.parity_compare import Difference, compare
from mpqr.sandbox.testing import Sandbox

V2 = {
    "external_reference": "S1",
    "title": "Pasta",
    "total_amount": "100.00",
    "items": [
        {
            "title": "Pasta",
            "unit_price": "20.00",
            "quantity": 5,
            "unit_measure": "unit",
            "total_amount": "100.00",
        },
    ],
}


def record_a_day_at_the_shop(sb: Sandbox, out: Path) -> None:
    """A seller's calls through the client, recorded; the customer pays through the sandbox."""
    assert sb.seller is not None
    with Client(sb.seller.access_token, base_url=sb.base_url, record_to=out) as mp:
        me = mp.users.me()
        store = mp.stores.create(me.id, {"name": "Sucursal", "external_id": "SUC001"})
        mp.pos.create(
            {"name": "Caja", "fixed_amount": True, "store_id": store.id, "external_id": "CAJA1"}
        )
        mp.qr_orders.put(me.id, "CAJA1", V2)  # v2 order on the printed QR
        mp.qr_orders.get(me.id, "CAJA1")
        sb.pay(user_id=me.id, external_pos_id="CAJA1", status="rejected")
        sb.pay(user_id=me.id, external_pos_id="CAJA1")
        (mo,) = mp.merchant_orders.search(external_reference="S1").elements
        approved = next(p for p in mo.payments if p.status == "approved")
        mp.payments.refund(approved.id, "10.00")
        mp.payments.get(approved.id)
        mp.merchant_orders.get(mo.id)
        with pytest.raises(NotFoundError):
            mp.qr_orders.get(me.id, "CAJA1")  # paid: nothing on the POS any more
        order = mp.orders.create(
            {
                "external_reference": "S2",
                "total_amount": "50",
                "config": {"qr": {"external_pos_id": "CAJA1", "mode": "dynamic"}},
                "transactions": {"payments": [{"amount": "50"}]},
            }
        )
        assert order.qr_data is not None
        sb.pay(qr_data=order.qr_data)
        mp.orders.get(order.id)
        mp.orders.refund(order.id)
        mp.payments.search(external_reference="S1")
        assert mp.merchant_orders.search(external_reference="never-sold").elements == []


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("parity") / "traffic.jsonl"
    # Another seed than the replay's: every id differs, as Mercado Pago's would.
    with Sandbox(seed=7) as sb:
        record_a_day_at_the_shop(sb, out)
    return out


def test_the_recording_holds_every_call(recorded: Path) -> None:
    calls = [(e.method, e.status) for e in load_traffic(recorded)]
    assert len(calls) == 15
    assert ("GET", 404) in calls
    assert calls[-1] == ("GET", 200)


def test_traffic_recorded_against_the_sandbox_replays_without_differences(recorded: Path) -> None:
    results, notes = run_parity(recorded)
    assert notes == []
    assert [(r.index, r.differences) for r in results if r.differences] == []
    assert len(results) == 15


def edit(lines: list[dict[str, Any]], index: int) -> dict[str, Any]:
    return lines[index - 1]


def test_a_hand_edited_recording_shows_exactly_its_edits(recorded: Path, tmp_path: Path) -> None:
    lines = [json.loads(line) for line in recorded.read_text().splitlines()]
    by_path = {(x["method"], x["path"].split("/")[1]): i + 1 for i, x in enumerate(lines)}
    store = by_path["POST", "users"]
    status = edit(lines, store)["status"]
    edit(lines, store)["status"] = 201 if status == 200 else 200  # 1: the status code
    me = by_path["GET", "users"]
    edit(lines, me)["response_body"]["brand_new_field"] = {"a": 1}  # 2: a field MP has
    search = next(i + 1 for i, x in enumerate(lines) if x["path"] == "/merchant_orders/search")
    element = edit(lines, search)["response_body"]["elements"][0]
    del element["marketplace"]  # 3: a field the sandbox has and MP does not
    element["payments"][1]["status_detail"] = "partially_refunded"  # 4: an enum value
    element["total_amount"] = str(element["total_amount"])  # 5: a type
    element["date_created"] = "2026-01-01T00:00:00Z"  # 6: a date's shape
    edited = tmp_path / "edited.jsonl"
    edited.write_text("".join(json.dumps(x) + "\n" for x in lines))

    results, notes = run_parity(edited)

    assert notes == []
    found = {(r.index, d.kind, d.path) for r in results for d in r.differences}
    assert found == {
        (store, "status", ""),
        (me, "missing", "brand_new_field"),
        (search, "extra", "elements[].marketplace"),
        (search, "value", "elements[].payments[].status_detail"),
        (search, "type", "elements[].total_amount"),
        (search, "value", "elements[].date_created"),
    }


def test_the_command_exit_status_and_json(recorded: Path, tmp_path: Path) -> None:
    ok = CliRunner().invoke(main, ["sandbox", "parity", str(recorded)])
    assert ok.exit_code == 0, ok.output
    assert "15 calls replayed on a fresh sandbox; 0 with differences" in ok.output
    lines = recorded.read_text().splitlines()
    first = json.loads(lines[0])
    first["response_body"]["site_id"] = 7
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join([json.dumps(first), *lines[1:]]) + "\n")
    text = CliRunner().invoke(main, ["sandbox", "parity", str(bad), "--site", "MLA"])
    assert text.exit_code == 1
    assert "#1 GET /users/me" in text.output
    assert "type     site_id" in text.output
    as_json = CliRunner().invoke(main, ["sandbox", "parity", str(bad), "--json", "--site", "MLA"])
    report = json.loads(as_json.output)
    assert as_json.exit_code == 1
    assert report["with_differences"] == 1
    assert report["calls"][0]["differences"] == [
        {"kind": "type", "path": "site_id", "recorded": "number", "sandbox": "string"}
    ]
    garbage = tmp_path / "garbage.jsonl"
    garbage.write_text("not json\n")
    refused = CliRunner().invoke(main, ["sandbox", "parity", str(garbage)])
    assert refused.exit_code == 2
    assert "line 1: not a recorded exchange" in refused.output


def test_compare_rules() -> None:
    rec = {"id": "ORD01K3", "payer": {"email": "***"}, "items": [{"a": 1}, {"a": 2, "b": 3}]}
    box = {"id": "ORDJ7X2", "payer": {"email": "x@y.z"}, "items": [{"a": 9}, {"a": 8}]}
    assert compare(201, rec, 201, box) == [
        Difference("value", "id", "ORD01…", "ORD…"),
        Difference("missing", "items[].b", "number"),
    ]
    assert compare(200, {"status": "approved", "n": 1}, 200, {"status": "approved", "n": 2}) == []
    assert compare(200, {"elements": None}, 200, {"elements": []}) == [
        Difference("type", "elements", "null", "array")
    ]
