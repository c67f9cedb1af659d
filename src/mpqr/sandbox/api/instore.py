"""Instore v2 orders and dynamic / hybrid QR.

- ``PUT .../pos/{external_pos_id}/orders`` (both forms) → 204; the merchant order exists from now.
- ``GET .../pos/{external_pos_id}/orders`` → a JSON array with the POS's order, or 404
  ``point_of_sale_in_store_order_not_found``.
- ``DELETE`` → 204, or the documented 500 ``in_store_order_creation_error`` when there is nothing to
  delete.
- ``POST .../qrs`` (dynamic) → 200 ``{qr_data, in_store_order_id}``; ``PUT .../qrs`` (hybrid) → 201
  with the same body (the migration guide's reading of an ambiguous reference).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from mpqr.sandbox.api.common import (
    Family,
    SellerDep,
    StateDep,
    body_schema,
    check_user,
    read_object,
)
from mpqr.sandbox.api.instore_validation import (
    normalise_url,
    v2_expiration,
    v2_items,
    v2_order,
)
from mpqr.sandbox.api.legacy import pos_or_404
from mpqr.sandbox.errors import InstoreError
from mpqr.sandbox.lifecycle import LiveState, OrderKind
from mpqr.sandbox.models import InstoreOrder, Pos, Seller
from mpqr.sandbox.orders import create_instore
from mpqr.sandbox.slots import live_order, retire_pos_order
from mpqr.sandbox.state import SandboxState

router = APIRouter(tags=["instore orders v2, dynamic and hybrid QR"])

V2 = "/instore/qr/seller/collectors/{user_id}"
QRS = "/instore/orders/qr/seller/collectors/{user_id}/pos/{external_pos_id}/qrs"

_ITEM = {
    "type": "object",
    "properties": {
        "sku_number": {"type": "string"},
        "category": {"type": "string"},
        "title": {"type": "string"},
        "description": {"type": "string"},
        "unit_price": {"type": "number"},
        "quantity": {"type": "integer"},
        "unit_measure": {"type": "string", "enum": ["unit", "pack"]},
        "total_amount": {"type": "number"},
    },
    "required": ["title", "unit_price", "quantity", "unit_measure", "total_amount"],
}
_SCHEMA = body_schema(
    {
        "external_reference": {"type": "string"},
        "title": {"type": "string"},
        "description": {"type": "string"},
        "notification_url": {"type": "string"},
        "expiration_date": {"type": "string", "format": "date-time"},
        "total_amount": {"type": "number"},
        "items": {"type": "array", "items": _ITEM},
        "sponsor": {"type": "object", "properties": {"id": {"type": "integer"}}},
        "cash_out": {"type": "object", "properties": {"amount": {"type": "number"}}},
    },
    ["external_reference", "title", "total_amount"],
)
_NOT_FOUND = ("point_of_sale_in_store_order_not_found", "No associated order found.")


def render_v2(order: InstoreOrder, seller: Seller, pos: Pos) -> dict[str, Any]:
    """The GET shape: the order as sent, plus ``user_id`` and ``external_pos_id``."""
    body = order.body.dict()
    keys = (
        "external_reference",
        "total_amount",
        "items",
        "title",
        "description",
        "sponsor",
        "expiration_date",
        "cash_out",
    )
    out = {k: body[k] for k in keys if k in body}
    out["notification_url"] = order.notification_url
    out["user_id"] = seller.id
    out["external_pos_id"] = pos.external_id
    return out


async def _create(
    request: Request,
    state: SandboxState,
    seller: Seller,
    pos: Pos,
    kind: OrderKind,
) -> InstoreOrder:
    body = await read_object(request, Family.INSTORE)
    with state.lock:
        total = v2_order(body)
        items = v2_items(body, seller)
        if kind is OrderKind.DYNAMIC and "notification_url" in body:
            _check_url(body["notification_url"])
        expires = v2_expiration(body, state.now())
        body = {**body, "notification_url": normalise_url(body.get("notification_url"))}
        return create_instore(
            state, seller, pos, kind=kind, body=body, items=items, total=total, expires_at=expires
        )


def _check_url(value: object) -> None:
    url = normalise_url(value)
    if url is None or " " in url or "." not in url.split("://", 1)[1]:
        raise InstoreError(400, "invalid_notification_url", "notification_url must be url.")


def _pos(state: SandboxState, seller: Seller, user_id: str, external_pos_id: str) -> Pos:
    check_user(seller, user_id, Family.INSTORE)
    if not external_pos_id.strip():
        raise InstoreError(400, "invalid_externalPosId", "externalPosId must be present.")
    return pos_or_404(state, seller, external_pos_id)


@router.put(
    V2 + "/pos/{external_pos_id}/orders",
    status_code=204,
    response_class=Response,
    openapi_extra=_SCHEMA,
)
async def put_v2_order(
    user_id: str, external_pos_id: str, request: Request, state: StateDep, seller: SellerDep
) -> Response:
    """Create (or replace) the POS's order. 204, empty body."""
    pos = _pos(state, seller, user_id, external_pos_id)
    await _create(request, state, seller, pos, OrderKind.V2)
    return Response(status_code=204)


