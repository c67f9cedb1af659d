"""Pure mapping between the seller's terms and Mercado Pago's wire shapes (no I/O).

Request bodies for the three integrations (mp-api §3.3, §4.1, §6) and the facts read back from
merchant orders, payments and Orders API orders (§6, §9, §10).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from mpqr.client.models import MerchantOrder, Order, Payment
from mpqr.seller.sales.rules import ZERO, Evidence, OrderFact, PaymentFact

__all__ = [
    "ItemLine",
    "OrderRequest",
    "PosInfo",
    "currency_of",
    "merge_evidence",
    "mo_evidence",
    "order_evidence",
    "orders_body",
    "parse_time",
    "payment_fact",
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


def mo_evidence(mo: MerchantOrder) -> Evidence:
    """A merchant order and its payments as facts."""
    mo_id = str(mo.id)
    fact = OrderFact(mo_id, _status(mo.status), _status(mo.status) == "closed", mo.total_amount)
    pays = tuple(
        PaymentFact(
            id=str(p.id),
            status=_status(p.status),
            amount=p.transaction_amount or p.total_paid_amount or ZERO,
            status_detail=p.status_detail,
            refunded_amount=p.amount_refunded or ZERO,
            merchant_order_id=mo_id,
            approved_at=parse_time(p.date_approved),
        )
        for p in mo.payments
    )
    return Evidence(mo.external_reference, (fact,), pays)


def payment_fact(p: Payment) -> PaymentFact:
    mo_id = p.order.id if p.order is not None and p.order.type == "mercadopago" else None
    return PaymentFact(
        id=str(p.id),
        status=_status(p.status),
        amount=p.transaction_amount or ZERO,
        status_detail=p.status_detail,
        refunded_amount=p.transaction_amount_refunded or ZERO,
        merchant_order_id=mo_id,
        approved_at=parse_time(p.date_approved),
    )


def parse_time(value: str | None) -> datetime | None:
    """MP's ISO 8601 times (``2019-04-02T14:35:35.000-04:00``); None if absent or unreadable."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


# Orders API payment status -> the Payments API words the rules understand.
_ORDER_PAYMENT_STATUS = {"processed": "approved", "refunded": "refunded", "failed": "rejected"}


def order_evidence(order: Order) -> Evidence:
    """An Orders API order: ``processed`` plays the part of a closed merchant order."""
    status = _status(order.status)
    closed = status in {"processed", "refunded"}
    fact = OrderFact(order.id, status, closed, order.total_amount)
    pays = tuple(
        PaymentFact(
            id=p.reference_id or p.id or f"{order.id}-{i}",
            status=_ORDER_PAYMENT_STATUS.get(p.status or "", p.status or "pending"),
            amount=p.paid_amount or p.amount or ZERO,
            status_detail=p.status_detail,
            refunded_amount=(p.paid_amount or p.amount or ZERO) if p.status == "refunded" else ZERO,
        )
        for i, p in enumerate(order.transactions.payments)
        if (p.status or "") not in {"created", "canceled", ""}
    )
    return Evidence(order.external_reference, (fact,), pays)


def merge_evidence(external_reference: str, parts: list[Evidence]) -> Evidence:
    orders = tuple(o for e in parts for o in e.orders)
    pays = tuple(p for e in parts for p in e.payments)
    return Evidence(external_reference, orders, pays)
