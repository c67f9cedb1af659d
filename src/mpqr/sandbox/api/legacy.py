"""Legacy attended orders: ``/mpmobile/instore/qr/{user_id}/{external_id}`` POST and DELETE."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import TypeAdapter

from mpqr.sandbox.api.common import (
    Family,
    SellerDep,
    StateDep,
    body_schema,
    check_user,
    is_digits,
    money,
    read_object,
)
from mpqr.sandbox.api.instore_validation import legacy_items, legacy_sponsor, normalise_url
from mpqr.sandbox.errors import InstoreError
from mpqr.sandbox.lifecycle import LiveState
from mpqr.sandbox.models import Item, LegacyOrder, Pos, Seller
from mpqr.sandbox.orders import create_legacy
from mpqr.sandbox.slots import retire_pos_order
from mpqr.sandbox.state import SandboxState

router = APIRouter(tags=["instore orders (legacy)"])

_ITEM = {
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "title": {"type": "string"},
        "currency_id": {"type": "string", "example": "ARS"},
        "unit_price": {"type": "number", "example": 120.0},
        "quantity": {"type": "integer", "example": 1},
        "description": {"type": "string"},
        "picture_url": {"type": "string"},
    },
    "required": ["currency_id", "unit_price", "quantity"],
}
_SCHEMA = body_schema(
    {
        "external_reference": {"type": "string"},
        "notification_url": {"type": "string"},
        "sponsor_id": {"type": "integer"},
        "items": {"type": "array", "items": _ITEM},
    },
    ["items"],
)
_TTL_HEADER = "x-ttl-store-preference"
_ITEM_JSON: TypeAdapter[Item] = TypeAdapter(Item)


def render_preference(order: LegacyOrder, seller: Seller) -> dict[str, Any]:
    """The preference-like 200 body of a legacy POST."""
    total = money(order.total_amount)
    return {
        "id": order.id,
        "items": [
            {
                **_ITEM_JSON.dump_python(i, mode="json", exclude_none=True),
                "unit_price": money(i.unit_price),
            }
            for i in order.items
        ],
        "collector_id": seller.id,
        "collector": {},
        "total_amount": total,
        "amount": total,
        "external_reference": order.external_reference or "",
        "operation_type": "regular_payment",
        "payment_methods": {
            "excluded_payment_methods": [{"id": ""}],
            "excluded_payment_types": [{"id": "ticket"}, {"id": "atm"}],
        },
        "marketplace": "NONE",
        "marketplace_fee": 0,
        "sponsor_id": order.sponsor_id,
        "notification_url": order.notification_url,
        "back_urls": {"success": "", "pending": "", "failure": ""},
        "payer": {
            "id": 0,
            "email": "",
            "identification": {"number": "", "type": ""},
            "address": {"primary": False, "zip": ""},
            "phone": {"area_code": "", "number": ""},
            "internal_tags": [],
        },
        "expires": False,
        "additional_info": "",
        "site_id": seller.site_id,
        "client_id": seller.id,
        "processing_modes": ["aggregator"],
        "internal_metadata": {},
    }


def pos_or_404(state: SandboxState, seller: Seller, external_id: str) -> Pos:
    pos = state.pos_by_external(seller.id, external_id)
    if pos is None:
        raise InstoreError(404, "pos_obtainment_error", "Point of sale not found")
    return pos


def _pos_by_id(state: SandboxState, seller: Seller, pos_id: str) -> Pos:
    pos = state.data.pos.get(int(pos_id)) if is_digits(pos_id) else None
    if pos is None or pos.seller_id != seller.id:
        raise InstoreError(404, "pos_obtainment_error", "Point of sale not found")
    return pos


def _ttl(request: Request) -> int | None:
    raw = request.headers.get(_TTL_HEADER, "").strip()
    return int(raw) if is_digits(raw) and int(raw) > 0 else None


async def _create(request: Request, state: SandboxState, seller: Seller, pos: Pos) -> Any:
    body = await read_object(request, Family.LEGACY)
    with state.lock:
        items = legacy_items(body, seller)
        legacy_sponsor(body, seller, state)
        order = create_legacy(
            state,
            seller,
            pos,
            items=items,
            body=body,
            notification_url=normalise_url(body.get("notification_url")),
            ttl_seconds=_ttl(request),
        )
        return render_preference(order, seller)


def _delete(state: SandboxState, pos: Pos) -> Response:
    with state.lock:
        retire_pos_order(state, pos, LiveState.DELETED)
    return Response(status_code=204)


@router.post("/mpmobile/instore/qr/{user_id}/{external_id}", openapi_extra=_SCHEMA)
async def create_legacy_order(
    user_id: str, external_id: str, request: Request, state: StateDep, seller: SellerDep
) -> Any:
    """Put an order on the POS's QR (200, preference-like body); TTL 600 s or X-Ttl-Store-
    Preference.
    """
    check_user(seller, user_id, Family.LEGACY)
    return await _create(request, state, seller, pos_or_404(state, seller, external_id))


@router.delete(
    "/mpmobile/instore/qr/{user_id}/{external_id}", status_code=204, response_class=Response
)
async def delete_legacy_order(
    user_id: str, external_id: str, state: StateDep, seller: SellerDep
) -> Response:
    """Take the order off the POS's QR (204); scanning then shows the waiting screen."""
    check_user(seller, user_id, Family.LEGACY)
    return _delete(state, pos_or_404(state, seller, external_id))


@router.post("/mpmobile/instore/qr/{pos_id}", openapi_extra=_SCHEMA)
async def create_legacy_order_by_pos_id(
    pos_id: str, request: Request, state: StateDep, seller: SellerDep
) -> Any:
    """The same, naming the POS by its numeric id (MIG-v1)."""
    return await _create(request, state, seller, _pos_by_id(state, seller, pos_id))


@router.delete("/mpmobile/instore/qr/{pos_id}", status_code=204, response_class=Response)
async def delete_legacy_order_by_pos_id(
    pos_id: str, state: StateDep, seller: SellerDep
) -> Response:
    return _delete(state, _pos_by_id(state, seller, pos_id))
