"""Payments and refunds: get, search, refund (full / partial), list and get refunds."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta, tzinfo
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from mpqr.sandbox.api.common import (
    Family,
    SellerDep,
    StateDep,
    body_schema,
    is_digits,
    iso,
    money,
    read_json,
)
from mpqr.sandbox.errors import ApiError
from mpqr.sandbox.lifecycle import PaymentStatus
from mpqr.sandbox.models import Payment, Refund, Seller
from mpqr.sandbox.refunds import refund_payment
from mpqr.sandbox.state import SandboxState

router = APIRouter(tags=["payments"])


def render_refund(refund: Refund, seller: Seller, zone: tzinfo | None = None) -> dict[str, Any]:
    return {
        "id": refund.id,
        "payment_id": refund.payment_id,
        "amount": money(refund.amount),
        "metadata": {},
        "source": {"id": str(seller.id), "name": seller.nickname, "type": "collector"},
        "date_created": iso(refund.date_created, zone),
        "unique_sequence_number": None,
        "refund_mode": "standard",
        "adjustment_amount": 0,
        "status": "approved",
        "reason": None,
        "labels": [],
        "amount_refunded_to_payer": money(refund.amount),
        "partition_details": [],
    }


def _point_of_interaction(p: Payment) -> dict[str, Any]:
    poi: dict[str, Any] = {
        "type": "INSTORE",
        "sub_type": "INTER_PSP" if p.payment_method_id == "interop_transfer" else "INTRA_PSP",
        "business_info": {"branch": "QR", "sub_unit": "qr", "unit": "wallet"},
        "location": {"source": "store"},
        "linked_to": "regular_payment",
    }
    if p.api_order_id:
        poi["references"] = [{"id": p.api_order_id, "type": "ORDER_MP"}]
    return poi


def _payer(p: Payment) -> dict[str, Any]:
    if p.payment_method_id == "interop_transfer":  # another PSP's customer: MP does not know them
        return {"id": None, "email": None, "identification": {"number": None, "type": None}}
    identification = p.payer_identification or {"number": "1111111", "type": "DNI"}
    return {"id": str(p.payer_id), "email": p.payer_email, "identification": identification}


def _card(p: Payment) -> dict[str, Any]:
    if not p.card_number:
        return {}
    return {
        "first_six_digits": p.card_number[:6],
        "last_four_digits": p.card_number[-4:],
        "cardholder": {"name": p.cardholder_name or "", "identification": {}},
    }


def _charged(p: Payment) -> bool:
    return p.date_approved is not None and p.status is not PaymentStatus.REJECTED


def _details(p: Payment) -> dict[str, Any]:
    fee = p.fee_amount if _charged(p) else Decimal(0)
    installment = p.transaction_amount / p.installments
    return {
        "net_received_amount": money(p.transaction_amount - fee),
        "total_paid_amount": money(p.transaction_amount),
        "installment_amount": money(installment.quantize(Decimal("0.01"))),
        "overpaid_amount": 0,
    }


def _fees(p: Payment) -> list[dict[str, Any]]:
    if not _charged(p) or not p.fee_amount:
        return []
    return [{"amount": money(p.fee_amount), "fee_payer": "collector", "type": "mercadopago_fee"}]


def _release(state: SandboxState, p: Payment) -> tuple[datetime | None, str | None]:
    if p.date_approved is None:
        return None, None
    when = p.date_approved + timedelta(days=p.release_days)
    return when, "released" if state.now() >= when else "pending"


def render_payment(state: SandboxState, p: Payment) -> dict[str, Any]:
    """A payment as ``GET /v1/payments/{id}`` returns it."""
    seller = state.data.sellers[p.seller_id]
    zone = state.zone(seller.site_id)
    release_date, release_status = _release(state, p)
    return {
        "id": p.id,
        "date_created": iso(p.date_created, zone),
        "date_approved": iso(p.date_approved, zone),
        "date_last_updated": iso(p.date_last_updated, zone),
        "money_release_date": iso(release_date, zone),
        "money_release_status": release_status,
        "operation_type": "regular_payment",
        "payment_method_id": p.payment_method_id,
        "payment_type_id": p.payment_type_id,
        "payment_method": {"id": p.payment_method_id, "type": p.payment_type_id},
        "status": p.status.value,
        "status_detail": p.status_detail,
        "currency_id": p.currency_id,
        "description": p.description,
        "live_mode": True,
        "sponsor_id": None,
        "collector_id": seller.id,
        "payer": _payer(p),
        "card": _card(p),
        "metadata": {},
        "order": {"id": str(p.mo_id), "type": "mercadopago"},
        "external_reference": p.external_reference,
        "transaction_amount": money(p.transaction_amount),
        "transaction_amount_refunded": money(p.amount_refunded),
        "coupon_amount": 0,
        "installments": p.installments,
        "transaction_details": _details(p),
        "fee_details": _fees(p),
        "captured": True,
        "binary_mode": False,
        "statement_descriptor": "Mercadopago*fake",
        "notification_url": p.notification_url,
        "processing_mode": "aggregator",
        "pos_id": None if p.pos_id is None else str(p.pos_id),
        "store_id": None if p.store_id is None else str(p.store_id),
        "point_of_interaction": _point_of_interaction(p),
        "refunds": [
            render_refund(state.data.refunds[r], seller, zone)
            for r in p.refund_ids
            if r in state.data.refunds
        ],
    }


def _params_error(code: int, message: str) -> ApiError:
    return ApiError(400, "bad_request", message, [{"code": code, "description": message}])


_SORTS = {"date_created", "date_approved", "date_last_updated", "money_release_date", "id"}
_FILTERS = (
    "external_reference",
    "pos_id",
    "store_id",
    "status",
    "id",
    "order.id",
    "operation_type",
    "payment_method_id",
    "payment_type_id",
)
_RANGES = ("date_created", "date_approved", "date_last_updated", "money_release_date")
_RELATIVE = re.compile(r"^NOW(?:-(\d+)(MINUTES?|HOURS?|DAYS?|WEEKS?|MONTHS?))?$")
_UNITS = {"MINUTE": 60, "HOUR": 3600, "DAY": 86400, "WEEK": 604800, "MONTH": 2592000}
_BAD_DATE = "Date format must be yyyy-MM-dd'T'HH:mm:ss.SSSZ"


def _matches(p: Payment, key: str, value: str) -> bool:
    match key:
        case "external_reference":
            return p.external_reference == value
        case "pos_id":
            return str(p.pos_id) == value
        case "store_id":
            return str(p.store_id) == value
        case "status":
            return p.status.value == value
        case "id":
            return str(p.id) == value
        case "order.id":
            return str(p.mo_id) == value
        case "operation_type":
            return value == "regular_payment"
        case "payment_method_id":
            return p.payment_method_id == value
        case "payment_type_id":
            return p.payment_type_id == value
    return True


def _when(state: SandboxState, value: str) -> datetime:
    """``begin_date`` / ``end_date``: ISO 8601 with an offset, or ``NOW`` / ``NOW-30DAYS``."""
    relative = _RELATIVE.match(value.strip().upper())
    if relative is not None:
        count, unit = relative.groups()
        seconds = int(count or 0) * _UNITS[unit.rstrip("S")] if unit else 0
        return state.now() - timedelta(seconds=seconds)
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise _params_error(1001, _BAD_DATE) from None
    if when.tzinfo is None:
        raise _params_error(1001, _BAD_DATE)
    return when


def _range_value(state: SandboxState, p: Payment, field: str) -> datetime | None:
    match field:
        case "date_created":
            return p.date_created
        case "date_approved":
            return p.date_approved
        case "date_last_updated":
            return p.date_last_updated
    return _release(state, p)[0]


def _in_range(state: SandboxState, query: dict[str, str]) -> Callable[[Payment], bool]:
    field = query.get("range", "date_created")
    if field not in _RANGES:
        raise _params_error(1, "Params Error")
    begin = _when(state, query["begin_date"]) if "begin_date" in query else None
    end = _when(state, query["end_date"]) if "end_date" in query else None

    def check(p: Payment) -> bool:
        value = _range_value(state, p, field)
        if begin is None and end is None:
            return True
        if value is None:
            return False
        value = value.replace(microsecond=value.microsecond // 1000 * 1000)  # as rendered
        return (begin is None or value >= begin) and (end is None or value <= end)

    return check


def search(state: SandboxState, seller: Seller, query: dict[str, str]) -> dict[str, Any]:
    try:
        limit, offset = int(query.get("limit", "30")), int(query.get("offset", "0"))
    except ValueError:
        raise _params_error(1, "Params Error") from None
    if limit > 1000:
        raise _params_error(1000, "Number of rows exceeded the limits")
    if limit < 0 or offset < 0:
        raise _params_error(1, "Params Error")
    sort, criteria = query.get("sort", "date_created"), query.get("criteria", "desc")
    if sort not in _SORTS:
        raise _params_error(1003, "Invalid sort value")
    if criteria not in ("asc", "desc"):
        raise _params_error(1004, "Invalid criteria value")
    in_range = _in_range(state, query)
    active = [(k, v) for k, v in query.items() if k in _FILTERS]
    reference = query.get("external_reference")
    table = state.data.payments
    candidates = (
        table.values()
        if reference is None
        else state.payment_refs.find(table, seller.id, reference)
    )
    found = [
        p
        for p in candidates
        if p.seller_id == seller.id and all(_matches(p, k, v) for k, v in active) and in_range(p)
    ]
    found.sort(key=lambda p: (str(getattr(p, sort, None) or ""), p.id), reverse=criteria == "desc")
    return {
        "paging": {"total": len(found), "limit": limit, "offset": offset},
        "results": [render_payment(state, p) for p in found[offset : offset + limit]],
    }


_SEARCH_EXTRA = ("range", "begin_date", "end_date", "sort", "criteria", "limit", "offset")
_SEARCH_DOC = {
    "parameters": [
        {"name": name, "in": "query", "required": False, "schema": {"type": "string"}}
        for name in [*_FILTERS, *_SEARCH_EXTRA]
    ]
}


@router.get("/v1/payments/search", openapi_extra=_SEARCH_DOC)
async def search_payments(request: Request, state: StateDep, seller: SellerDep) -> dict[str, Any]:
    """Filters (``external_reference``, ``pos_id``, ``status``, ``range`` + ``begin_date`` /
    ``end_date``, ...), ``sort`` + ``criteria``, paging."""
    return search(state, seller, dict(request.query_params))


def _payment(state: SandboxState, seller: Seller, payment_id: str) -> Payment:
    if not is_digits(payment_id):
        raise _params_error(1, "Params Error")
    p = state.data.payments.get(int(payment_id))
    if p is None or p.seller_id != seller.id:
        raise ApiError(
            404,
            "not_found",
            "Payment not found",
            [{"code": 2000, "description": "Payment not found"}],
        )
    return p


@router.get("/v1/payments/{payment_id}")
async def get_payment(payment_id: str, state: StateDep, seller: SellerDep) -> dict[str, Any]:
    return render_payment(state, _payment(state, seller, payment_id))


@router.post(
    "/v1/payments/{payment_id}/refunds",
    status_code=201,
    openapi_extra=body_schema({"amount": {"type": "number", "example": 10.5}}),
)
async def create_refund(
    payment_id: str, request: Request, state: StateDep, seller: SellerDep
) -> JSONResponse:
    """Full refund without a body (or ``null``), partial with ``{"amount": x}``;
    X-Idempotency-Key required.
    """
    payment = _payment(state, seller, payment_id)
    key = request.headers.get("x-idempotency-key", "").strip()
    if not key:
        raise ApiError(400, "bad_request", "Header X-Idempotency-Key can't be null")
    body = await read_json(request, Family.GENERAL, allow_empty=True)
    if body is not None and not isinstance(body, dict):
        raise ApiError(400, "bad_request", "body must be a JSON object")
    amount = (body or {}).get("amount")
    refund = refund_payment(state, payment, amount, key)
    zone = state.zone(seller.site_id)
    return JSONResponse(status_code=201, content=render_refund(refund, seller, zone))


@router.get("/v1/payments/{payment_id}/refunds")
async def list_refunds(payment_id: str, state: StateDep, seller: SellerDep) -> list[dict[str, Any]]:
    payment = _payment(state, seller, payment_id)
    zone = state.zone(seller.site_id)
    return [render_refund(state.data.refunds[r], seller, zone) for r in payment.refund_ids]


@router.get("/v1/payments/{payment_id}/refunds/{refund_id}")
async def get_refund(
    payment_id: str, refund_id: str, state: StateDep, seller: SellerDep
) -> dict[str, Any]:
    payment = _payment(state, seller, payment_id)
    refund = state.data.refunds.get(int(refund_id)) if is_digits(refund_id) else None
    if refund is None or refund.payment_id != payment.id:
        raise ApiError(404, "not_found", "Refund not found")
    return render_refund(refund, seller, state.zone(seller.site_id))
