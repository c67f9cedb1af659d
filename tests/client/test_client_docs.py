"""docs/client.md documents every public method of both clients and of their resources."""

from __future__ import annotations

from pathlib import Path

import pytest

from mpqr import AsyncClient, Client

DOC = (Path(__file__).resolve().parents[2] / "docs" / "client.md").read_text(encoding="utf-8")
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


def public(obj: object) -> list[str]:
    return sorted(name for name in dir(obj) if not name.startswith("_"))


@pytest.mark.parametrize("cls", [Client, AsyncClient])
def test_every_resource_method_is_documented(cls: type[Client] | type[AsyncClient]) -> None:
    client = cls("t", base_url="http://127.0.0.1:9")
    missing = [
        f"{name}.{method}"
        for name in RESOURCES
        for method in public(getattr(client, name))
        if f"`mp.{name}.{method}(" not in DOC
    ]
    assert missing == []


@pytest.mark.parametrize("cls", [Client, AsyncClient])
def test_every_client_method_is_documented(cls: type[Client] | type[AsyncClient]) -> None:
    methods = [m for m in public(cls) if callable(getattr(cls, m))]
    assert methods  # request and close / aclose at least
    missing = [m for m in methods if f"mp.{m}(" not in DOC]
    assert missing == []


def test_sponsor_rules_are_explained() -> None:
    for words in ("other than the collector", "invalid_sponsor_id", "same site"):
        assert words in DOC
