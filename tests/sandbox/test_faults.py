"""Fault configuration, API fault decisions, the ASGI middleware and the control routes."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pydantic import ValidationError

from mpqr.sandbox.faults import (
    ApiFaultMiddleware,
    FaultConfig,
    Faults,
    is_mp_path,
)
from mpqr.sandbox.faults import router as faults_router


def make_app(faults: Faults) -> FastAPI:
    app = FastAPI()
    app.state.faults = faults
    app.add_middleware(ApiFaultMiddleware)
    app.include_router(faults_router)

    @app.get("/v1/payments/{pid}")
    async def payment(pid: str) -> dict[str, Any]:
        return {"id": pid}

    @app.get("/_sandbox/clock")
    async def clock() -> dict[str, Any]:
        return {"now": "x"}

    return app


def client_for(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sandbox.test")


# -- config ---------------------------------------------------------------------------------------


def test_defaults_are_all_off() -> None:
    config = FaultConfig()
    assert config.model_dump(mode="json") == {
        "seed": 0,
        "notifications": {"drop": 0.0, "duplicate": 0.0, "delay_ms": [0, 0], "reorder": 0.0},
        "api": {
            "error_rate": 0.0,
            "error_statuses": [500, 503, 429],
            "latency_ms": [0, 0],
            "alias_obtainment_error": 0.0,
        },
    }
    f = Faults(config)
    assert not f.api_active
    assert not f.notifications_active


@pytest.mark.parametrize(
    "bad",
    [
        {"notifications": {"drop": 1.5}},
        {"notifications": {"reorder": -0.1}},
        {"notifications": {"delay_ms": [300, 100]}},
        {"api": {"latency_ms": [-1, 5]}},
        {"api": {"error_statuses": [302]}},
        {"api": {"error_statuses": []}},
        {"api": {"error_rate": 2}},
        {"notifications": {"drops": 1.0}},
        {"seed": "x"},
    ],
)
def test_invalid_configs_are_refused(bad: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        FaultConfig.model_validate(bad)


# -- decisions -----------------------------------------------------------------------------------


def api_faults(seed: int, rate: float = 0.5) -> Faults:
    return Faults(FaultConfig.model_validate({"seed": seed, "api": {"error_rate": rate}}))


def test_api_decisions_are_deterministic_and_reseeded_on_configure() -> None:
    a, b, c = api_faults(5), api_faults(5), api_faults(6)
    seq_a = [a.decide_api().status for _ in range(40)]
    assert seq_a == [b.decide_api().status for _ in range(40)]
    assert seq_a != [c.decide_api().status for _ in range(40)]
    assert {s for s in seq_a} == {None, 500, 503, 429}
    a.configure(a.config)
    assert [a.decide_api().status for _ in range(40)] == seq_a


def test_notification_decisions_are_keyed() -> None:
    config = FaultConfig.model_validate(
        {"seed": 9, "notifications": {"drop": 0.5, "duplicate": 0.5, "delay_ms": [10, 90]}}
    )
    keys = [f"{i}:1" for i in range(30)]
    one, two = Faults(config), Faults(config)
    forward = [one.decide_notification(k) for k in keys]
    backward = [two.decide_notification(k) for k in reversed(keys)]
    assert forward == list(reversed(backward))
    assert any(d.drop for d in forward)
    assert not all(d.drop for d in forward)
    assert all(10 <= d.delay_ms <= 90 for d in forward)


def test_load_and_reset() -> None:
    f = Faults()
    f.load_dict({"seed": 3, "api": {"error_rate": 1}})
    assert f.to_dict()["api"]["error_rate"] == 1.0
    f.reset()
    assert f.config == FaultConfig()


# -- middleware ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "mp"),
    [
        ("/v1/payments/1", True),
        ("/merchant_orders/search", True),
        ("/mpmobile/instore/qr/1/CAJA1", True),
        ("/_sandbox/faults", False),
        ("/_sandbox", False),
        ("/openapi.json", False),
        ("/docs", False),
        ("/", False),
        ("/customer/12", False),
        ("/static/app.js", False),
        ("/qr/123.png", False),
    ],
)
def test_mp_paths(path: str, mp: bool) -> None:
    assert is_mp_path(path) is mp


async def test_injected_errors_use_mp_envelope() -> None:
    f = Faults(
        FaultConfig.model_validate(
            {"seed": 1, "api": {"error_rate": 1.0, "error_statuses": [429, 503, 500]}}
        )
    )
    async with client_for(make_app(f)) as client:
        seen = {}
        for _ in range(30):
            r = await client.get("/v1/payments/1")
            seen[r.status_code] = r
    assert set(seen) == {429, 503, 500}
    keys = {429: "too_many_requests", 503: "service_unavailable", 500: "internal_server_error"}
    for status, r in seen.items():
        body = r.json()
        assert body["error"] == keys[status]
        assert body["status"] == status
        assert body["cause"] == []
        assert body["message"]
        assert r.headers["x-request-id"]
        assert (r.headers.get("retry-after") == "1") is (status == 429)


async def test_control_plane_never_faulted_and_off_is_transparent() -> None:
    f = api_faults(1, rate=1.0)
    async with client_for(make_app(f)) as client:
        assert (await client.get("/_sandbox/clock")).status_code == 200
        assert (await client.get("/openapi.json")).status_code == 200
        assert (await client.get("/v1/payments/1")).status_code >= 429
        assert (await client.put("/_sandbox/faults", json={})).status_code == 200
        r = await client.get("/v1/payments/7")
    assert r.status_code == 200
    assert r.json() == {"id": "7"}


async def test_latency_is_added_to_mp_paths() -> None:
    f = Faults(FaultConfig.model_validate({"api": {"latency_ms": [120, 120]}}))
    async with client_for(make_app(f)) as client:
        began = time.monotonic()
        assert (await client.get("/v1/payments/1")).status_code == 200
        slow = time.monotonic() - began
        began = time.monotonic()
        await client.get("/_sandbox/clock")
        fast = time.monotonic() - began
    assert slow >= 0.11
    assert fast < slow


async def test_other_statuses_get_a_derived_key() -> None:
    f = Faults(
        FaultConfig.model_validate({"api": {"error_rate": 1.0, "error_statuses": [502, 499]}})
    )
    async with client_for(make_app(f)) as client:
        responses = [await client.get("/v1/x") for _ in range(20)]
    bodies = {r.status_code: r.json() for r in responses}
    assert bodies[502]["error"] == "bad_gateway"
    assert bodies[499]["error"] == "bad_request"


# -- routes ----------------------------------------------------------------------------------


async def test_put_and_get_faults() -> None:
    f = Faults()
    config = {
        "seed": 42,
        "notifications": {"drop": 0.25, "duplicate": 0.1, "delay_ms": [5, 50], "reorder": 0.3},
        "api": {"error_rate": 0.05, "error_statuses": [500], "latency_ms": [0, 10]},
    }
    async with client_for(make_app(f)) as client:
        put = await client.put("/_sandbox/faults", json=config)
        got = await client.get("/_sandbox/faults")
    assert put.status_code == 200
    assert put.json() == got.json()
    assert put.json() == {**config, "api": {**config["api"], "alias_obtainment_error": 0.0}}
    assert f.config.seed == 42


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"notifications": {"drop": 3}}, "notifications.drop"),
        ({"api": {"latency_ms": [9, 1]}}, "api.latency_ms"),
        ({"bogus": 1}, "bogus"),
        ([1, 2], "FaultConfig"),
    ],
)
async def test_put_invalid_is_400(body: Any, fragment: str) -> None:
    f = Faults()
    async with client_for(make_app(f)) as client:
        r = await client.put("/_sandbox/faults", json=body)
        raw = await client.put(
            "/_sandbox/faults", content=b"{nope", headers={"content-type": "application/json"}
        )
    assert r.status_code == 400
    assert r.json()["error"] == "bad_request"
    assert fragment in r.json()["message"] or fragment == "FaultConfig"
    assert raw.status_code == 400
    assert "not JSON" in raw.json()["message"]
    assert f.config == FaultConfig()


async def test_openapi_describes_the_put_body() -> None:
    async with client_for(make_app(Faults())) as client:
        spec = (await client.get("/openapi.json")).json()
    schema = spec["paths"]["/_sandbox/faults"]["put"]["requestBody"]["content"]["application/json"]
    assert "$defs" not in str(schema)
    assert "notifications" in schema["schema"]["properties"]
