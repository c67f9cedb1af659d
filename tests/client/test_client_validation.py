"""Bad input raises ValidationError naming the field, and the server sees no request."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from client_testkit import Api

from mpqr.errors import ValidationError


def v1(*items: dict[str, Any]) -> dict[str, Any]:
    return {"external_reference": "F1", "items": list(items)}


def item(price: Any = "10", currency: str = "ARS", quantity: Any = 1) -> dict[str, Any]:
    return {"title": "x", "currency_id": currency, "unit_price": price, "quantity": quantity}


def v2(total: Any = "10", **changes: Any) -> dict[str, Any]:
    body = {
        "external_reference": "A1",
        "title": "T",
        "total_amount": total,
        "items": [{"title": "x", "unit_price": total, "quantity": 1, "total_amount": total}],
    }
    body.update(changes)
    return body


def orders_body(total: Any = "10", payment: Any = None) -> dict[str, Any]:
    return {
        "external_reference": "A1",
        "total_amount": total,
        "config": {"qr": {"external_pos_id": "CAJA01"}},
        "transactions": {"payments": [{"amount": total if payment is None else payment}]},
    }


ANY_SITE = [
    (
        ("qr_orders.create_v1", 1, "P1", v1(item(), item("10.50", "COP"))),
        "items[1].unit_price: COP amounts must be whole numbers: got 10.50",
    ),
    (("qr_orders.create_v1", 1, "P1", v1(item("1.234"))), "items[0].unit_price: ARS amounts take"),
    (("qr_orders.create_v1", 1, "P1", v1(item("-5"))), "items[0].unit_price: ARS amounts must be"),
    (("qr_orders.create_v1", 1, "P1", v1(item("abc"))), "items[0].unit_price: amount must be"),
    (("qr_orders.create_v1", 1, "P1", v1(item(currency="USD"))), "items[0].currency_id: unknown"),
    (("qr_orders.create_v1", 1, "P1", v1(item(quantity=0))), "items[0].quantity: must be an int"),
    (("qr_orders.create_v1", 1, "P1", v1(item(quantity=1.5))), "items[0].quantity"),
    (("qr_orders.create_v1", 1, "P1", v1(item(quantity=True))), "items[0].quantity"),
    (("qr_orders.create_v1", 1, "P1", v1()), "items: at least one item is required"),
    (("qr_orders.create_v1", 1, "P1", {"items": "nope"}), "items: at least one item"),
    (("qr_orders.create_v1", 1, "P1", v1(item()), 0), "ttl_seconds: must be an integer >= 1"),
    (("qr_orders.create_v1", "", "P1", v1(item())), "user_id: must be a non-empty"),
    (("qr_orders.put", 1, "P1", v2("1.001")), "total_amount: amounts take at most 2 decimals"),
    (("qr_orders.put", 1, "P1", v2(items=[])), "items: at least one item is required"),
    (("qr_orders.put", 1, "P1", v2(items=None)), "items: at least one item is required"),
    (("qr_orders.create_dynamic", 1, "P1", v2("0")), "total_amount: amounts must be greater"),
    (("qr_orders.put_hybrid", 1, " ", v2()), "external_pos_id: must be a non-empty"),
    (("orders.create", orders_body(payment="1.001")), "transactions.payments[0].amount"),
    (("orders.create", {"total_amount": "1"}), "transactions.payments: at least one"),
    (("orders.refund", "ORD1"), None),  # full refund: valid
    (("orders.get", ""), "order_id: must be a non-empty"),
    (("payments.refund", 1, "-1"), "amount:"),
    (("payments.get_refund", 1, ""), "refund_id: must be a non-empty"),
    (("pos.create", {"name": "C", "external_id": "CAJA-01"}), "external_id: must be 1 to 40"),
    (("pos.create", {"name": "C", "external_id": "A" * 41}), "external_id: must be 1 to 40"),
    (("pos.update", 1, {"external_id": "caja 1"}), "external_id: must be 1 to 40"),
    (("stores.create", 1, ["not", "a", "dict"]), "body: must be a dict or a request model"),
    (("test_users.create", "XYZ"), "site_id: unknown site"),
]

NO_CURRENCY = {"title": "x", "unit_price": "10", "quantity": 1}
CLEAR_MESSAGES = [
    (
        ("qr_orders.create_v1", 1, "P1", v1(NO_CURRENCY)),
        "items[0].currency_id is required: one of ARS, BRL, CLP, COP, MXN, PEN, UYU",
    ),
    (
        ("qr_orders.create_v1", 1, "P1", v1({**NO_CURRENCY, "currency_id": None})),
        "items[0].currency_id is required",
    ),
    (
        ("qr_orders.create_v1", 1, "P1", v1({**NO_CURRENCY, "currency_id": " "})),
        "items[0].currency_id is required",
    ),
    (
        ("qr_orders.create_v1", 1, "CAJA/1", v1(item())),
        "external_pos_id: '/' is not allowed in an id, it would change the URL path (a POS "
        "external_id is letters and digits only): got 'CAJA/1'",
    ),
    (("qr_orders.delete_v1", 1, "../pos"), "external_pos_id: '/' is not allowed"),
    (("qr_orders.put", 1, "CAJA?x=1", v2()), "external_pos_id: '?' is not allowed"),
    (("qr_orders.get", 1, "CAJA#1"), "external_pos_id: '#' is not allowed"),
    (("qr_orders.delete", 1, "CAJA%2F1"), "external_pos_id: '%' is not allowed"),
    (("qr_orders.create_dynamic", 1, "..", v2()), "external_pos_id: '..' is not allowed"),
    (("qr_orders.put_hybrid", 1, "CAJA\\1", v2()), "external_pos_id: '\\\\' is not allowed"),
    (("qr_orders.put", 1, "CAJA1", v2(), "SUC/1"), "external_store_id: '/' is not allowed"),
    (("orders.get", "ORD01/cancel"), "order_id: '/' is not allowed in an id"),
    (("payments.get", "1?x"), "payment_id: '?' is not allowed in an id"),
    (
        ("qr_orders.create_v1", 123, "P1", {**v1(item()), "sponsor_id": 123}),
        "sponsor_id: must be the integrator's Mercado Pago user id, not the collector's own (123)",
    ),
    (
        ("qr_orders.create_v1", 123, "P1", {**v1(item()), "sponsor_id": "abc"}),
        "sponsor_id: must be a Mercado Pago user id (a number): got 'abc'",
    ),
    (("qr_orders.put", 123, "P1", v2(sponsor={"id": "123"})), "sponsor.id: must be the integ"),
    (("qr_orders.create_dynamic", 1, "P1", v2(sponsor={"id": -4})), "sponsor.id: must be a Merc"),
    (("qr_orders.put_hybrid", 1, "P1", v2(sponsor={})), "sponsor.id: required when sponsor"),
]


@pytest.mark.parametrize(
    ("call", "message"), CLEAR_MESSAGES, ids=[str(i) for i in range(len(CLEAR_MESSAGES))]
)
async def test_clear_message_before_sending(api: Api, server: Any, call: Any, message: str) -> None:
    with pytest.raises(ValidationError) as info:
        await api(*call)
    assert str(info.value).startswith(message), str(info.value)
    assert server.requests == []


@pytest.mark.parametrize(("call", "message"), ANY_SITE, ids=[str(i) for i in range(len(ANY_SITE))])
async def test_refused_before_sending(api: Api, server: Any, call: Any, message: Any) -> None:
    if message is None:
        server.reply(201, {"id": "ORD1"})
        await api(*call)
        return
    with pytest.raises(ValidationError) as info:
        await api(*call)
    assert str(info.value).startswith(message), str(info.value)
    assert server.requests == []


def test_partial_order_refund_needs_both_amount_and_transaction() -> None:
    from mpqr.client.resources import orders

    with pytest.raises(ValidationError, match="transaction_id: required"):
        orders.refund("ORD1", amount="5")
    with pytest.raises(ValidationError, match="amount: required"):
        orders.refund("ORD1", transaction_id="PAY1")


SITE_COP = [
    (("qr_orders.put", 1, "P1", v2("10.50")), "total_amount: COP amounts must be whole numbers"),
    (
        (
            "qr_orders.create_dynamic",
            1,
            "P1",
            v2(
                "1000",
                items=[
                    {"title": "x", "unit_price": "999.5", "quantity": 2, "total_amount": "1999"}
                ],
            ),
        ),
        "items[0].unit_price: COP amounts must be whole numbers: got 999.5",
    ),
    (("orders.create", orders_body("1000.50")), "total_amount: COP amounts must be whole"),
    (("orders.refund", "ORD1"), None),
    (("payments.refund", 1, Decimal("10.5")), "amount: COP amounts must be whole numbers"),
    (
        ("qr_orders.create_v1", 1, "P1", v1(item(currency="ARS"))),
        "items[0].currency_id: the seller",
    ),
]


@pytest.mark.parametrize(("call", "message"), SITE_COP, ids=[str(i) for i in range(len(SITE_COP))])
async def test_site_currency_rules(api_mco: Api, server: Any, call: Any, message: Any) -> None:
    if message is None:
        server.reply(201, {"id": "ORD1"})
        await api_mco(*call)
        return
    with pytest.raises(ValidationError) as info:
        await api_mco(*call)
    assert str(info.value).startswith(message), str(info.value)
    assert server.requests == []


async def test_cop_orders_api_amounts_are_sent_as_two_decimal_strings(
    api_mco: Api, server: Any
) -> None:
    server.reply(201, {"id": "ORD1"})
    await api_mco("orders.create", orders_body(1000))
    assert server.last.json["total_amount"] == "1000.00"
    assert server.last.json["transactions"]["payments"][0]["amount"] == "1000.00"


async def test_cash_out_order_may_omit_items(api: Api, server: Any) -> None:
    server.reply(204)
    body = {"external_reference": "A", "title": "T", "total_amount": 50, "cash_out": {"amount": 50}}
    await api("qr_orders.put", 1, "P1", body)
    assert "items" not in server.last.json


async def test_callers_dict_is_not_mutated(api: Api, server: Any) -> None:
    body = v1(item("10.00"))
    server.reply(200, {"id": "1-a"})
    await api("qr_orders.create_v1", 1, "P1", body)
    assert body == v1(item("10.00"))


def test_unknown_site_for_client() -> None:
    from mpqr.client import Client

    with pytest.raises(ValueError, match="unknown site"):
        Client("t", site_id="XXX")


async def test_a_sponsor_other_than_the_collector_is_sent_as_a_number(
    api: Api, server: Any
) -> None:
    server.reply(200, {"id": "123-a"})
    await api("qr_orders.create_v1", 123, "P1", {**v1(item()), "sponsor_id": "446566691"})
    assert server.last.json["sponsor_id"] == 446566691
    server.reply(204)
    await api("qr_orders.put", 123, "P1", v2(sponsor={"id": "446566691"}))
    assert server.last.json["sponsor"] == {"id": 446566691}
