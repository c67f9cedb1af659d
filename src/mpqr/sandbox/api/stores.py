"""Stores API on the wire: create, get, update, delete, search (state changes in ``stores_pos``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from mpqr.sandbox import stores_pos
from mpqr.sandbox.api.common import (
    Family,
    SellerDep,
    StateDep,
    body_schema,
    check_user,
    is_alnum,
    is_digits,
    iso,
    page_params,
    read_object,
)
from mpqr.sandbox.errors import ApiError
from mpqr.sandbox.models import Store

router = APIRouter(tags=["stores"])

_STORE_SCHEMA = body_schema(
    {
        "name": {"type": "string", "example": "Sucursal Instore"},
        "external_id": {"type": "string", "example": "SUC001"},
        "business_hours": {"type": "object"},
        "location": {
            "type": "object",
            "properties": {
                "street_number": {"type": "string"},
                "street_name": {"type": "string"},
                "city_name": {"type": "string"},
                "state_name": {"type": "string"},
                "latitude": {"type": "number"},
                "longitude": {"type": "number"},
                "reference": {"type": "string"},
            },
        },
    },
    ["name"],
)


def render_store(store: Store, *, created: bool = False) -> dict[str, Any]:
    loc = dict(store.location)
    parts = [
        " ".join(str(loc[k]) for k in ("street_name", "street_number") if loc.get(k)),
        loc.get("city_name"),
        loc.get("state_name"),
    ]
    loc["address_line"] = ", ".join(str(p) for p in parts if p)
    body: dict[str, Any] = {
        "id": str(store.id),
        "name": store.name,
        "business_hours": store.business_hours,
        "location": loc,
        "external_id": store.external_id,
    }
    # the docs' own inconsistency: create says date_created, get/search say date_creation
    body["date_created" if created else "date_creation"] = iso(store.date_created)
    return body


def _store_id(value: str) -> int:
    if not is_digits(value):
        raise ApiError(400, "INVALID_STORE_ID", "store_id must be numeric")
    return int(value)


@router.post("/users/{user_id}/stores", openapi_extra=_STORE_SCHEMA)
async def create_store(
    user_id: str, request: Request, state: StateDep, seller: SellerDep
) -> dict[str, Any]:
    check_user(seller, user_id, Family.GENERAL)
    body = await read_object(request, Family.GENERAL)
    store = stores_pos.add_store(state, seller, body)
    return render_store(store, created=True)


@router.get("/stores/{store_id}")
async def get_store(store_id: str, state: StateDep, seller: SellerDep) -> dict[str, Any]:
    store = state.owned(state.data.stores, _store_id(store_id), seller, "store")
    return render_store(store)


@router.put("/users/{user_id}/stores/{store_id}", openapi_extra=_STORE_SCHEMA)
async def update_store(
    user_id: str, store_id: str, request: Request, state: StateDep, seller: SellerDep
) -> dict[str, Any]:
    check_user(seller, user_id, Family.GENERAL)
    store = state.owned(state.data.stores, _store_id(store_id), seller, "store")
    body = await read_object(request, Family.GENERAL)
    return render_store(stores_pos.update_store(state, seller, store, body))


@router.delete("/users/{user_id}/stores/{store_id}")
async def delete_store(
    user_id: str, store_id: str, state: StateDep, seller: SellerDep
) -> dict[str, Any]:
    check_user(seller, user_id, Family.GENERAL)
    store = state.owned(state.data.stores, _store_id(store_id), seller, "store")
    stores_pos.remove_store(state, store)
    return {"store": store.id, "user": seller.id}


@router.get("/users/{user_id}/stores/search")
async def search_stores(
    user_id: str,
    state: StateDep,
    seller: SellerDep,
    external_id: str | None = None,
    limit: str | None = None,
    offset: str | None = None,
) -> dict[str, Any]:
    check_user(seller, user_id, Family.GENERAL)
    if external_id is not None and not is_alnum(external_id):
        raise ApiError(400, "INVALID_EXTERNAL_ID", "external_id must be alphanumeric")
    lim, off = page_params(limit, offset)
    found = [
        s
        for s in state.data.stores.values()
        if s.seller_id == seller.id
        and (external_id is None or (s.external_id or "").lower() == external_id.lower())
    ]
    return {
        "paging": {"total": len(found), "offset": off, "limit": lim},
        "results": [render_store(s) for s in found[off : off + lim]],
    }
