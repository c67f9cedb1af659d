"""The /_sandbox control plane: users, scan/pay selectors, clock, reset, state; real delivery."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from sandbox_env import Env

from mpqr.sandbox.testing import Sandbox


def test_create_user_contract(env: Env) -> None:
    body = env.control("users", {"site_id": "MCO"}, 201)
    assert set(body) == {
        "id",
        "access_token",
        "site_id",
        "currency_id",
        "nickname",
        "webhook_secret",
    }
    assert (body["site_id"], body["currency_id"]) == ("MCO", "COP")
    assert body["access_token"].endswith(f"-{body['id']}")
    r = env.anon.post("/_sandbox/users", json={"site_id": "XXX"})
    assert (r.status_code, r.json()["error"]) == (400, "invalid_site_id")


def test_selector_errors(env: Env) -> None:
    r = env.anon.post("/_sandbox/scan", json={})
    assert (r.status_code, r.json()["error"]) == (400, "bad_request")
    r = env.anon.post("/_sandbox/scan", json={"pos_id": 1})
    assert (r.status_code, set(r.json())) == (404, {"error", "message"})
    r = env.anon.post("/_sandbox/scan", json={"user_id": env.uid, "external_pos_id": "NOPE"})
    assert r.status_code == 404
    r = env.anon.post("/_sandbox/pay", json={"merchant_order_id": 1})
    assert r.status_code == 404
    r = env.anon.post("/_sandbox/pay", json={"pos_id": "x"})
    assert (r.status_code, r.json()["error"]) == (400, "bad_request")
    r = env.anon.post("/_sandbox/pay", json={"pos_id": 1, "status": "maybe"})
    assert r.status_code == 400
    r = env.anon.post("/_sandbox/payments/1/settle", json={"status": "approved"})
    assert r.status_code == 404


def test_pay_amount_rules(env: Env, pos: dict[str, Any]) -> None:
    env.legacy()
    r = env.anon.post("/_sandbox/pay", json={"pos_id": pos["id"], "amount": 1.234})
    assert (r.status_code, r.json()["error"]) == (400, "invalid_amount")
    over = env.control("pay", {"pos_id": pos["id"], "amount": 500}, 201)
    assert over["merchant_order"]["status"] == "closed"


def test_pay_by_merchant_order_id_and_status_detail(env: Env, pos: dict[str, Any]) -> None:
    env.legacy()
    mo_id = env.control("scan", {"pos_id": pos["id"]}, 200)["merchant_order_id"]
    body = {
        "merchant_order_id": mo_id,
        "status": "rejected",
        "status_detail": "cc_rejected_insufficient_amount",
    }
    paid = env.control("pay", body, 201)
    assert paid["payment"]["status_detail"] == "cc_rejected_insufficient_amount"


def test_clock(env: Env) -> None:
    before = env.anon.get("/_sandbox/clock").json()
    after = env.control("clock/advance", {"seconds": 3600}, 200)
    assert after["offset_seconds"] == before["offset_seconds"] + 3600
    assert after["now"] > before["now"]
    r = env.anon.post("/_sandbox/clock/advance", json={"seconds": -1})
    assert r.status_code == 400


def test_reset_and_state(env: Env, pos: dict[str, Any]) -> None:
    env.legacy()
    env.control("pay", {"pos_id": pos["id"]}, 201)
    state = env.anon.get("/_sandbox/state").json()
    assert len(state["merchant_orders"]) == 1
    assert len(state["payments_view"]) == 1
    assert state["pos_qr"][str(pos["id"])].startswith("000201")
    assert env.control("reset", None, 200) == {"reset": True}
    state = env.anon.get("/_sandbox/state").json()
    assert (state["sellers"], state["merchant_orders"]) == ({}, {})
    assert env.http.get("/users/me").status_code == 401


def test_deterministic_ids_for_a_seed() -> None:
    def run() -> tuple[int, int]:
        with Sandbox(seed=42, deliver=False) as sb:
            pos = sb.create_pos("CAJA1")
            assert sb.seller is not None
            return sb.seller.id, pos["id"]

    assert run() == run()


class _Receiver:
    """A tiny notification receiver on 127.0.0.1 recording what it gets."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                outer.received.append(
                    {
                        "path": self.path,
                        "body": json.loads(self.rfile.read(length) or b"null"),
                        "headers": dict(self.headers),
                    }
                )
                self.send_response(200)
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/mp/notifications"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[_Receiver]:
    r = _Receiver()
    yield r
    r.close()


def test_real_delivery_through_the_outbox(receiver: _Receiver) -> None:
    with Sandbox(seed=5) as sb:
        pos = sb.create_pos("CAJA1")
        assert sb.seller is not None
        item = {"title": "Pan", "currency_id": "ARS", "unit_price": 10, "quantity": 1}
        body = {"notification_url": receiver.url + "?source_news=ipn", "items": [item]}
        assert sb.request("POST", f"/mpmobile/instore/qr/{sb.seller.id}/CAJA1", body)[0] == 200
        paid = sb.pay(pos_id=pos["id"])
        mo_id = paid["merchant_order"]["id"]
        sb.wait_for_deliveries(
            lambda ds: len(ds) == 3 and all(d["state"] == "delivered" for d in ds)
        )
        paths = sorted(r["path"] for r in receiver.received)
        assert f"/mp/notifications?source_news=ipn&topic=merchant_order&id={mo_id}" in paths
        assert (
            f"/mp/notifications?source_news=ipn&topic=payment&id={paid['payment']['id']}" in paths
        )
        resources = [r["body"].get("resource") for r in receiver.received]
        assert f"https://api.mercadolibre.com/merchant_orders/{mo_id}" in resources  # MP default


def test_api_faults_hit_mp_paths_only(env: Env) -> None:
    config = {"seed": 1, "api": {"error_rate": 1.0, "error_statuses": [503]}}
    assert env.anon.put("/_sandbox/faults", json=config).status_code == 200
    r = env.http.get("/users/me")
    assert (r.status_code, r.json()["status"]) == (503, 503)
    assert r.headers["x-request-id"]
    assert env.anon.get("/_sandbox/clock").status_code == 200
    env.anon.put("/_sandbox/faults", json={"seed": 1})
    assert env.http.get("/users/me").status_code == 200


def test_control_plane_reads_json_whatever_the_content_type(env: Env) -> None:
    # what `curl -d '{...}'` sends: form-urlencoded
    r = env.anon.post(
        "/_sandbox/users",
        content=b'{"site_id": "MLU"}',
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert (r.status_code, r.json()["currency_id"]) == (201, "UYU")


def test_ipn_resource_host_switch(receiver: _Receiver) -> None:
    with Sandbox(seed=6, ipn_resource_host="sandbox", notify_profile="mp") as sb:
        sb.create_pos("CAJA1")
        assert sb.seller is not None
        item = {"title": "Pan", "currency_id": "ARS", "unit_price": 10, "quantity": 1}
        body = {"notification_url": receiver.url + "?source_news=ipn", "items": [item]}
        assert sb.request("POST", f"/mpmobile/instore/qr/{sb.seller.id}/CAJA1", body)[0] == 200
        mo_id = sb.pay(user_id=sb.seller.id, external_pos_id="CAJA1")["merchant_order"]["id"]
        sb.wait_for_deliveries(
            lambda ds: len(ds) == 3 and all(d["state"] == "delivered" for d in ds)
        )
        resources = [r["body"].get("resource") for r in receiver.received]
        assert f"{sb.base_url}/merchant_orders/{mo_id}" in resources
