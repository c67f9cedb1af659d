"""Mercado Pago's test cards, cardholder names, payment methods and fees (issue 10, §3)."""

from __future__ import annotations

from typing import Any

import pytest
from sandbox_env import Env

from mpqr.sandbox import catalog
from mpqr.sandbox.testing import Sandbox

VISA = "4509 9535 6623 3704"


def _pay(env: Env, pos: dict[str, Any], status: int = 201, **body: Any) -> Any:
    env.legacy(amount=100)
    return env.control("pay", {"pos_id": pos["id"], **body}, status)


@pytest.mark.parametrize("holder", catalog.holders(), ids=lambda h: h.name)
def test_every_cardholder_name_picks_its_documented_outcome(
    env: Env, pos: dict[str, Any], holder: catalog.HolderOutcome
) -> None:
    paid = _pay(env, pos, card_number=VISA, cardholder_name=f"{holder.name} Perez")
    p = paid["payment"]
    assert (p["status"], p["status_detail"]) == (holder.status.value, holder.status_detail)
    assert (p["payment_method_id"], p["payment_type_id"]) == ("visa", "credit_card")
    assert (p["card"]["first_six_digits"], p["card"]["last_four_digits"]) == ("450995", "3704")


def test_the_official_pairs() -> None:
    pairs = {h.name: (h.status.value, h.status_detail) for h in catalog.holders()}
    assert pairs["APRO"] == ("approved", "accredited")
    assert pairs["OTHE"] == ("rejected", "cc_rejected_other_reason")
    assert pairs["CONT"] == ("in_process", "pending_contingency")
    assert pairs["CALL"] == ("rejected", "cc_rejected_call_for_authorize")
    assert pairs["FUND"] == ("rejected", "cc_rejected_insufficient_amount")
    assert pairs["SECU"] == ("rejected", "cc_rejected_bad_filled_security_code")
    assert pairs["EXPI"] == ("rejected", "cc_rejected_bad_filled_date")
    assert pairs["FORM"] == ("rejected", "cc_rejected_bad_filled_other")
    for site_id in ("MLA", "MLB", "MLC", "MCO", "MLM", "MPE", "MLU"):
        assert catalog.cards(site_id), site_id
        assert catalog.methods(site_id)[0].id == "account_money"


def test_account_money_is_the_default_and_an_explicit_status_still_wins(
    env: Env, pos: dict[str, Any]
) -> None:
    p = _pay(env, pos)["payment"]
    assert (p["payment_method_id"], p["payment_type_id"], p["card"]) == (
        "account_money",
        "account_money",
        {},
    )
    env.legacy(amount=100)
    body = {
        "pos_id": pos["id"],
        "card_number": VISA,
        "cardholder_name": "APRO",
        "status": "rejected",
    }
    assert env.control("pay", body, 201)["payment"]["status_detail"] == "cc_rejected_other_reason"


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"card_number": "4111 1111 1111 1111"}, "invalid_card_number"),
        ({"payment_method_id": "pix"}, "invalid_payment_method"),
        ({"payment_method_id": "debvisa", "installments": 3}, "invalid_installments"),
    ],
)
def test_refused_instruments(
    env: Env, pos: dict[str, Any], body: dict[str, Any], error: str
) -> None:
    env.legacy()
    r = env.anon.post("/_sandbox/pay", json={"pos_id": pos["id"], **body})
    assert (r.status_code, r.json()["error"]) == (400, error)


def test_interoperable_transfer_hides_the_payer(env: Env, pos: dict[str, Any]) -> None:
    p = _pay(env, pos, payment_method_id="interop_transfer")["payment"]
    assert (p["payment_method_id"], p["payment_type_id"]) == ("interop_transfer", "bank_transfer")
    assert p["point_of_interaction"]["sub_type"] == "INTER_PSP"
    assert p["payer"]["id"] is None


def test_pix_needs_a_seller_that_is_not_a_test_user() -> None:
    with Sandbox(seed=4, site_id="MLB", deliver=False) as sb:
        assert sb.seller is not None
        sb.create_pos("CAJA1")
        item = {"title": "Pão", "currency_id": "BRL", "unit_price": 10, "quantity": 1}
        path = f"/mpmobile/instore/qr/{sb.seller.id}/CAJA1"
        assert sb.request("POST", path, {"items": [item]})[0] == 200
        pos = sb.request("GET", "/pos")[1]["results"][0]
        status, body = sb.request(
            "POST", "/_sandbox/pay", {"pos_id": pos["id"], "payment_method_id": "pix"}, auth=False
        )
        assert (status, body["error"]) == (400, "pix_not_available")


def test_fees_net_and_release(env: Env, pos: dict[str, Any]) -> None:
    p = _pay(env, pos, card_number=VISA, cardholder_name="APRO")["payment"]
    assert p["fee_details"] == [
        {"amount": 7.61, "fee_payer": "collector", "type": "mercadopago_fee"}
    ]
    assert p["transaction_details"]["net_received_amount"] == 92.39
    assert (p["money_release_date"], p["money_release_status"]) == (p["date_approved"], "released")
    rejected = _pay(env, pos, card_number=VISA, cardholder_name="OTHE")["payment"]
    assert rejected["fee_details"] == []
    assert rejected["transaction_details"]["net_received_amount"] == 100


def test_fee_override_with_a_release_delay(env: Env, pos: dict[str, Any]) -> None:
    r = env.anon.put("/_sandbox/fees/MLA:account_money", json={"rate": 2.5, "release_days": 2})
    assert r.status_code == 200
    assert env.anon.get("/_sandbox/fees").json()["MLA:account_money"] == {
        "rate": "2.5",
        "release_days": 2,
    }
    pid = _pay(env, pos)["payment"]["id"]
    p = env.http.get(f"/v1/payments/{pid}").json()
    assert (p["fee_details"][0]["amount"], p["money_release_status"]) == (2.5, "pending")
    env.control("clock/advance", {"seconds": 2 * 86400}, 200)
    assert env.http.get(f"/v1/payments/{pid}").json()["money_release_status"] == "released"


def test_test_cards_endpoint(env: Env) -> None:
    got = env.anon.get("/_sandbox/test_cards", params={"site_id": "MLB"}).json()
    assert got["site_id"] == "MLB"
    assert {c["payment_method_id"] for c in got["cards"]} >= {"visa", "master"}
    assert [h["name"] for h in got["cardholders"]][:3] == ["APRO", "OTHE", "CONT"]
    assert {"id": "pix", "payment_type_id": "bank_transfer"} in got["payment_methods"]


def test_alias_obtainment_error_is_an_opt_in_fault(env: Env) -> None:
    env.anon.put("/_sandbox/faults", json={"seed": 3, "api": {"alias_obtainment_error": 1.0}})
    body = {"items": [{"title": "x", "currency_id": "ARS", "unit_price": 1, "quantity": 1}]}
    r = env.http.post(f"/mpmobile/instore/qr/{env.uid}/CAJA1", json=body)
    assert (r.status_code, r.json()) == (
        500,
        {
            "error": "alias_obtainment_error",
            "message": "Get aliases for user failed",
            "status": 500,
            "causes": [],
        },
    )
    assert env.http.get("/users/me").status_code == 200  # reads are not touched
    env.anon.put("/_sandbox/faults", json={"seed": 3})
    assert env.http.post(f"/mpmobile/instore/qr/{env.uid}/CAJA1", json=body).status_code == 200
