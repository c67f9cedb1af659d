"""Pure mapping between the seller's terms and Mercado Pago's wire shapes (no I/O).

Request bodies for the three integrations (mp-api §3.3, §4.1, §6) and the facts read back from
merchant orders, payments and Orders API orders (§6, §9, §10).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from mpqr.client.models import MerchantOrder, Order, Payment, parse_mp_datetime
from mpqr.client.models.orders import OrderPayment
from mpqr.seller.sales.rules import ZERO, Evidence, OrderFact, OrderState, PaymentFact
from mpqr.statuses import PaymentStatus

__all__ = [
    "ItemLine",
    "OrderRequest",
    "PosInfo",
    "currency_of",
    "is_in_person",
    "merge_evidence",
    "mo_evidence",
    "order_evidence",
    "order_state",
    "orders_body",
    "payment_fact",
    "payment_status",
    "v1_body",
    "v2_body",
]


@dataclass(frozen=True, slots=True)
class ItemLine:
    title: str
    unit_price: Decimal
    quantity: int
    description: str | None = None
    picture_url: str | None = None
    sku: str | None = None

    @property
    def total(self) -> Decimal:
        return self.unit_price * self.quantity


@dataclass(frozen=True, slots=True)
class OrderRequest:
    """The order to put on a cashbox, independent of the API family."""

    external_reference: str
    items: tuple[ItemLine, ...]
    total_amount: Decimal
    expires_at: datetime
    ttl_seconds: int
    notification_url: str
    idempotency_key: str


@dataclass(frozen=True, slots=True)
class PosInfo:
    mp_pos_id: str
    external_id: str
    name: str
    store_external_id: str | None
    qr_data: str | None


def currency_of(site_id: str | None) -> str:
    from mpqr.sites import site

    return site(site_id or "MLA").currency_id


def v1_body(order: OrderRequest, currency: str) -> dict[str, Any]:
    return {
        "external_reference": order.external_reference,
        "notification_url": order.notification_url,
        "items": [
            _drop_none(
                {
                    "id": item.sku,
                    "title": item.title,
                    "currency_id": currency,
                    "unit_price": item.unit_price,
                    "quantity": item.quantity,
                    "description": item.description,
                    "picture_url": item.picture_url,
                }
            )
            for item in order.items
        ],
    }


def v2_body(order: OrderRequest) -> dict[str, Any]:
    return {
        "external_reference": order.external_reference,
        "title": order.items[0].title,
        "description": order.items[0].description or order.items[0].title,
        "notification_url": order.notification_url,
        "expiration_date": order.expires_at.isoformat(timespec="milliseconds"),
        "total_amount": order.total_amount,
        "items": [
            _drop_none(
                {
                    "sku_number": item.sku,
                    "title": item.title,
                    "description": item.description,
                    "unit_price": item.unit_price,
                    "quantity": item.quantity,
                    "unit_measure": "unit",
                    "total_amount": item.total,
                }
            )
            for item in order.items
        ],
    }


def orders_body(cashbox: str, order: OrderRequest) -> dict[str, Any]:
    return {
        "type": "qr",
        "total_amount": order.total_amount,
        "description": order.items[0].title[:150],
        "external_reference": order.external_reference,
        "expiration_time": f"PT{max(order.ttl_seconds // 60, 1)}M",
        "notification_url": order.notification_url,
        "config": {"qr": {"external_pos_id": cashbox, "mode": "static"}},
        "transactions": {"payments": [{"amount": order.total_amount}]},
        "items": [
            _drop_none(
                {
                    "title": item.title,
                    "unit_price": item.unit_price,
                    "quantity": item.quantity,
                    "unit_measure": "unit",
                    "external_code": item.sku,
                }
            )
            for item in order.items
        ],
    }


def _drop_none(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}


def _status(value: object) -> str:
    return str(getattr(value, "value", value) or "")


def payment_status(value: object) -> PaymentStatus:
    """Mercado Pago's payment status as an enum; an unknown word counts as pending (no money)."""
    try:
        return PaymentStatus(_status(value))
    except ValueError:
        return PaymentStatus.PENDING


