"""Stores."""

from __future__ import annotations

from mpqr.client._core import Call
from mpqr.client._validate import as_dict, query, segment
from mpqr.client.models import Store, StoreDeleted, StoreSearch
from mpqr.client.resources._parse import Body, Id, model

__all__ = ["create", "delete", "get", "search", "update"]


def create(user_id: Id, body: Body, *, idempotency_key: str | None = None) -> Call[Store]:
    path = f"/users/{segment('user_id', user_id)}/stores"
    return Call(
        "POST", path, model(Store), json=as_dict("body", body), idempotency_key=idempotency_key
    )


def get(store_id: Id) -> Call[Store]:
    return Call("GET", f"/stores/{segment('store_id', store_id)}", model(Store))


def update(user_id: Id, store_id: Id, body: Body) -> Call[Store]:
    path = f"/users/{segment('user_id', user_id)}/stores/{segment('store_id', store_id)}"
    return Call("PUT", path, model(Store), json=as_dict("body", body))


def delete(user_id: Id, store_id: Id) -> Call[StoreDeleted]:
    path = f"/users/{segment('user_id', user_id)}/stores/{segment('store_id', store_id)}"
    return Call("DELETE", path, model(StoreDeleted))


def search(
    user_id: Id,
    *,
    external_id: str | None = None,
    limit: int | None = None,
    offset: int | None = None,
) -> Call[StoreSearch]:
    path = f"/users/{segment('user_id', user_id)}/stores/search"
    params = query(external_id=external_id, limit=limit, offset=offset)
    return Call("GET", path, model(StoreSearch), query=params)
