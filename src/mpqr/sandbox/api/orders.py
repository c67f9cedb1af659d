"""Orders API for QR: ``POST /v1/orders``, ``GET``, ``/cancel``, ``/refund``.

Errors use the Orders envelope ``{"errors": [{"code", "message", "details"}]}``.
``X-Idempotency-Key`` is required on create: the same key with the same body answers the same order,
with another body 409.
"""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from mpqr.sandbox.api.common import (
    Family,
    SellerDep,
    StateDep,
    body_schema,
    iso_z,
    read_json,
    read_object,
)
from mpqr.sandbox.errors import ApiError, OrdersError
from mpqr.sandbox.lifecycle import ApiOrderStatus, PaymentStatus
from mpqr.sandbox.models import ApiOrder, IdempotencyRecord, Item, Payment, Seller
from mpqr.sandbox.orders_api import cancel_api_order, create_api_order
from mpqr.sandbox.refunds import earlier_refund, fingerprint, refund_payment, remembered
from mpqr.sandbox.state import SandboxState
from mpqr.sites import site

router = APIRouter(tags=["orders API"])

_SCHEMA = body_schema(
    {
        "type": {"type": "string", "enum": ["qr"]},
        "total_amount": {"type": "string", "example": "50.00"},
        "description": {"type": "string"},
        "external_reference": {"type": "string"},
        "expiration_time": {"type": "string", "example": "PT15M"},
        "notification_url": {"type": "string"},
        "config": {
            "type": "object",
            "properties": {
                "qr": {
                    "type": "object",
                    "properties": {
                        "external_pos_id": {"type": "string"},
                        "mode": {"type": "string", "enum": ["static", "dynamic", "hybrid"]},
                    },
                }
            },
        },
        "transactions": {
            "type": "object",
            "properties": {
                "payments": {
                    "type": "array",
                    "items": {"type": "object", "properties": {"amount": {"type": "string"}}},
                }
            },
        },
        "items": {"type": "array", "items": {"type": "object"}},
    },
    ["type", "total_amount", "external_reference", "config", "transactions"],
)
_DURATION = re.compile(r"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$")
_EXT_REF = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
DEFAULT_EXPIRATION = "PT15M"  # an order sent without expiration_time expires after 15 minutes
_MIN_TTL, _MAX_TTL = timedelta(seconds=30), timedelta(hours=3600)
_MAX_DESCRIPTION, _MAX_ITEMS = 150, 10
_TX_STATUS = {
    ApiOrderStatus.CREATED: ("created", "ready_to_process"),
    ApiOrderStatus.PROCESSING: ("processing", "in_process"),
    ApiOrderStatus.PROCESSED: ("processed", "accredited"),
    ApiOrderStatus.CANCELED: ("canceled", "canceled_by_api"),
    ApiOrderStatus.EXPIRED: ("expired", "expired"),
    ApiOrderStatus.REFUNDED: ("refunded", "refunded"),
}


def _two(value: Decimal) -> str:
    return f"{value:.2f}"


def _approved_payment(state: SandboxState, order: ApiOrder) -> Payment | None:
    mo = state.data.merchant_orders[order.mo_id]
    done = (PaymentStatus.APPROVED, PaymentStatus.REFUNDED)
    return next((p for p in state.payments_of(mo) if p.status in done), None)


def _approved_payment_id(state: SandboxState, order: ApiOrder) -> int | None:
    paid = _approved_payment(state, order)
    return None if paid is None else paid.id


def _refunds(state: SandboxState, order: ApiOrder, paid: Payment) -> list[dict[str, Any]]:
    """One entry per refund, as the Orders API lists them."""
    return [
        {
            "id": refund.order_refund_id or f"REF{refund.id}",
            "transaction_id": order.transaction_id,
            "reference_id": str(refund.id),
            "amount": _two(refund.amount),
            "status": "processed",
        }
        for refund in (state.data.refunds[r] for r in paid.refund_ids if r in state.data.refunds)
    ]


def render_order(state: SandboxState, order: ApiOrder) -> dict[str, Any]:
    seller = state.data.sellers[order.seller_id]
    the_site = site(seller.site_id)
    status, detail = _TX_STATUS[order.status]
    tx: dict[str, Any] = {
        "id": order.transaction_id,
        "amount": _two(order.total_amount),
        "status": status,
        "status_detail": detail,
    }
    paid = _approved_payment(state, order)
    sent = order.body.dict()
    body: dict[str, Any] = {k: sent[k] for k in ("description",) if k in sent}
    body["expiration_time"] = sent.get("expiration_time") or DEFAULT_EXPIRATION
    out: dict[str, Any] = {
        "id": order.id,
        "type": "qr",
        "processing_mode": "automatic",
        "external_reference": sent.get("external_reference"),
        **body,
        "total_amount": _two(order.total_amount),
        "country_code": the_site.country_code3,
        "user_id": str(seller.id),
        "status": order.status.value,
        "status_detail": order.status_detail,
        "currency": the_site.currency_id,
        "created_date": iso_z(order.created_at),
        "last_updated_date": iso_z(order.last_updated),
        "integration_data": {"application_id": seller.application_id},
        "transactions": {"payments": [tx]},
        "config": {"qr": {"external_pos_id": order.external_pos_id, "mode": order.mode}},
        "items": sent.get("items", []),
    }
    if paid is not None:
        tx.update(reference_id=str(paid.id), paid_amount=_two(order.total_amount))
        method = {"id": paid.payment_method_id, "type": paid.payment_type_id}
        tx["payment_method"] = {**method, "installments": paid.installments}
        out["total_paid_amount"] = _two(order.total_amount)
        if paid.refund_ids:
            out["transactions"]["refunds"] = _refunds(state, order, paid)
    if order.qr_data:
        out["type_response"] = {"qr_data": order.qr_data}
    return out


