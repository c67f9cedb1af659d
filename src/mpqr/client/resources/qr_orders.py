"""In-store attended orders: legacy v1, v2, dynamic and hybrid QR."""

from __future__ import annotations

from typing import Any

from mpqr.client._core import Call
from mpqr.client._validate import as_dict, currency, item_list, money, quantity, segment, sponsor
from mpqr.client.models import DynamicQr, InstoreOrderV1Response, InstoreOrderV2
from mpqr.client.resources._parse import Body, Id, model, nothing, one_or_many, optional
from mpqr.errors import ValidationError

__all__ = [
    "create_dynamic",
    "create_v1",
    "delete",
    "delete_v1",
    "get",
    "order_v1_body",
    "order_v2_body",
    "put",
    "put_hybrid",
]


def _v1_item(field: str, item: dict[str, Any], site_currency: str | None) -> dict[str, Any]:
    cur = currency(f"{field}.currency_id", item.get("currency_id"))
    if site_currency is not None and cur != site_currency:
        raise ValidationError(
            f"{field}.currency_id: the seller's site uses {site_currency}: got {cur}"
        )
    item["currency_id"] = cur
    item["unit_price"] = money(f"{field}.unit_price", item.get("unit_price"), cur)
    item["quantity"] = quantity(f"{field}.quantity", item.get("quantity"))
    return item


def order_v1_body(order: Body, site_currency: str | None, collector: Id = 0) -> dict[str, Any]:
    """A checked legacy order.

    Every item has a known currency, a valid price and quantity; a ``sponsor_id`` is a user id
    other than the ``collector``'s.
    """
    data = as_dict("order", order)
    items = item_list("items", data.get("items"))
    data["items"] = [_v1_item(f"items[{i}]", it, site_currency) for i, it in enumerate(items)]
    if data.get("sponsor_id") is not None:
        data["sponsor_id"] = sponsor("sponsor_id", data["sponsor_id"], collector)
    return data


def _v2_item(field: str, item: dict[str, Any], site_currency: str | None) -> dict[str, Any]:
    cur = site_currency
    if item.get("currency_id") is not None:
        cur = currency(f"{field}.currency_id", item["currency_id"])
    item["unit_price"] = money(f"{field}.unit_price", item.get("unit_price"), cur)
    item["quantity"] = quantity(f"{field}.quantity", item.get("quantity"))
    if item.get("total_amount") is not None:
        item["total_amount"] = money(f"{field}.total_amount", item["total_amount"], cur)
    return item


def order_v2_body(order: Body, site_currency: str | None, collector: Id = 0) -> dict[str, Any]:
    """A checked v2 / dynamic order; amounts follow the seller's site currency when it is known.

    ``items`` may only be left out when the order is a pure ``cash_out`` (MP's own rule); a
    ``sponsor.id`` is a user id other than the ``collector``'s.
    """
    data = as_dict("order", order)
    if data.get("sponsor") is not None:
        given = as_dict("sponsor", data["sponsor"])
        if given.get("id") is None:
            raise ValidationError("sponsor.id: required when sponsor is given")
        given["id"] = sponsor("sponsor.id", given["id"], collector)
        data["sponsor"] = given
    data["total_amount"] = money("total_amount", data.get("total_amount"), site_currency)
    if data.get("items") is not None or data.get("cash_out") is None:
        items = item_list("items", data.get("items"))
        data["items"] = [_v2_item(f"items[{i}]", it, site_currency) for i, it in enumerate(items)]
    return data


def _v1_path(user_id: Id, external_pos_id: Id) -> str:
    user, pos = segment("user_id", user_id), segment("external_pos_id", external_pos_id)
    return f"/mpmobile/instore/qr/{user}/{pos}"


def _v2_path(user_id: Id, external_pos_id: Id) -> str:
    user, pos = segment("user_id", user_id), segment("external_pos_id", external_pos_id)
    return f"/instore/qr/seller/collectors/{user}/pos/{pos}/orders"


def _qrs_path(user_id: Id, external_pos_id: Id) -> str:
    user, pos = segment("user_id", user_id), segment("external_pos_id", external_pos_id)
    return f"/instore/orders/qr/seller/collectors/{user}/pos/{pos}/qrs"


def create_v1(
    user_id: Id,
    external_pos_id: Id,
    order: Body,
    ttl_seconds: int | None = None,
    *,
    site_currency: str | None = None,
    idempotency_key: str | None = None,
) -> Call[InstoreOrderV1Response]:
    headers: tuple[tuple[str, str], ...] = ()
    if ttl_seconds is not None:
        headers = (("X-Ttl-Store-Preference", str(quantity("ttl_seconds", ttl_seconds))),)
    body = order_v1_body(order, site_currency, user_id)
    path = _v1_path(user_id, external_pos_id)
    return Call(
        "POST",
        path,
        model(InstoreOrderV1Response),
        json=body,
        headers=headers,
        idempotency_key=idempotency_key,
    )


def delete_v1(user_id: Id, external_pos_id: Id) -> Call[None]:
    return Call("DELETE", _v1_path(user_id, external_pos_id), nothing)


def put(
    user_id: Id,
    external_pos_id: Id,
    order: Body,
    external_store_id: Id | None = None,
    *,
    site_currency: str | None = None,
) -> Call[None]:
    body = order_v2_body(order, site_currency, user_id)
    if external_store_id is None:
        path = _v2_path(user_id, external_pos_id)
    else:
        user, pos = segment("user_id", user_id), segment("external_pos_id", external_pos_id)
        store = segment("external_store_id", external_store_id)
        path = f"/instore/qr/seller/collectors/{user}/stores/{store}/pos/{pos}/orders"
    return Call("PUT", path, nothing, json=body)


def get(user_id: Id, external_pos_id: Id) -> Call[list[InstoreOrderV2]]:
    return Call("GET", _v2_path(user_id, external_pos_id), one_or_many(InstoreOrderV2))


def delete(user_id: Id, external_pos_id: Id) -> Call[None]:
    return Call("DELETE", _v2_path(user_id, external_pos_id), nothing)


def create_dynamic(
    user_id: Id,
    external_pos_id: Id,
    order: Body,
    *,
    site_currency: str | None = None,
    idempotency_key: str | None = None,
) -> Call[DynamicQr]:
    body = order_v2_body(order, site_currency, user_id)
    path = _qrs_path(user_id, external_pos_id)
    return Call("POST", path, model(DynamicQr), json=body, idempotency_key=idempotency_key)


def put_hybrid(
    user_id: Id, external_pos_id: Id, order: Body, *, site_currency: str | None = None
) -> Call[DynamicQr | None]:
    body = order_v2_body(order, site_currency, user_id)
    return Call("PUT", _qrs_path(user_id, external_pos_id), optional(DynamicQr), json=body)
