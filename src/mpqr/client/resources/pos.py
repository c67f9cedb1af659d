"""Points of sale."""

from __future__ import annotations

from typing import Any

from mpqr.client._core import Call
from mpqr.client._validate import as_dict, pos_external_id, query, segment
from mpqr.client.models import Pos, PosSearch
from mpqr.client.resources._parse import Body, Id, model, nothing

__all__ = ["create", "delete", "get", "search", "update"]


def _checked(body: Body) -> dict[str, Any]:
    data = as_dict("body", body)
    if data.get("external_id") is not None:
        pos_external_id("external_id", data["external_id"])
    return data


def create(body: Body, *, idempotency_key: str | None = None) -> Call[Pos]:
    return Call("POST", "/pos", model(Pos), json=_checked(body), idempotency_key=idempotency_key)


def get(pos_id: Id) -> Call[Pos]:
    return Call("GET", f"/pos/{segment('pos_id', pos_id)}", model(Pos))


def update(pos_id: Id, body: Body) -> Call[Pos]:
    return Call("PUT", f"/pos/{segment('pos_id', pos_id)}", model(Pos), json=_checked(body))


def delete(pos_id: Id) -> Call[None]:
    return Call("DELETE", f"/pos/{segment('pos_id', pos_id)}", nothing)


def search(
    *,
    external_id: str | None = None,
    external_store_id: str | None = None,
    store_id: Id | None = None,
    category: int | None = None,
    limit: int | None = None,
    offset: int | None = None,
) -> Call[PosSearch]:
    params = query(
        external_id=external_id,
        external_store_id=external_store_id,
        store_id=store_id,
        category=category,
        limit=limit,
        offset=offset,
    )
    return Call("GET", "/pos", model(PosSearch), query=params)