# ---- validation --------------------------------------------------------------------------------


def _missing(path: str) -> OrdersError:
    return OrdersError(
        400, "required_properties", "Missing properties", [f"missing properties: '$.{path}'"]
    )


def _invalid(detail: str) -> OrdersError:
    return OrdersError(400, "invalid_properties", "Invalid properties", [detail])


def _amount(value: object, path: str) -> Decimal:
    if not isinstance(value, str):
        raise _invalid(f'{path} must be a string with two decimals, e.g. "50.00"')
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise _invalid(f"{path} must be a decimal number") from None
    if not amount.is_finite() or amount <= 0 or amount.as_tuple().exponent not in (0, -2):
        raise _invalid(f'{path} must be positive with two decimals or none, e.g. "50.00"')
    return amount


def _validate(body: dict[str, Any]) -> tuple[Decimal, str, str]:
    for field in ("type", "total_amount", "external_reference", "config", "transactions"):
        if body.get(field) is None:
            raise _missing(field)
    if body["type"] != "qr":
        raise _invalid("type must be 'qr'")
    total = _amount(body["total_amount"], "total_amount")
    ref = body["external_reference"]
    if not isinstance(ref, str) or not _EXT_REF.match(ref):
        raise _invalid("external_reference must be 1-64 letters, digits, '-' or '_'")
    qr = body["config"].get("qr") if isinstance(body["config"], dict) else None
    if not isinstance(qr, dict) or not isinstance(qr.get("external_pos_id"), str):
        raise _missing("config.qr.external_pos_id")
    mode = qr.get("mode", "static")
    if mode not in ("static", "dynamic", "hybrid"):
        raise _invalid("config.qr.mode must be static, dynamic or hybrid")
    _check_limits(body)
    _check_payments(body["transactions"], total)
    return total, qr["external_pos_id"], str(mode)


def _check_payments(transactions: object, total: Decimal) -> None:
    payments = transactions.get("payments") if isinstance(transactions, dict) else None
    if not isinstance(payments, list) or not payments:
        raise _missing("transactions.payments")
    amounts = []
    for i, p in enumerate(payments):
        if not isinstance(p, dict) or p.get("amount") is None:
            raise _missing(f"transactions.payments[{i}].amount")
        amounts.append(_amount(p["amount"], f"transactions.payments[{i}].amount"))
    if sum(amounts, Decimal(0)) != total:
        raise _invalid("total_amount must equal the sum of transactions.payments[].amount")


def _check_limits(body: dict[str, Any]) -> None:
    description = body.get("description")
    if description is not None and (
        not isinstance(description, str) or len(description) > _MAX_DESCRIPTION
    ):
        raise _invalid(f"description must be a string of at most {_MAX_DESCRIPTION} characters")
    items = body.get("items")
    if items is not None and (not isinstance(items, list) or len(items) > _MAX_ITEMS):
        raise _invalid(f"items must be a list of at most {_MAX_ITEMS} items")


def _expiration(body: dict[str, Any], default_seconds: int) -> timedelta:
    raw = body.get("expiration_time")
    if raw is None:
        return timedelta(seconds=default_seconds)
    match = _DURATION.match(str(raw))
    if not match or not any(match.groups()):
        raise _invalid("expiration_time must be an ISO 8601 duration such as PT15M")
    days, hours, minutes, seconds = (int(g or 0) for g in match.groups())
    ttl = timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
    if not _MIN_TTL <= ttl <= _MAX_TTL:
        raise _invalid("expiration_time must be between PT30S and PT3600H")
    return ttl


def _check_unique_reference(state: SandboxState, seller: Seller, reference: str) -> None:
    for other in state.order_refs.find(state.data.api_orders, seller.id, reference):
        if other.body.get("external_reference") == reference:
            raise _invalid(f"external_reference {reference!r} was already used by {other.id}")


def _items(body: dict[str, Any], seller: Seller) -> list[Item]:
    currency = site(seller.site_id).currency_id
    items = []
    for raw in body.get("items") or []:
        if not isinstance(raw, dict):
            raise _invalid("items must be objects")
        try:
            price = Decimal(str(raw.get("unit_price", "0")))
            quantity = int(raw.get("quantity", 1))
        except (InvalidOperation, ValueError, TypeError, OverflowError):
            raise _invalid("items[].unit_price and items[].quantity must be numbers") from None
        items.append(
            Item(
                id=str(raw.get("external_code") or ""),
                title=str(raw.get("title") or ""),
                quantity=max(quantity, 1),
                unit_price=price if price.is_finite() else Decimal(0),
                currency_id=currency,
                unit_measure=str(raw.get("unit_measure") or "unit"),
            )
        )
    return items


