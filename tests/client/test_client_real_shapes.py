"""The client reads what Mercado Pago really answers: published samples (samples/PROVENANCE.md)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from client_testkit import Api

from mpqr.client.models import (
    Collector,
    MerchantOrder,
    MerchantOrderSearch,
    Order,
    OrderRefund,
    Payment,
    PaymentStatus,
    PaymentStatusDetail,
    PaymentType,
)
from mpqr.client.models._base import MPModel, parse_mp_datetime
from mpqr.statuses import MerchantOrderStatus, OrderStatusDetail

SAMPLES = Path(__file__).parent / "samples"
MINUS_4 = timezone(timedelta(hours=-4))


def sample(name: str) -> Any:
    return json.loads((SAMPLES / name).read_text(encoding="utf-8"))


def raw(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


# --- merchant orders ------------------------------------------------------------------------------


def test_search_without_match_has_null_elements() -> None:
    page = MerchantOrderSearch.model_validate_json(raw("merchant_orders_search_no_match.json"))
    assert page.elements == []
    assert (page.next_offset, page.total) == (0, 0)


async def test_iterators_yield_nothing_on_the_real_no_match_answer(api: Api, server: Any) -> None:
    server.reply(200, raw=raw("merchant_orders_search_no_match.json"))
    assert await api.collect("merchant_orders.iter_all", external_reference="never-scanned") == []
    assert len(server.requests) == 1
    server.reply(200, raw=raw("merchant_orders_search_no_match.json"))
    page = await api("merchant_orders.search", external_reference="never-scanned")
    assert page.elements == []


async def test_real_mlb_merchant_order_with_a_rejected_then_approved_payment(
    api: Api, server: Any
) -> None:
    server.reply(200, raw=raw("merchant_order_mlb_rejected_then_approved.json"))
    mo: MerchantOrder = await api("merchant_orders.get", 19961356837)
    assert mo.status is MerchantOrderStatus.CLOSED
    assert mo.order_status is OrderStatusDetail.PAID
    assert mo.collector == Collector(id=1865158750, email="", nickname="TESTUSER97284132")
    assert mo.client_id == "4523867654733557"
    assert mo.is_test is True
    assert mo.preference_id is not None
    assert mo.preference_id.startswith(f"{mo.collector.id}-")
    rejected, approved = mo.payments
    assert rejected.status is PaymentStatus.REJECTED
    assert rejected.status_detail is PaymentStatusDetail.CC_REJECTED_OTHER_REASON
    assert rejected.date_approved == "0001-01-01T00:00:00.000+00:00"  # kept as sent
    assert rejected.approved_at is None  # ... and read as "never approved"
    assert approved.approved_at == datetime(2024, 6, 20, 20, 9, 10, tzinfo=MINUS_4)
    assert mo.model_extra is not None
    assert mo.model_extra["payouts"] == []


# --- Orders API -----------------------------------------------------------------------------------


def test_orders_api_refund_entries() -> None:
    order = Order.model_validate_json(raw("order_qr_refunded_total.json"))
    (refund,) = order.transactions.refunds
    assert isinstance(refund, OrderRefund)
    assert refund.id is not None
    assert refund.id.startswith("REF01")
    assert refund.transaction_id is not None
    assert refund.transaction_id.startswith("PAY01")
    assert (refund.reference_id, refund.amount, refund.status) == (
        "12345678",
        Decimal("38.00"),
        "processed",
    )


def test_orders_api_amounts_with_or_without_decimals() -> None:
    order = Order.model_validate_json(raw("order_amounts_without_decimals.json"))
    (payment,) = order.transactions.payments
    assert (payment.amount, payment.paid_amount, payment.refunded_amount) == (
        Decimal(24),
        Decimal(38),
        Decimal(38),
    )
    assert order.transactions.refunds[0].amount == Decimal(38)
    assert payment.payment_method == {"type": "credit_card", "installments": 1, "id": "master"}
    created = Order.model_validate_json(raw("order_qr_dynamic_created.json"))
    assert created.total_amount == Decimal("50.00")


async def test_dynamic_order_and_test_user_ids(api: Api, server: Any) -> None:
    server.reply(200, raw=raw("order_qr_dynamic_created.json"))
    order: Order = await api("orders.get", "ORDTST01K372G4J4FXZ9HGHZMJMGGPKE")
    assert server.last.path == "/v1/orders/ORDTST01K372G4J4FXZ9HGHZMJMGGPKE"
    assert order.id.startswith("ORD01")
    assert order.qr_data is not None
    assert order.qr_data.startswith("000201")
    assert order.transactions.payments[0].id == "PAY01K372G4J4FXZ9HGHZMKWSQS20"
    assert parse_mp_datetime(order.created_date) == datetime(
        2025, 8, 21, 19, 43, 10, 130000, tzinfo=UTC
    )


@pytest.mark.parametrize("amount", ["50", "50.00", "50.0", 50, Decimal("50")])
async def test_orders_api_amounts_go_out_with_two_decimals(
    api: Api, server: Any, amount: object
) -> None:
    server.reply(201, sample("order_qr_dynamic_created.json"))
    order = {
        "external_reference": "A1",
        "total_amount": amount,
        "config": {"qr": {"external_pos_id": "STORE001POS001", "mode": "dynamic"}},
        "transactions": {"payments": [{"amount": amount}]},
        "items": [{"title": "Smartphone", "unit_price": amount, "quantity": 1}],
    }
    await api("orders.create", order)
    sent = server.last.json
    assert sent["total_amount"] == "50.00"
    assert sent["transactions"]["payments"][0]["amount"] == "50.00"
    assert sent["items"][0]["unit_price"] == "50.00"


# --- payments -------------------------------------------------------------------------------------


def test_qr_payment_from_another_banks_app() -> None:
    payment = Payment.model_validate_json(raw("payment_mla_qr_interop_transfer.json"))
    assert payment.payment_method_id == "interop_transfer"
    assert payment.point_of_interaction is not None
    assert payment.point_of_interaction.sub_type == "INTER_PSP"
    assert payment.payer == {"id": "1893987077"}  # the payer is hidden
    assert payment.net_received_amount == Decimal("1477.5")
    assert payment.approved_at == datetime(2026, 8, 3, 11, 21, 49, tzinfo=MINUS_4)


def test_qr_payment_with_account_money() -> None:
    payment = Payment.model_validate_json(raw("payment_mla_qr_account_money.json"))
    assert payment.payment_method_id == "account_money"
    assert payment.point_of_interaction is not None
    assert payment.point_of_interaction.sub_type == "INTRA_PSP"
    assert payment.net_received_amount == Decimal("97.53")
    assert payment.fee_details == []
    assert payment.fee_total == Decimal(0)


def test_debit_card_payment_with_fees_and_release_date() -> None:
    payment = Payment.model_validate_json(raw("payment_mlm_debit_card_fees.json"))
    assert payment.payment_type_id is PaymentType.DEBIT_CARD
    assert payment.payment_method_id == "debvisa"
    assert [(f.type, f.amount, f.fee_payer) for f in payment.fee_details] == [
        ("mercadopago_fee", Decimal("9.04"), "collector")
    ]
    assert payment.fee_total == Decimal("9.04")
    assert payment.net_received_amount == Decimal("90.96")
    assert payment.transaction_amount == payment.net_received_amount + payment.fee_total
    assert payment.money_release_at == datetime(2018, 4, 29, 9, 16, 40, tzinfo=MINUS_4)
    assert payment.order is not None
    assert payment.order.id == "710534062"


def test_partially_refunded_is_a_known_status_detail() -> None:
    # The "Get payment status" table: approved / partially_refunded after a partial refund.
    data = sample("payment_mlm_debit_card_fees.json")
    data.update(status_detail="partially_refunded", transaction_amount_refunded=40)
    payment = Payment.model_validate(data)
    assert payment.status is PaymentStatus.APPROVED
    assert payment.status_detail is PaymentStatusDetail.PARTIALLY_REFUNDED
    assert Payment.model_validate({"id": 1, "status_detail": "brand_new"}).status_detail == (
        "brand_new"
    )


def test_rejected_payment_date_approved_placeholder_is_no_date() -> None:
    assert parse_mp_datetime("0001-01-01T00:00:00.000+00:00") is None
    assert parse_mp_datetime("") is None
    assert parse_mp_datetime("yesterday") is None
    assert parse_mp_datetime("2024-06-20T20:09:10") is None  # no offset: ambiguous
    assert parse_mp_datetime("2026-12-01T20:42:57.605-03:00") == datetime(
        2026, 12, 1, 23, 42, 57, 605000, tzinfo=UTC
    )


# --- unknown fields -------------------------------------------------------------------------------

MODELS: list[tuple[str, type[MPModel]]] = [
    ("merchant_orders_search_no_match.json", MerchantOrderSearch),
    ("merchant_order_mlb_rejected_then_approved.json", MerchantOrder),
    ("order_qr_refunded_total.json", Order),
    ("order_qr_dynamic_created.json", Order),
    ("order_amounts_without_decimals.json", Order),
    ("payment_mla_qr_interop_transfer.json", Payment),
    ("payment_mla_qr_account_money.json", Payment),
    ("payment_mlm_debit_card_fees.json", Payment),
]


def with_extra_fields(value: Any) -> Any:
    """The same document with an unknown field added to every object, at every depth."""
    if isinstance(value, dict):
        out = {k: with_extra_fields(v) for k, v in value.items()}
        out["zz_added_later"] = {"kind": "unknown", "values": [1, "two", None]}
        return out
    if isinstance(value, list):
        return [with_extra_fields(v) for v in value]
    return value


def without_extra_fields(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: without_extra_fields(v) for k, v in value.items() if k != "zz_added_later"}
    if isinstance(value, list):
        return [without_extra_fields(v) for v in value]
    return value


@pytest.mark.parametrize(("name", "model"), MODELS)
def test_unknown_fields_never_break_parsing(name: str, model: type[MPModel]) -> None:
    plain = model.model_validate(sample(name))
    extended = model.model_validate(with_extra_fields(sample(name)))
    assert extended.model_extra is not None
    assert extended.model_extra["zz_added_later"]["kind"] == "unknown"
    assert without_extra_fields(extended.model_dump()) == plain.model_dump()
