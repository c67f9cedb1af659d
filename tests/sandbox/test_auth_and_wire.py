"""Auth (header and query), seller isolation, x-request-id, error envelopes for unknown paths."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sandbox_env import Env

from mpqr.sandbox.testing import Sandbox

UNAUTHORIZED = {
    "message": "invalid access token",
    "error": "unauthorized",
    "status": 401,
    "cause": [],
}


def test_users_me_with_header_and_query(env: Env) -> None:
    me = env.http.get("/users/me").json()
    assert (me["id"], me["site_id"], me["nickname"]) == (env.uid, "MLA", env.seller.nickname)
    r = env.anon.get("/users/me", params={"access_token": env.seller.access_token})
    assert r.json()["id"] == env.uid
    test_token = env.seller.access_token.replace("APP_USR-", "TEST-", 1)
    r = env.anon.get("/users/me", headers={"Authorization": f"Bearer {test_token}"})
    assert r.json()["id"] == env.uid


def test_token_format(env: Env) -> None:
    parts = env.seller.access_token.split("-")
    assert parts[0] == "APP_USR"
    assert parts[-1] == str(env.uid)


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic abc"}],
)
def test_bad_or_missing_token(env: Env, headers: dict[str, str]) -> None:
    r = env.anon.get("/merchant_orders/search", headers=headers)
    assert (r.status_code, r.json()) == (401, UNAUTHORIZED)
    assert "nope" not in r.text


def test_legacy_auth_400_switch() -> None:
    with Sandbox(seed=4, deliver=False, legacy_auth_400=True) as sb:
        status, body = sb.request("DELETE", "/mpmobile/instore/qr/1/CAJA1", auth=False)
        assert (status, body["error"], body["message"]) == (
            400,
            "invalid_access_token",
            "access denied",
        )
        assert sb.request("GET", "/users/me", auth=False)[0] == 401


def test_sellers_see_only_their_own_data(env: Env, pos: dict[str, Any]) -> None:
    env.legacy()
    paid = env.control("pay", {"pos_id": pos["id"]}, 201)
    other = env.sb.create_seller("MLA")
    with httpx.Client(base_url=env.sb.base_url, headers=other.auth_headers) as http:
        assert http.get(f"/merchant_orders/{paid['merchant_order']['id']}").status_code == 404
        assert http.get(f"/v1/payments/{paid['payment']['id']}").status_code == 404
        assert http.get(f"/pos/{pos['id']}").status_code == 404
        assert http.get("/merchant_orders/search").json()["total"] == 0
        assert http.get("/v1/payments/search").json()["paging"]["total"] == 0
        r = http.get(f"/users/{env.uid}/stores/search")
        assert r.status_code == 403
        assert r.json()["error"] == "forbidden"


def test_every_response_carries_x_request_id(env: Env) -> None:
    ids = set()
    for r in (
        env.http.get("/users/me"),
        env.anon.get("/users/me"),
        env.http.get("/nowhere"),
        env.anon.get("/_sandbox/clock"),
        env.http.delete("/pos/1"),
    ):
        assert r.headers["x-request-id"]
        assert r.headers["x-mpqr-sandbox"]
        ids.add(r.headers["x-request-id"])
    assert len(ids) == 5


def test_unknown_paths_and_methods_use_mp_envelope(env: Env) -> None:
    r = env.http.get("/nowhere")
    assert r.json() == {
        "message": "resource not found",
        "error": "not_found",
        "status": 404,
        "cause": [],
    }
    r = env.http.patch("/users/me")
    assert (r.status_code, r.json()["error"]) == (405, "method_not_allowed")


def test_invalid_json_is_400_in_each_family(env: Env) -> None:
    raw = {"content": b"{not json", "headers": {"Content-Type": "application/json"}}
    legacy = env.http.post(f"/mpmobile/instore/qr/{env.uid}/CAJA1", **raw)  # type: ignore[arg-type]
    assert (legacy.status_code, legacy.json()["causes"]) == (400, [])
    orders = env.http.post(
        "/v1/orders",
        headers={"X-Idempotency-Key": "k", "Content-Type": "application/json"},
        content=b"[",
    )
    assert (orders.status_code, "errors" in orders.json()) == (400, True)
    control = env.anon.post(
        "/_sandbox/pay", content=b"{", headers={"Content-Type": "application/json"}
    )
    assert control.status_code == 400
    assert set(control.json()) == {"error", "message"}
    general = env.http.post("/pos", content=b"nope")
    assert (general.status_code, general.json()["error"]) == (400, "bad_request")


def test_unknown_fields_are_ignored(env: Env, pos: dict[str, Any]) -> None:
    env.legacy(brand_new_field={"x": 1})
    r = env.v2(another_unknown=True)
    assert r.status_code == 204


def test_test_user(env: Env) -> None:
    r = env.http.post("/users/test_user", json={"site_id": "MLB"})
    assert r.status_code == 201
    body = r.json()
    assert set(body) == {"id", "nickname", "password", "site_status", "email"}
    assert body["site_status"] == "active"
    assert env.http.post("/users/test_user", json={"site_id": "XXX"}).status_code == 400
