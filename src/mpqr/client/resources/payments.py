"""Payments and refunds."""

from __future__ import annotations

from typing import Any

from mpqr.client._core import Call
from mpqr.client._validate import money, query, segment
from mpqr.client.models import Payment, PaymentSearch, Refund
from mpqr.client.resources._parse import Id, list_of, model

__all__ = ["get", "get_refund", "list_refunds", "next_offset", "refund", "search"]


def get(payment_id: Id) -> Call[Payment]:
    return Call("GET", f"/v1/payments/{segment('payment_id', payment_id)}", model(Payment))


def search(
    *,
    external_reference: str | None = None,
    pos_id: Id | None = None,
    store_id: Id | None = None,
    status: str | None = None,
    sort: str | None = None,
    criteria: str | None = None,
    limit: int | None = None,
    offset: int | None = None,
    **extra: Any,
) -> Call[PaymentSearch]:
    """``GET /v1/payments/search``; ``extra`` passes any other documented filter through."""
    params = query(
        external_reference=external_reference,
        pos_id=pos_id,
        store_id=store_id,
        status=status,
        sort=sort,
        criteria=criteria,
        limit=limit,
        offset=offset,
        **extra,
    )
    return Call("GET", "/v1/payments/search", model(PaymentSearch), query=params)


def next_offset(page: PaymentSearch, offset: int) -> int | None:
    """Next page's offset from ``paging``, or ``None`` after the last (or an empty) page."""
    if not page.results:
        return None
    start = page.paging.offset if page.paging.offset is not None else offset
    following = start + len(page.results)
    total = page.paging.total
    if following <= offset or (total is not None and following >= total):
        return None
    return following


def refund(
    payment_id: Id,
    amount: object = None,
    *,
    site_currency: str | None = None,
    idempotency_key: str | None = None,
) -> Call[Refund]:
    """Full refund without a body; partial with ``{"amount": x}`` (checked for the currency)."""
    path = f"/v1/payments/{segment('payment_id', payment_id)}/refunds"
    body = None if amount is None else {"amount": money("amount", amount, site_currency)}
    return Call("POST", path, model(Refund), json=body, idempotency_key=idempotency_key)


def list_refunds(payment_id: Id) -> Call[list[Refund]]:
    path = f"/v1/payments/{segment('payment_id', payment_id)}/refunds"
    return Call("GET", path, list_of(Refund))


def get_refund(payment_id: Id, refund_id: Id) -> Call[Refund]:
    payment, refund_ = segment("payment_id", payment_id), segment("refund_id", refund_id)
    path = f"/v1/payments/{payment}/refunds/{refund_}"
    return Call("GET", path, model(Refund))