# ---- routes ------------------------------------------------------------------------------------


@router.post("/v1/orders", status_code=201, openapi_extra=_SCHEMA)
async def create_order(request: Request, state: StateDep, seller: SellerDep) -> JSONResponse:
    key = request.headers.get("x-idempotency-key", "").strip()
    if not key:
        raise OrdersError(400, "required_header", "The X-Idempotency-Key header is required")
    body = await read_object(request, Family.ORDERS)
    with state.lock:
        order = _create_once(state, seller, body, key)
        return JSONResponse(status_code=201, content=render_order(state, order))


def _create_once(state: SandboxState, seller: Seller, body: dict[str, Any], key: str) -> ApiOrder:
    record_key, digest = f"{seller.id}:orders:{key}", fingerprint(body)
    try:
        earlier = remembered(state, record_key, digest)
    except ApiError:
        raise OrdersError(
            409, "idempotency_key_already_used", "The idempotency key was used with another body"
        ) from None
    if earlier is not None:
        return state.data.api_orders[earlier]
    total, external_pos_id, mode = _validate(body)
    ttl = _expiration(body, state.options.orders_ttl_seconds)
    _check_unique_reference(state, seller, str(body["external_reference"]))
    pos = state.pos_by_external(seller.id, external_pos_id)
    if pos is None:
        raise OrdersError(404, "pos_not_found", "Point of sale not found")
    order = create_api_order(
        state,
        seller,
        pos,
        body=body,
        mode=mode,
        items=_items(body, seller),
        total=total,
        expires_at=state.now() + ttl,
    )
    state.data.idempotency[record_key] = IdempotencyRecord(fingerprint=digest, resource_id=order.id)
    return order


def _order(state: SandboxState, seller: Seller, order_id: str) -> ApiOrder:
    order = state.data.api_orders.get(order_id)
    if order is None or order.seller_id != seller.id:
        raise OrdersError(404, "order_not_found", f"Order {order_id} not found")
    return order


@router.get("/v1/orders/{order_id}")
async def get_order(order_id: str, state: StateDep, seller: SellerDep) -> dict[str, Any]:
    return render_order(state, _order(state, seller, order_id))


@router.post("/v1/orders/{order_id}/cancel")
async def cancel_order(order_id: str, state: StateDep, seller: SellerDep) -> dict[str, Any]:
    """Only an order still waiting for its payment can be canceled (else 409)."""
    order = cancel_api_order(state, _order(state, seller, order_id))
    return render_order(state, order)


@router.post(
    "/v1/orders/{order_id}/refund",
    status_code=201,
    openapi_extra=body_schema({"transactions": {"type": "array", "items": {"type": "object"}}}),
)
async def refund_order(
    order_id: str, request: Request, state: StateDep, seller: SellerDep
) -> JSONResponse:
    """Total refund with no body; partial with ``{"transactions": [{"id", "amount": "10.00"}]}``."""
    order = _order(state, seller, order_id)
    body = await read_json(request, Family.ORDERS, allow_empty=True)
    amount = _refund_amount(body)
    key = request.headers.get("x-idempotency-key", "").strip() or state.ids.uuid4()
    with state.lock:
        payment_id = _approved_payment_id(state, order)
        if payment_id is not None and _earlier(state, payment_id, amount, key):
            # the same key again (a retry after a lost answer): the first refund's answer, even
            # when that refund left the order fully refunded
            return JSONResponse(status_code=201, content=render_order(state, order))
        if order.status is not ApiOrderStatus.PROCESSED or payment_id is None:
            raise OrdersError(
                409,
                "order_status_conflict",
                f"The order cannot be refunded because its status is {order.status.value}.",
            )
        try:
            refund_payment(state, state.data.payments[payment_id], amount, key)
        except ApiError as exc:
            raise OrdersError(400, "invalid_refund_amount", exc.message) from None
        return JSONResponse(status_code=201, content=render_order(state, order))


def _earlier(state: SandboxState, payment_id: int, amount: Decimal | None, key: str) -> bool:
    try:
        return earlier_refund(state, state.data.payments[payment_id], amount, key) is not None
    except ApiError as exc:  # the key with another amount
        raise OrdersError(409, "idempotency_key_already_used", exc.message) from None


def _refund_amount(body: object) -> Decimal | None:
    if body is None:
        return None
    txs = body.get("transactions") if isinstance(body, dict) else None
    if not txs:
        return None
    if not isinstance(txs, list) or not all(isinstance(t, dict) for t in txs):
        raise _invalid("transactions must be a list of objects")
    return sum((_amount(t.get("amount"), "transactions[].amount") for t in txs), Decimal(0))
