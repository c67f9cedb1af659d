"""Stores and POS (cashboxes): the state side of ``api/stores.py`` and ``api/pos.py``.

Validation raises :class:`~mpqr.sandbox.errors.ApiError` with Mercado Pago's own keys
(``INVALID_NAME``, ``EXTERNAL_ID_TOO_LONG``, ``EXTERNAL_STORE_ID_NOT_MATCH``, ...); every change
runs under the state lock. The wire modules only parse the request and render the record; the CLI
calls these functions directly.
"""

from __future__ import annotations

from typing import Any

from mpqr.sandbox.errors import ApiError
from mpqr.sandbox.lifecycle import LiveState
from mpqr.sandbox.models import Pos, Seller, Store
from mpqr.sandbox.slots import retire_pos_order
from mpqr.sandbox.state import SandboxState
from mpqr.sandbox.syntax import is_alnum, is_digits

__all__ = ["add_pos", "add_store", "remove_pos", "remove_store", "update_pos", "update_store"]


# ---- stores ------------------------------------------------------------------------------------


def _check_store(
    body: dict[str, Any], state: SandboxState, seller: Seller, own_id: int = 0
) -> None:
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
        _check_store(body, state, seller)
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


def update_store(state: SandboxState, seller: Seller, store: Store, body: dict[str, Any]) -> Store:
    with state.lock:
        _check_store({"name": store.name, **body}, state, seller, store.id)
        store.name = body.get("name", store.name)
        store.external_id = body.get("external_id", store.external_id)
        store.location = body.get("location", store.location) or {}
        store.business_hours = body.get("business_hours", store.business_hours) or {}
        return store


def remove_store(state: SandboxState, store: Store) -> None:
    with state.lock:
        del state.data.stores[store.id]


# ---- POS ---------------------------------------------------------------------------------------


def _check_pos(body: dict[str, Any]) -> None:
    name = body.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ApiError(400, "INVALID_NAME", "name is required and must be a string")
    if len(name) >= 45:
        raise ApiError(400, "NAME_TOO_LONG", "name must be less than 45 characters")
    if "fixed_amount" in body and not isinstance(body["fixed_amount"], bool):
        raise ApiError(400, "INVALID_FIXED_AMOUNT", "fixed_amount must be boolean")
    category = body.get("category")
    if category is not None and (isinstance(category, bool) or not is_digits(str(category))):
        raise ApiError(400, "INVALID_CATEGORY", "category must be numeric")
    url = body.get("url")
    if url is not None and (not isinstance(url, str) or len(url) >= 300):
        raise ApiError(400, "URL_TOO_LONG", "url must be a string of less than 300 characters")
    if url is not None and body.get("fixed_amount") is False:
        raise ApiError(400, "FIXED_AMOUNT_FALSE", "url requires fixed_amount true")


def _check_external_id(state: SandboxState, seller: Seller, ext: object, own: int = 0) -> str:
    if not isinstance(ext, str) or not is_alnum(ext):
        raise ApiError(400, "INVALID_EXTERNAL_ID", "external_id must be alphanumeric")
    if len(ext) >= 40:
        raise ApiError(400, "EXTERNAL_ID_TOO_LONG", "external_id must be less than 40 characters")
    other = state.pos_by_external(seller.id, ext)
    if other is not None and other.id != own:
        raise ApiError(409, "conflict", "A pos with the same EXTERNAL_ID already exists.")
    return ext


def _store_by_external(state: SandboxState, seller: Seller, ext: object) -> Store:
    wanted = str(ext).lower()
    for store in state.data.stores.values():
        if store.seller_id == seller.id and (store.external_id or "").lower() == wanted:
            return store
    raise ApiError(400, "INEXISTENT_EXTERNAL_STORE_ID", "external_store_id not found")


def _resolve_store(state: SandboxState, seller: Seller, body: dict[str, Any]) -> Store:
    raw_id, ext = body.get("store_id"), body.get("external_store_id")
    if raw_id is None and ext is None:
        raise ApiError(400, "INVALID_EXTERNAL_STORE_ID", "external_store_id is required")
    by_ext = None if ext is None else _store_by_external(state, seller, ext)
    if raw_id is None:
        assert by_ext is not None
        return by_ext
    if isinstance(raw_id, bool) or not is_digits(str(raw_id)):
        raise ApiError(400, "INVALID_STORE_ID", "store_id must be numeric")
    store = state.data.stores.get(int(str(raw_id)))
    if store is None or store.seller_id != seller.id:
        raise ApiError(400, "INVALID_STORE_ID", "store_id not found")
    if by_ext is not None and by_ext.id != store.id:
        raise ApiError(400, "EXTERNAL_STORE_ID_NOT_MATCH", "store_id and external_store_id differ")
    return store


def add_pos(state: SandboxState, seller: Seller, body: dict[str, Any]) -> Pos:
    """Validate and record a new POS (``POST /pos``)."""
    with state.lock:
        _check_pos(body)
        ext = _check_external_id(state, seller, body.get("external_id"))
        store = _resolve_store(state, seller, body)
        now = state.now()
        pos = Pos(
            id=state.new_number(state.data.pos, 8),
            seller_id=seller.id,
            name=body["name"],
            external_id=ext,
            store_id=store.id,
            external_store_id=store.external_id,
            fixed_amount=body.get("fixed_amount", True),
            category=int(body["category"]) if body.get("category") is not None else None,
            url=body.get("url"),
            uuid=state.ids.hex(64),
            date_created=now,
            date_last_updated=now,
        )
        state.data.pos[pos.id] = pos
        return pos


def update_pos(state: SandboxState, seller: Seller, pos: Pos, body: dict[str, Any]) -> Pos:
    """``PUT /pos/{id}``: the ``external_id`` can not be modified."""
    with state.lock:
        _check_pos({"name": pos.name, **body})
        ext = body.get("external_id")
        if ext is not None and str(ext).lower() != (pos.external_id or "").lower():
            raise ApiError(400, "INVALID_EXTERNAL_ID", "external_id can not be modified")
        if "store_id" in body or "external_store_id" in body:
            store = _resolve_store(state, seller, body)
            pos.store_id, pos.external_store_id = store.id, store.external_id
        pos.name = body.get("name", pos.name)
        pos.fixed_amount = body.get("fixed_amount", pos.fixed_amount)
        if body.get("category") is not None:
            pos.category = int(body["category"])
        pos.url = body.get("url", pos.url)
        pos.date_last_updated = state.now()
        return pos


def remove_pos(state: SandboxState, pos: Pos) -> None:
    """``DELETE /pos/{id}``: its live order is deleted with it."""
    with state.lock:
        retire_pos_order(state, pos, LiveState.DELETED)
        del state.data.pos[pos.id]
