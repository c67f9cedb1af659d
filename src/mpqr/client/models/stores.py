"""Stores (sucursales)."""

from __future__ import annotations

from pydantic import Field

from mpqr.client.models._base import IdStr, MPModel, Paging, RequestModel

__all__ = [
    "BusinessHours",
    "OpeningHours",
    "Store",
    "StoreCreateRequest",
    "StoreDeleted",
    "StoreLocation",
    "StoreSearch",
]


class OpeningHours(MPModel):
    open: str
    close: str


BusinessHours = dict[str, list[OpeningHours]]


class StoreLocation(MPModel):
    street_number: str | None = None
    street_name: str | None = None
    city_name: str | None = None
    state_name: str | None = None
    zip_code: str | None = None
    address_line: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    reference: str | None = None


class Store(MPModel):
    """A store. ``id`` is a numeric string; ``external_id`` is yours.

    The create response says ``date_created``, GET and search say ``date_creation``: both are kept.
    """

    id: IdStr
    name: str | None = None
    external_id: str | None = None
    date_created: str | None = None
    date_creation: str | None = None
    business_hours: BusinessHours | None = None
    location: StoreLocation | None = None


class StoreSearch(MPModel):
    paging: Paging = Field(default_factory=Paging)
    results: list[Store] = Field(default_factory=list)


class StoreDeleted(MPModel):
    """Body of ``DELETE /users/{user_id}/stores/{id}``: ``{"store": id, "user": user_id}``."""

    store: int | str | None = None
    user: int | str | None = None


class StoreCreateRequest(RequestModel):
    """Body of ``POST /users/{user_id}/stores`` and ``PUT /users/{user_id}/stores/{id}``."""

    name: str
    external_id: str | None = None
    location: StoreLocation | None = None
    business_hours: BusinessHours | None = None
