"""Orders API for QR: ``/v1/orders``. Amounts go out as two-decimal strings."""

from __future__ import annotations

from typing import Any

from mpqr.client._core import Call
from mpqr.client._validate import as_dict, item_list, money, quantity, segment, two_decimals
from mpqr.client.models import Order
from mpqr.client.resources._parse import Body, model
from mpqr.errors import ValidationError

__all__ = ["cancel", "create", "get", "order_body", "refund"]


def _amount(field: str, value: object, site_currency: str | None) -> str:
    return two_decimals(money(field, value, site_currency))


def _payments(data: dict[str, Any], site_currency: str | None) -> dict[str, Any]:
    transactions = as_dict("transactions", data.get("transactions") or {})
    payments = item_list("transactions.payments", transactions.get("payments"))
    for i, payment in enumerate(payments):
        field = f"transactions.payments[{i}].amount"
        payment["amount"] = _amount(field, payment.get("amount"), site_currency)
    transactions["payments"] = payments
    return transactions


def _item(field: str, item: dict[str, Any], site_currency: str | None) -> dict[str, Any]:
    item["unit_price"] = _amount(f"{field}.unit_price", item.get("unit_price"), site_currency)
    item["quantity"] = quantity(f"{field}.quantity", item.get("quantity"))
    return item


def order_body(order: Body, site_currency: str | None) -> dict[str, Any]:
    """A checked ``POST /v1/orders`` body: ``type`` defaults to ``"qr"``, amounts become strings."""
    data = as_dict("order", order)
    data.setdefault("type", "qr")
    data["total_amount"] = _amount("total_amount", data.get("total_amount"), site_currency)
    data["transactions"] = _payments(data, site_currency)
    if data.get("items") is not None:
        items = item_list("items", data["items"])
        data["items"] = [_item(f"items[{i}]", it, site_currency) for i, it in enumerate(items)]
    return data


def create(
    order: Body, *, site_currency: str | None = None, idempotency_key: str | None = None
) -> Call[Order]:
    body = order_body(order, site_currency)
    return Call("POST", "/v1/orders", model(Order), json=body, idempotency_key=idempotency_key)


def get(order_id: str) -> Call[Order]:
    return Call("GET", f"/v1/orders/{segment('order_id', order_id)}", model(Order))


def cancel(order_id: str, *, idempotency_key: str | None = None) -> Call[Order]:
    path = f"/v1/orders/{segment('order_id', order_id)}/cancel"
    return Call("POST", path, model(Order), idempotency_key=idempotency_key)


def refund(
    order_id: str,
    *,
    amount: object = None,
    transaction_id: str | None = None,
    site_currency: str | None = None,
    idempotency_key: str | None = None,
) -> Call[Order]:
    """Full refund without a body; partial with ``{"transactions": [{"id", "amount"}]}``.

    MP's reference: "to perform a partial refund you must indicate the amount to be refunded,
    along with the transaction ID" (the Orders API payment id, ``PAY01...``).
    """
    path = f"/v1/orders/{segment('order_id', order_id)}/refund"
    body: dict[str, Any] | None = None
    if amount is not None:
        if transaction_id is None:
            raise ValidationError("transaction_id: required for a partial refund (with amount)")
        segment("transaction_id", transaction_id)  # non-empty check
        value = _amount("amount", amount, site_currency)
        body = {"transactions": [{"id": str(transaction_id), "amount": value}]}
    elif transaction_id is not None:
        raise ValidationError("amount: required when transaction_id is given (partial refund)")
    return Call("POST", path, model(Order), json=body, idempotency_key=idempotency_key)
