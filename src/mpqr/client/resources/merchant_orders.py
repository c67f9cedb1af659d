"""Merchant orders: get, search with every documented filter, and paging."""

from __future__ import annotations

from datetime import datetime
from typing import TypedDict

from mpqr.client._core import Call
from mpqr.client._validate import query, segment
from mpqr.client.models import MerchantOrder, MerchantOrderSearch
from mpqr.client.resources._parse import Id, model

__all__ = ["MerchantOrderFilters", "get", "next_offset", "search"]

DateFilter = str | datetime


class MerchantOrderFilters(TypedDict, total=False):
    """The documented filters of ``GET /merchant_orders/search`` (all optional)."""

    status: str | None
    preference_id: str | None
    application_id: Id | None
    payer_id: Id | None
    sponsor_id: Id | None
    external_reference: str | None
    site_id: str | None
    marketplace: str | None
    date_created_from: DateFilter | None
    date_created_to: DateFilter | None
    last_updated_from: DateFilter | None
    last_updated_to: DateFilter | None
    items: str | None
    order_status: str | None
    limit: int | None
    offset: int | None


def _date(value: DateFilter | None) -> str | None:
    if isinstance(value, datetime):
        return value.isoformat(timespec="milliseconds")
    return value


def get(merchant_order_id: Id) -> Call[MerchantOrder]:
    path = f"/merchant_orders/{segment('merchant_order_id', merchant_order_id)}"
    return Call("GET", path, model(MerchantOrder))


def search(**filters: object) -> Call[MerchantOrderSearch]:
    """``filters`` are the keys of :class:`MerchantOrderFilters`; ``None`` values are left out."""
    unknown = set(filters) - set(MerchantOrderFilters.__annotations__)
    if unknown:
        raise TypeError(f"unknown merchant order filter(s): {', '.join(sorted(unknown))}")
    values = {
        key: _date(value) if isinstance(value, datetime) else value
        for key, value in filters.items()
    }
    return Call("GET", "/merchant_orders/search", model(MerchantOrderSearch), query=query(**values))


def next_offset(page: MerchantOrderSearch, offset: int) -> int | None:
    """Where the next page starts, or ``None`` after the last page.

    Uses ``next_offset`` when MP sends it, else ``offset + len(elements)``; stops on an empty page,
    on reaching ``total``, or when the offset would not move forward (never loops forever).
    """
    if not page.elements:
        return None
    following = page.next_offset if page.next_offset is not None else offset + len(page.elements)
    if following <= offset or (page.total is not None and following >= page.total):
        return None
    return following
