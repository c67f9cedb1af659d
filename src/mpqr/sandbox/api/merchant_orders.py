"""Merchant orders: ``GET /merchant_orders/{id}`` and ``GET /merchant_orders/search``."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, tzinfo
from typing import Any

from fastapi import APIRouter, Request

from mpqr.sandbox.api.common import SellerDep, StateDep, is_digits, iso, money
from mpqr.sandbox.errors import ApiError
from mpqr.sandbox.lifecycle import PaymentStatus
from mpqr.sandbox.models import Item, MerchantOrder, Payment, Seller
from mpqr.sandbox.state import SandboxState

router = APIRouter(tags=["merchant orders"])

_COVERING = (PaymentStatus.APPROVED, PaymentStatus.REFUNDED)


# A payment that was never approved shows Go's zero time inside a merchant order, not null.
ZERO_TIME = "0001-01-01T00:00:00.000+00:00"


def _mo_payment(p: Payment, zone: tzinfo) -> dict[str, Any]:
    return {
        "id": p.id,
        "transaction_amount": money(p.transaction_amount),
        "total_paid_amount": money(p.transaction_amount),
        "shipping_cost": 0,
        "currency_id": p.currency_id,
        "status": p.status.value,
        "status_detail": p.status_detail,
        "operation_type": "regular_payment",
        "date_approved": iso(p.date_approved, zone) or ZERO_TIME,
        "date_created": iso(p.date_created, zone),
        "last_modified": iso(p.date_last_updated, zone),
        "amount_refunded": money(p.amount_refunded),
    }


def _mo_item(i: Item) -> dict[str, Any]:
    return {
        "id": i.id or "",
        "category_id": i.category_id or "",
        "currency_id": i.currency_id,
        "description": i.description or "",
        "picture_url": i.picture_url,
        "title": i.title,
        "quantity": i.quantity,
        "unit_price": money(i.unit_price),
    }


def render_mo(state: SandboxState, mo: MerchantOrder) -> dict[str, Any]:
    """A merchant order as ``GET /merchant_orders/{id}`` returns it."""
    seller = state.data.sellers[mo.seller_id]
    zone = state.zone(seller.site_id)
    view = state.mo_view(mo)
    payments = state.payments_of(mo)
    payer = next((p for p in reversed(payments) if p.status in _COVERING), None)
    return {
        "id": mo.id,
        "status": view.status.value,
        "external_reference": mo.external_reference,
        "preference_id": mo.preference_id,
        "payments": [_mo_payment(p, zone) for p in payments],
        "shipments": [],
        "payouts": [],
        "collector": {"id": seller.id, "email": seller.email, "nickname": seller.nickname},
        "marketplace": "NONE",
        "notification_url": mo.notification_url,
        "date_created": iso(mo.date_created, zone),
        "last_updated": iso(mo.last_updated, zone),
        "sponsor_id": mo.sponsor_id,
        "shipping_cost": 0,
        "total_amount": money(mo.total_amount),
        "site_id": seller.site_id,
        "paid_amount": money(view.paid_amount),
        "refunded_amount": money(view.refunded_amount),
        "payer": {"id": payer.payer_id, "email": ""} if payer else None,
        "items": [_mo_item(i) for i in mo.items],
        "cancelled": mo.cancelled,
        "additional_info": "",
        "application_id": seller.application_id,
        "client_id": seller.application_id,
        "order_status": view.order_status.value,
        "is_test": seller.test_user,
    }


def _invalid_query() -> ApiError:
    return ApiError(400, "ds_search_query", "invalid query.")


def _date(value: str) -> datetime:
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise _invalid_query() from None
    if when.tzinfo is None:
        raise _invalid_query()
    return when


Check = Callable[[SandboxState, MerchantOrder, str], bool]

_FILTERS: dict[str, Check] = {
    "status": lambda s, mo, v: s.mo_view(mo).status.value == v,
    "order_status": lambda s, mo, v: s.mo_view(mo).order_status.value == v,
    "preference_id": lambda s, mo, v: mo.preference_id == v,
    "external_reference": lambda s, mo, v: mo.external_reference == v,
    "application_id": lambda s, mo, v: s.data.sellers[mo.seller_id].application_id == v,
    "site_id": lambda s, mo, v: s.data.sellers[mo.seller_id].site_id == v.upper(),
    "sponsor_id": lambda s, mo, v: str(mo.sponsor_id) == v,
    "marketplace": lambda s, mo, v: v.upper() == "NONE",
    "payer_id": lambda s, mo, v: any(str(p.payer_id) == v for p in s.payments_of(mo)),
    "items": lambda s, mo, v: any(i.id == v for i in mo.items),
    "date_created_from": lambda s, mo, v: mo.date_created >= _date(v),
    "date_created_to": lambda s, mo, v: mo.date_created <= _date(v),
    "last_updated_from": lambda s, mo, v: mo.last_updated >= _date(v),
    "last_updated_to": lambda s, mo, v: mo.last_updated <= _date(v),
}


def _paging(query: dict[str, str]) -> tuple[int, int]:
    try:
        limit = int(query.get("limit", "30"))
        offset = int(query.get("offset", "0"))
    except ValueError:
        raise _invalid_query() from None
    if not (0 <= limit <= 1000 and offset >= 0):
        raise _invalid_query()
    return limit, offset


def _candidates(
    state: SandboxState, seller: Seller, query: dict[str, str]
) -> Iterable[MerchantOrder]:
    """The merchant orders a search has to look at: by reference when it names one."""
    table = state.data.merchant_orders
    reference = query.get("external_reference")
    if reference is None:
        return table.values()
    return state.mo_refs.find(table, seller.id, reference)


def search(state: SandboxState, seller: Seller, query: dict[str, str]) -> dict[str, Any]:
    limit, offset = _paging(query)
    active = [(f, v) for k, v in query.items() if (f := _FILTERS.get(k)) is not None]
    for key, value in query.items():
        if key.startswith(("date_", "last_updated_")) and key in _FILTERS:
            _date(value)
    found = sorted(
        (
            mo
            for mo in _candidates(state, seller, query)
            if mo.seller_id == seller.id and all(f(state, mo, v) for f, v in active)
        ),
        key=lambda mo: (mo.date_created, mo.id),
    )
    page = found[offset : offset + limit]
    return {  # no match at all is ``elements: null``, as Mercado Pago answers
        "elements": [render_mo(state, mo) for mo in page] if found else None,
        "next_offset": offset + len(page),
        "total": len(found),
    }


_SEARCH_DOC = {
    "parameters": [
        {"name": name, "in": "query", "required": False, "schema": {"type": "string"}}
        for name in [*_FILTERS, "limit", "offset"]
    ]
}


@router.get("/merchant_orders/search", openapi_extra=_SEARCH_DOC)
async def search_merchant_orders(
    request: Request, state: StateDep, seller: SellerDep
) -> dict[str, Any]:
    """The documented filters, with paging: ``{elements, next_offset, total}``."""
    return search(state, seller, dict(request.query_params))


@router.get("/merchant_orders", openapi_extra=_SEARCH_DOC)
async def search_merchant_orders_alias(
    request: Request, state: StateDep, seller: SellerDep
) -> dict[str, Any]:
    """The docs' curl sample searches on ``/merchant_orders?...``; the SDKs use ``/search``."""
    return search(state, seller, dict(request.query_params))


@router.get("/merchant_orders/{merchant_order_id}")
async def get_merchant_order(
    merchant_order_id: str, state: StateDep, seller: SellerDep
) -> dict[str, Any]:
    if not is_digits(merchant_order_id):
        raise ApiError(400, "invalid_format", "invalid id.")
    mo = state.data.merchant_orders.get(int(merchant_order_id))
    if mo is None or mo.seller_id != seller.id:
        raise ApiError(404, "not_found", f"Merchant Order {merchant_order_id} not found")
    return render_mo(state, mo)