def order_state(value: object) -> OrderState:
    """What an order's ``status`` means for the sale. Merchant orders: ``closed`` pays, ``expired``
    can no longer be paid. Orders API: ``processed`` (and later ``refunded``) pays, ``expired`` and
    ``canceled`` can no longer be paid. The two vocabularies do not overlap."""
    match _status(value):
        case "closed" | "processed" | "refunded":
            return OrderState.CLOSED
        case "expired" | "canceled" | "cancelled":
            return OrderState.GONE
        case _:
            return OrderState.OPEN


def mo_evidence(mo: MerchantOrder) -> Evidence:
    """A merchant order and its payments as facts."""
    mo_id = str(mo.id)
    fact = OrderFact(mo_id, _status(mo.status), order_state(mo.status), mo.total_amount)
    pays = tuple(
        PaymentFact(
            id=str(p.id),
            status=payment_status(p.status),
            amount=p.transaction_amount or p.total_paid_amount or ZERO,
            status_detail=p.status_detail,
            refunded_amount=p.amount_refunded or ZERO,
            merchant_order_id=mo_id,
            approved_at=parse_mp_datetime(p.date_approved),
        )
        for p in mo.payments
    )
    return Evidence(mo.external_reference, (fact,), pays)


def is_in_person(p: Payment) -> bool:
    """A payment made at a cashbox (QR), as opposed to the seller's online sales."""
    poi = p.point_of_interaction
    return bool(p.pos_id or p.store_id or (poi is not None and poi.type == "INSTORE"))


def payment_fact(p: Payment) -> PaymentFact:
    mo_id = p.order.id if p.order is not None and p.order.type == "mercadopago" else None
    return PaymentFact(
        id=str(p.id),
        status=payment_status(p.status),
        amount=p.transaction_amount or ZERO,
        status_detail=p.status_detail,
        refunded_amount=p.transaction_amount_refunded or ZERO,
        merchant_order_id=mo_id,
        approved_at=parse_mp_datetime(p.date_approved),
        pos_id=str(p.pos_id) if p.pos_id else None,
        external_reference=p.external_reference,
        currency_id=p.currency_id,
    )


# Orders API payment status -> the Payments API status the rules understand.
_ORDER_PAYMENT_STATUS = {
    "processed": PaymentStatus.APPROVED,
    "refunded": PaymentStatus.REFUNDED,
    "failed": PaymentStatus.REJECTED,
}


def order_evidence(order: Order) -> Evidence:
    """An Orders API order: ``processed`` plays the part of a closed merchant order."""
    status = _status(order.status)
    fact = OrderFact(order.id, status, order_state(status), order.total_amount)
    pays = tuple(
        PaymentFact(
            id=p.reference_id or p.id or f"{order.id}-{i}",
            status=_ORDER_PAYMENT_STATUS.get(p.status or "") or payment_status(p.status),
            amount=p.paid_amount or p.amount or ZERO,
            status_detail=p.status_detail,
            refunded_amount=_order_refunded(order, p),
        )
        for i, p in enumerate(order.transactions.payments)
        if (p.status or "") not in {"created", "canceled", ""}
    )
    return Evidence(order.external_reference, (fact,), pays)


def _order_refunded(order: Order, payment: OrderPayment) -> Decimal:
    """How much of one Orders API payment was given back: all of it when ``refunded``, else the
    sum of the order's refund entries naming its transaction (an entry without a transaction id
    belongs to the order's only payment)."""
    amount = payment.paid_amount or payment.amount or ZERO
    if payment.status == "refunded":
        return amount
    only = len(order.transactions.payments) == 1
    total = ZERO
    for entry in order.transactions.refunds:
        tx = entry.transaction_id
        if (tx is None and only) or (tx is not None and tx == payment.id):
            total += entry.amount or ZERO
    return min(total, amount)


def merge_evidence(external_reference: str, parts: list[Evidence]) -> Evidence:
    orders = tuple(o for e in parts for o in e.orders)
    pays = tuple(p for e in parts for p in e.payments)
    return Evidence(external_reference, orders, pays)