@router.put(
    V2 + "/stores/{external_store_id}/pos/{external_pos_id}/orders",
    status_code=204,
    response_class=Response,
    openapi_extra=_SCHEMA,
)
async def put_v2_order_in_store(
    user_id: str,
    external_store_id: str,
    external_pos_id: str,
    request: Request,
    state: StateDep,
    seller: SellerDep,
) -> Response:
    """The same, naming the store too (the form the reference documents now)."""
    pos = _pos(state, seller, user_id, external_pos_id)
    if (pos.external_store_id or "").lower() != external_store_id.lower():
        raise InstoreError(404, "pos_obtainment_error", "Point of sale not found")
    await _create(request, state, seller, pos, OrderKind.V2)
    return Response(status_code=204)


def _get(state: SandboxState, seller: Seller, pos: Pos) -> list[dict[str, Any]]:
    order = live_order(state, pos)
    if not isinstance(order, InstoreOrder):
        raise InstoreError(404, *_NOT_FOUND)
    return [render_v2(order, seller, pos)]


@router.get(V2 + "/pos/{external_pos_id}/orders")
async def get_v2_order(
    user_id: str, external_pos_id: str, state: StateDep, seller: SellerDep
) -> list[dict[str, Any]]:
    """The POS's current order, as an array (the current reference's shape)."""
    return _get(state, seller, _pos(state, seller, user_id, external_pos_id))


def _delete(state: SandboxState, pos: Pos) -> Response:
    with state.lock:
        removed = retire_pos_order(state, pos, LiveState.DELETED)
    if not removed and not state.options.v2_delete_204:
        raise InstoreError(500, "in_store_order_creation_error", "Failed to delete order.")
    return Response(status_code=204)


@router.delete(V2 + "/pos/{external_pos_id}/orders", status_code=204, response_class=Response)
async def delete_v2_order(
    user_id: str, external_pos_id: str, state: StateDep, seller: SellerDep
) -> Response:
    """204; with no order on the POS, the documented 500 (switch ``v2_delete_204``)."""
    return _delete(state, _pos(state, seller, user_id, external_pos_id))


def _qr_body(order: InstoreOrder) -> dict[str, Any]:
    return {"qr_data": order.qr_data, "in_store_order_id": order.id}


@router.post(QRS, openapi_extra=_SCHEMA)
async def create_dynamic_qr(
    user_id: str, external_pos_id: str, request: Request, state: StateDep, seller: SellerDep
) -> dict[str, Any]:
    """A dynamic QR for one order: 200 ``{qr_data, in_store_order_id}``."""
    pos = _pos(state, seller, user_id, external_pos_id)
    order = await _create(request, state, seller, pos, OrderKind.DYNAMIC)
    return _qr_body(order)


@router.put(QRS, status_code=201, openapi_extra=_SCHEMA)
async def put_hybrid_qr(
    user_id: str, external_pos_id: str, request: Request, state: StateDep, seller: SellerDep
) -> JSONResponse:
    """Hybrid: the order sits on the POS's static QR and gets a dynamic ``qr_data`` too (201)."""
    pos = _pos(state, seller, user_id, external_pos_id)
    order = await _create(request, state, seller, pos, OrderKind.HYBRID)
    return JSONResponse(status_code=201, content=_qr_body(order))


@router.get(QRS)
async def get_hybrid_qr(
    user_id: str, external_pos_id: str, state: StateDep, seller: SellerDep
) -> list[dict[str, Any]]:
    return _get(state, seller, _pos(state, seller, user_id, external_pos_id))


@router.delete(QRS, status_code=204, response_class=Response)
async def delete_hybrid_qr(
    user_id: str, external_pos_id: str, state: StateDep, seller: SellerDep
) -> Response:
    return _delete(state, _pos(state, seller, user_id, external_pos_id))
