"""Models keep unknown fields, parse money as Decimal and tolerate statuses MP adds later."""

from __future__ import annotations

from decimal import Decimal

from mpqr.client.models import (
    MerchantOrder,
    MerchantOrderStatus,
    Order,
    OrderStatus,
    Payment,
    PaymentStatus,
    Store,
)


def test_payment_from_a_real_qr_shape() -> None:
    payment = Payment.model_validate_json(
        b'{"id": 137159042654, "status": "approved", "status_detail": "accredited",'
        b' "transaction_amount": 5200.10, "order": {"id": "36246917291", "type": "mercadopago"},'
        b' "pos_id": "122220915", "store_id": 72054947, "captured": true,'
        b' "point_of_interaction": {"type": "INSTORE", "business_info": {"branch": "QR"}}}'
    )
    assert payment.status is PaymentStatus.APPROVED
    assert payment.transaction_amount == Decimal("5200.10")
    assert payment.order is not None
    assert payment.order.id == "36246917291"
    assert payment.store_id == "72054947"
    assert payment.point_of_interaction is not None
    assert payment.point_of_interaction.type == "INSTORE"
    assert payment.model_extra == {"captured": True}


def test_unknown_status_is_kept_as_a_string() -> None:
    payment = Payment.model_validate({"id": 1, "status": "brand_new_status"})
    assert payment.status == "brand_new_status"
    assert not isinstance(payment.status, PaymentStatus)
    order = Order.model_validate({"id": "O", "status": "processed"})
    assert order.status is OrderStatus.PROCESSED


def test_merchant_order_statuses_and_money() -> None:
    mo = MerchantOrder.model_validate(
        {
            "id": 1,
            "status": "closed",
            "order_status": "paid",
            "paid_amount": 5,
            "total_amount": "5.00",
            "payments": [{"id": 2, "status": "approved", "transaction_amount": 5}],
            "is_test": False,
            "shipments": [],
        }
    )
    assert mo.status is MerchantOrderStatus.CLOSED
    assert mo.paid_amount == Decimal(5)
    assert mo.payments[0].status is PaymentStatus.APPROVED
    assert mo.model_extra == {"shipments": []}


def test_store_numeric_id_becomes_string() -> None:
    assert Store.model_validate({"id": 1234567}).id == "1234567"
