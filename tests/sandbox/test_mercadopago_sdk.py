"""The official ``mercadopago`` SDK (3.6.0), unchanged but for its base URL, against the sandbox."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import mercadopago
import pytest
from mercadopago.config.config import Config

from mpqr.sandbox.testing import Sandbox


@pytest.fixture
def sdk_env() -> Iterator[tuple[Sandbox, Any, dict[str, Any]]]:
    with Sandbox(seed=11, deliver=False) as sb:
        assert sb.seller is not None
        pos = sb.create_pos("CAJA1")
        item = {"title": "Shampoo", "currency_id": "ARS", "unit_price": 120.0, "quantity": 1}
        body = {"external_reference": "SDK-1", "items": [item]}
        assert sb.request("POST", f"/mpmobile/instore/qr/{sb.seller.id}/CAJA1", body)[0] == 200
        paid = sb.pay(pos_id=pos["id"])
        yield sb, sb.mercadopago_sdk(), paid  # the SDK's public http_client seam, no patching
    assert Config._Config__api_base_url == "https://api.mercadopago.com"  # type: ignore[attr-defined]


def test_merchant_order_get_and_search(sdk_env: tuple[Sandbox, Any, dict[str, Any]]) -> None:
    _, sdk, paid = sdk_env
    mo_id = paid["merchant_order"]["id"]
    got = sdk.merchant_order().get(mo_id)
    assert got["status"] == 200
    assert (got["response"]["id"], got["response"]["status"]) == (mo_id, "closed")
    found = sdk.merchant_order().search({"external_reference": "SDK-1"})
    assert found["status"] == 200
    assert found["response"]["total"] == 1
    assert found["response"]["elements"][0]["order_status"] == "paid"


def test_payment_get_and_search(sdk_env: tuple[Sandbox, Any, dict[str, Any]]) -> None:
    _, sdk, paid = sdk_env
    pid = paid["payment"]["id"]
    got = sdk.payment().get(pid)
    assert (got["status"], got["response"]["status"]) == (200, "approved")
    assert got["response"]["order"]["type"] == "mercadopago"
    found = sdk.payment().search(
        {"external_reference": "SDK-1", "sort": "date_created", "criteria": "desc"}
    )
    assert found["status"] == 200
    assert [p["id"] for p in found["response"]["results"]] == [pid]


def test_refunds(sdk_env: tuple[Sandbox, Any, dict[str, Any]]) -> None:
    _, sdk, paid = sdk_env
    pid = paid["payment"]["id"]
    partial = sdk.refund().create(pid, {"amount": 20.5})
    assert (partial["status"], partial["response"]["amount"]) == (201, 20.5)
    full = sdk.refund().create(pid)
    assert (full["status"], full["response"]["amount"]) == (201, 99.5)
    listed = sdk.refund().list_all(pid)
    assert [r["amount"] for r in listed["response"]] == [20.5, 99.5]
    one = sdk.refund().get(pid, partial["response"]["id"])
    assert one["response"]["id"] == partial["response"]["id"]
    payment = sdk.payment().get(pid)["response"]
    assert (payment["status"], payment["transaction_amount_refunded"]) == ("refunded", 120)
    mo = sdk.merchant_order().get(paid["merchant_order"]["id"])["response"]
    assert mo["order_status"] == "reverted"


def test_errors_reach_the_sdk(sdk_env: tuple[Sandbox, Any, dict[str, Any]]) -> None:
    sb, _, _ = sdk_env
    bad = sb.mercadopago_sdk("APP_USR-1-2-3-4")
    got = bad.merchant_order().get(1)
    assert (got["status"], got["response"]["error"]) == (401, "unauthorized")


def test_sandbox_patch_helper() -> None:
    with Sandbox(seed=12, deliver=False) as sb, sb.patch_mercadopago_sdk():
        assert sb.seller is not None
        me = mercadopago.SDK(sb.seller.access_token).user().get()
        assert (me["status"], me["response"]["id"]) == (200, sb.seller.id)
