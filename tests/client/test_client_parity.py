"""Client and AsyncClient are twins: same public names, same parameters, on every resource."""

from __future__ import annotations

import inspect

import pytest

from mpqr import AsyncClient, Client

RESOURCES = [
    "users",
    "test_users",
    "stores",
    "pos",
    "qr_orders",
    "orders",
    "merchant_orders",
    "payments",
]


def public(obj: object) -> set[str]:
    return {name for name in dir(obj) if not name.startswith("_")}


def params(func: object) -> list[tuple[str, object, object]]:
    sig = inspect.signature(func)  # type: ignore[arg-type]
    return [(p.name, p.kind, p.default) for p in sig.parameters.values()]


@pytest.fixture
def twins() -> tuple[Client, AsyncClient]:
    return Client("t", base_url="http://127.0.0.1:9"), AsyncClient(
        "t", base_url="http://127.0.0.1:9"
    )


def test_client_public_names_match(twins: tuple[Client, AsyncClient]) -> None:
    sync, aio = twins
    assert public(sync) - {"close"} == public(aio) - {"aclose"}
    assert set(RESOURCES) <= public(sync)


@pytest.mark.parametrize("name", RESOURCES)
def test_resource_methods_and_signatures_match(
    twins: tuple[Client, AsyncClient], name: str
) -> None:
    sync, aio = (getattr(c, name) for c in twins)
    assert public(sync) == public(aio)
    for method in public(sync):
        assert params(getattr(sync, method)) == params(getattr(aio, method)), method
        sync_fn, async_fn = getattr(sync, method), getattr(aio, method)
        if method == "iter_all":
            assert inspect.isasyncgenfunction(async_fn)
        else:
            assert inspect.iscoroutinefunction(async_fn)
            assert not inspect.iscoroutinefunction(sync_fn)


def test_constructor_and_request_signatures_match() -> None:
    sync_ctor = [p for p in params(Client.__init__) if p[0] != "sleep"]
    async_ctor = [p for p in params(AsyncClient.__init__) if p[0] != "sleep"]
    assert sync_ctor == async_ctor
    assert params(Client.request) == params(AsyncClient.request)
