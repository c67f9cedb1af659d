"""Every sample in ``samples/`` against the sandbox's answer in the same situation.

A sample is a response Mercado Pago gave (or documents, or an official SDK fixture holds), with
its provenance. The test puts the sandbox in the situation the sample describes and compares the
two by shape (``shape.py``): field names, types, nesting, enum values; ids and dates by form.
``ignore`` lists the fields the sandbox does not emulate (docs/sandbox-fidelity.md says why).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from shape import shape_differences

from mpqr.sandbox.testing import Sandbox

SAMPLES = Path(__file__).parent / "samples"
ITEM = {"title": "Shampoo", "currency_id": "ARS", "unit_price": 120.0, "quantity": 1}
Situation = Callable[[Sandbox], Any]


@pytest.fixture(scope="module")
def sb() -> Iterator[Sandbox]:
    with Sandbox(seed=21) as sandbox:
        sandbox.create_pos("CAJA1")
        yield sandbox


def _ok(sb: Sandbox, method: str, path: str, body: Any = None, **kw: Any) -> Any:
    status, answer = sb.request(method, path, body, **kw)
    assert status < 400, answer
    return answer


def no_match(sb: Sandbox) -> Any:
    return _ok(sb, "GET", "/merchant_orders/search?external_reference=nothing-here")


def legacy_create(sb: Sandbox) -> Any:
    assert sb.seller is not None
    sponsor = sb.create_seller("MLA")
    body = {
        "external_reference": "Factura-0001",
        "notification_url": "www.yourserver.com",
        "sponsor_id": sponsor.id,
        "items": [
            {**ITEM, "id": "78123172", "description": "Almendras", "picture_url": "https://x.y/z"}
        ],
    }
    return _ok(sb, "POST", f"/mpmobile/instore/qr/{sb.seller.id}/CAJA1", body)


def items_not_a_list(sb: Sandbox) -> Any:
    assert sb.seller is not None
    body = {"external_reference": "7183", "items": {"title": "Tacos", "quantity": 4}}
    return sb.request("POST", f"/mpmobile/instore/qr/{sb.seller.id}/CAJA1", body)[1]


def alias_error(sb: Sandbox) -> Any:
    assert sb.seller is not None
    fault = {"seed": 1, "api": {"alias_obtainment_error": 1.0}}
    assert sb.request("PUT", "/_sandbox/faults", fault, auth=False)[0] == 200
    try:
        path = f"/instore/orders/qr/seller/collectors/{sb.seller.id}/pos/CAJA1/qrs"
        return sb.request("POST", path, {"external_reference": "x"})[1]
    finally:
        sb.request("PUT", "/_sandbox/faults", {"seed": 1}, auth=False)


def ipn_body(sb: Sandbox) -> Any:
    assert sb.seller is not None
    body = {"notification_url": "http://127.0.0.1:9/ipn?source_news=ipn", "items": [ITEM]}
    _ok(sb, "POST", f"/mpmobile/instore/qr/{sb.seller.id}/CAJA1", body)
    mo_id = sb.pay(user_id=sb.seller.id, external_pos_id="CAJA1")["merchant_order"]["id"]
    (delivery, *_) = [
        d for d in sb.deliveries() if d["resource_id"] == str(mo_id) and d["form"] == "ipn"
    ]
    return delivery["body"]


def mlb_merchant_order(sb: Sandbox) -> Any:
    seller = sb.create_seller("MLB")
    headers = seller.auth_headers
    store = {"name": "Loja", "external_id": "LOJA1", "location": {}}
    _ok(sb, "POST", f"/users/{seller.id}/stores", store, headers=headers, auth=False)
    pos = {"name": "Caixa", "external_store_id": "LOJA1", "external_id": "CX1"}
    _ok(sb, "POST", "/pos", {**pos, "fixed_amount": True}, headers=headers, auth=False)
    order = {
        "external_reference": "ext-ref-001",
        "title": "Point Mini",
        "description": "Maquininha",
        "notification_url": "https://example.com/notifications",
        "total_amount": 58.8,
        "items": [
            {
                "sku_number": "item-001",
                "title": "Point Mini",
                "description": "Maquininha",
                "unit_price": 58.8,
                "quantity": 1,
                "unit_measure": "unit",
                "total_amount": 58.8,
            }
        ],
    }
    path = f"/instore/qr/seller/collectors/{seller.id}/pos/CX1/orders"
    assert sb.request("PUT", path, order, headers=headers, auth=False)[0] == 204
    search = "/merchant_orders/search?external_reference=ext-ref-001"
    (mo,) = _ok(sb, "GET", search, headers=headers, auth=False)["elements"]
    return mo


def _paid_order(sb: Sandbox) -> dict[str, Any]:
    body = {
        "type": "qr",
        "total_amount": "5200.00",
        "description": "Order QR - Sucursal 22",
        "external_reference": "ID23",
        "expiration_time": "PT16M",
        "config": {"qr": {"external_pos_id": "CAJA1", "mode": "static"}},
        "transactions": {"payments": [{"amount": "5200.00"}]},
        "items": [
            {
                "title": "Citric naranja 1lt",
                "unit_price": "5200.00",
                "unit_measure": "unit",
                "external_code": "7798085681568",
                "quantity": 1,
            }
        ],
    }
    order = _ok(sb, "POST", "/v1/orders", body, headers={"X-Idempotency-Key": "fidelity-1"})
    assert sb.seller is not None
    card = {"card_number": "4509 9535 6623 3704", "cardholder_name": "APRO"}
    sb.pay(user_id=sb.seller.id, external_pos_id="CAJA1", **card)
    paid: dict[str, Any] = _ok(sb, "GET", f"/v1/orders/{order['id']}")
    return paid


def orders_api_processed(sb: Sandbox) -> Any:
    return _paid_order(sb)


def payment_of_the_order(sb: Sandbox) -> Any:
    order = _ok(sb, "GET", "/v1/payments/search?external_reference=ID23")["results"]
    if not order:
        _paid_order(sb)
        order = _ok(sb, "GET", "/v1/payments/search?external_reference=ID23")["results"]
    return _ok(sb, "GET", f"/v1/payments/{order[0]['id']}")


SITUATIONS: dict[str, Situation] = {
    "mo_search_no_match": no_match,
    "legacy_create_response": legacy_create,
    "invalid_preference_body": items_not_a_list,
    "alias_obtainment_error": alias_error,
    "ipn_merchant_order_body": ipn_body,
    "merchant_order_sdk_fixture": mlb_merchant_order,
    "orders_api_processed_mla": orders_api_processed,
    "payment_qr_mla": payment_of_the_order,
}


def test_every_sample_has_a_situation_and_a_provenance() -> None:
    names = {p.stem for p in SAMPLES.glob("*.json")}
    assert names == set(SITUATIONS)
    for path in SAMPLES.glob("*.json"):
        sample = json.loads(path.read_text(encoding="utf-8"))
        provenance = sample["provenance"]
        assert provenance["retrieved"]
        assert provenance.get("url") or provenance.get("repository") or provenance.get("source")
        assert sample["situation"]


@pytest.mark.parametrize("name", sorted(SITUATIONS))
def test_the_sandbox_answers_like_the_sample(sb: Sandbox, name: str) -> None:
    sample = json.loads((SAMPLES / f"{name}.json").read_text(encoding="utf-8"))
    answer = SITUATIONS[name](sb)
    ignore = frozenset(sample["ignore"])
    assert shape_differences(sample["response"], answer, ignore=ignore) == []


def test_the_comparison_can_fail() -> None:
    """The net catches what it is meant to catch."""
    sample = {
        "elements": None,
        "id": 1,
        "status": "closed",
        "date": "2025-12-09T13:20:17.000-04:00",
    }
    answer = {"elements": [], "id": "x1", "status": "opened", "date": "2025-12-09 13:20"}
    found = shape_differences(sample, answer)
    assert [f.split(":")[0] for f in found] == ["elements", "id", "status", "date"]
    assert shape_differences({"a": {"b": 1}}, {"a": {}}) == ["a.b: missing here"]
