"""Stores API (mp-api §7): create, get, update, delete, search."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

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
from mpqr.sandbox.models import Seller, Store
from mpqr.sandbox.state import SandboxState

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


def _validate(body: dict[str, Any], state: SandboxState, seller: Seller, own_id: int = 0) -> None:
    name = body.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ApiError(400, "INVALID_NAME", "name is required and must be a string")
    for key in ("location", "business_hours"):
        if key in body and not isinstance(body[key], dict):
            raise ApiError(400, f"INVALID_{key.upper()}", f"{key} must be an object")
    ext = body.get("external_id")
    if ext is None:
        return
    if not isinstance(ext, str) or not is_alnum(ext) or len(ext) > 60:
        raise ApiError(400, "INVALID_EXTERNAL_ID", "external_id must be alphanumeric")
    for other in state.data.stores.values():
        same = (other.external_id or "").lower() == ext.lower()
        if other.seller_id == seller.id and same and other.id != own_id:
            raise ApiError(409, "conflict", "A store with the same external_id already exists.")


def add_store(state: SandboxState, seller: Seller, body: dict[str, Any]) -> Store:
    """Validate and record a new store (``POST /users/{user_id}/stores``)."""
    with state.lock:
        _validate(body, state, seller)
        store = Store(
            id=state.new_number(state.data.stores, 8),
            seller_id=seller.id,
            name=body["name"],
            external_id=body.get("external_id"),
            location=body.get("location") or {},
            business_hours=body.get("business_hours") or {},
            date_created=state.now(),
        )
        state.data.stores[store.id] = store
        return store


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
    store = add_store(state, seller, body)
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
    with state.lock:
        _validate({"name": store.name, **body}, state, seller, store.id)
        store.name = body.get("name", store.name)
        store.external_id = body.get("external_id", store.external_id)
        store.location = body.get("location", store.location) or {}
        store.business_hours = body.get("business_hours", store.business_hours) or {}
    return render_store(store)


@router.delete("/users/{user_id}/stores/{store_id}")
async def delete_store(
    user_id: str, store_id: str, state: StateDep, seller: SellerDep
) -> dict[str, Any]:
    check_user(seller, user_id, Family.GENERAL)
    store = state.owned(state.data.stores, _store_id(store_id), seller, "store")
    with state.lock:
        del state.data.stores[store.id]
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
