"""Validation of in-store order bodies with Mercado Pago's own error keys and messages.

Legacy ``/mpmobile`` bodies follow the documented legacy errors (``invalid_items`` "items needed."
...); v2 / dynamic / hybrid bodies follow the documented v2 errors (``invalid_total_amount``
"total_amount must be present." ...). Each check raises :class:`~mpqr.sandbox.errors.InstoreError`
(400) with the documented key and description.
"""

from __future__ import annotations

import math
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from mpqr.sandbox.api.common import is_digits
from mpqr.sandbox.errors import InstoreError
from mpqr.sandbox.models import Item, Seller
from mpqr.sandbox.state import SandboxState
from mpqr.sites import site, site_for_currency

__all__ = [
    "MAX_AMOUNT",
    "legacy_items",
    "legacy_sponsor",
    "normalise_url",
    "v2_expiration",
    "v2_items",
    "v2_order",
]

# Amounts above this "cannot be paid with Mercado Pago" (a range check exists; its bound is
# unpublished).
MAX_AMOUNT = Decimal("99999999")


def _bad(key: str, message: str) -> InstoreError:
    return InstoreError(400, key, message)


def _is_number(value: object) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return math.isfinite(value) and abs(value) < 1e15


def normalise_url(value: object) -> str | None:
    """``www.yourserver.com`` → ``http://www.yourserver.com``, as MP echoes it."""
    if not isinstance(value, str) or not value.strip():
        return None
    url = value.strip()
    return url if "://" in url else f"http://{url}"


# ---- legacy ------------------------------------------------------------------------------------


def legacy_items(body: dict[str, Any], seller: Seller) -> list[Item]:
    raw = body.get("items")
    if raw is None or raw == []:
        raise _bad("invalid_items", "items needed.")
    if not isinstance(raw, list):  # MP rejects the whole body then (sdk-php#171)
        raise _bad("invalid_preference_body", "Invalid preference_body")
    if not all(isinstance(i, dict) for i in raw):
        raise _bad("invalid_items", "items invalid. Wrong format")
    currency = site(seller.site_id).currency_id
    items = [_legacy_item(i, currency) for i in raw]
    total = sum((i.unit_price * i.quantity for i in items), Decimal(0))
    if total > MAX_AMOUNT:
        raise _bad(
            "invalid_items",
            f"amount cannot be paid with Mercado Pago: the total {total} is above {MAX_AMOUNT}.",
        )
    return items


def _legacy_item(raw: dict[str, Any], currency: str) -> Item:
    if raw.get("currency_id") is None:
        raise _bad("invalid_items", "currency_id needed.")
    if str(raw["currency_id"]).upper() != currency:
        raise _bad("invalid_items", "currency_id invalid.")
    quantity = raw.get("quantity")
    if quantity is None:
        raise _bad("invalid_items", "quantity needed.")
    if not _is_number(quantity):
        raise _bad("invalid_items", "quantity must be a number.")
    if int(quantity) != quantity or quantity < 1:
        raise _bad("invalid_items", f"quantity must be a positive integer: got {quantity}")
    price = raw.get("unit_price")
    if price is None:
        raise _bad("invalid_items", "unit_price needed.")
    if not _is_number(price):
        raise _bad("invalid_items", "unit_price must be a number.")
    return Item(
        id=_opt_str(raw.get("id")),
        title=str(raw.get("title") or ""),
        description=_opt_str(raw.get("description")),
        quantity=int(quantity),
        unit_price=_price(price, currency),
        currency_id=currency,
        picture_url=_opt_str(raw.get("picture_url")),
    )


def _price(value: int | float, currency: str) -> Decimal:
    amount = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    decimals = site_decimals(currency)
    places = -amount.normalize().as_tuple().exponent  # type: ignore[operator]
    if amount <= 0 or not amount.is_finite():
        raise _bad("invalid_items", f"unit_price invalid: it must be greater than 0: got {value}")
    if max(places, 0) > decimals:
        rule = "whole numbers" if decimals == 0 else f"at most {decimals} decimals"
        raise _bad("invalid_items", f"unit_price invalid: {currency} takes {rule}: got {value}")
    if amount > MAX_AMOUNT:
        raise _bad("invalid_items", f"unit_price invalid: the limit is {MAX_AMOUNT}: got {value}")
    return amount


def site_decimals(currency: str) -> int:
    return site_for_currency(currency).decimals


def legacy_sponsor(body: dict[str, Any], seller: Seller, state: SandboxState) -> None:
    raw = body.get("sponsor_id")
    if raw is None:
        return
    if isinstance(raw, bool) or not is_digits(str(raw)):
        raise _bad("invalid_sponsor_id", "sponsor_id must be a number")
    sponsor = state.data.sellers.get(int(str(raw)))
    if int(str(raw)) == seller.id:
        raise _bad("invalid_sponsor_id", "sponsor_id should be different than collector_id.")
    if sponsor is None:
        raise _bad("invalid_sponsor_id", "sponsor_id not found.")
    if sponsor.site_id != seller.site_id:
        raise _bad("invalid_sponsor_id", "sponsor_id site must be the same as collector_id.")


# ---- v2 / dynamic / hybrid ---------------------------------------------------------------------


def v2_order(body: dict[str, Any]) -> Decimal:
    """Check the order-level fields; returns ``total_amount``."""
    _present_str(body, "external_reference", "invalid_external_reference")
    _present_str(body, "title", "invalid_title")
    if "description" in body and not isinstance(body["description"], str):
        raise _bad("invalid_description", "description must be string")
    total = body.get("total_amount")
    if total is None:
        raise _bad("invalid_total_amount", "total_amount must be present.")
    if not _is_number(total) or total <= 0:
        raise _bad("invalid_total_amount", "total_amount must be number")
    _sponsor(body.get("sponsor"))
    _cash_out(body)
    return _decimal(total)


def _present_str(body: dict[str, Any], field: str, key: str) -> None:
    if field not in body or body[field] is None:
        raise _bad(key, f"{field} must be present.")
    if not isinstance(body[field], str):
        raise _bad(key, f"{field} must be string")


def _sponsor(sponsor: object) -> None:
    if sponsor is None:
        return
    if not isinstance(sponsor, dict) or sponsor.get("id") is None:
        raise _bad("invalid_id", "sponsor.id must be present.")
    if not _is_number(sponsor["id"]):
        raise _bad("invalid_sponsor.id", "sponsor.id must be number.")


def _cash_out(body: dict[str, Any]) -> None:
    cash_out = body.get("cash_out")
    if cash_out is None:
        if not body.get("items"):
            raise _bad(
                "error_creating_seller_qr_order",
                "The cash out is required when order has no items.",
            )
        return
    if not isinstance(cash_out, dict) or cash_out.get("amount") is None:
        raise _bad("invalid_amount", "cash_out.amount must be present.")
    if not _is_number(cash_out["amount"]):
        raise _bad("invalid_cash_out.amount", "cash_out.amount must be number.")


_ITEM_STRINGS = ("sku_number", "category", "description", "currency_id")
_ITEM_REQUIRED = (
    ("title", "invalid_title", str),
    ("unit_measure", "invalid_unit_measure", str),
    ("quantity", "invalid_quantity", "number"),
    ("unit_price", "invalid_unit_price", "number"),
)


def v2_items(body: dict[str, Any], seller: Seller) -> list[Item]:
    raw = body.get("items") or []
    if not isinstance(raw, list) or not all(isinstance(i, dict) for i in raw):
        raise _bad("invalid_items", "items must be a list of objects.")
    currency = site(seller.site_id).currency_id
    return [_v2_item(i, currency) for i in raw]


def _v2_item(raw: dict[str, Any], currency: str) -> Item:
    for field in _ITEM_STRINGS:
        if raw.get(field) is not None and not isinstance(raw[field], str):
            raise _bad(f"invalid_items.{field}", f"items.{field} must be string.")
    for field, key, kind in _ITEM_REQUIRED:
        if raw.get(field) is None:
            raise _bad(key, f"{field} must be present.")
        ok = isinstance(raw[field], str) if kind is str else _is_number(raw[field])
        if not ok:
            noun = "string" if kind is str else "number"
            raise _bad(f"invalid_items.{field}", f"items.{field} must be {noun}.")
    if raw.get("total_amount") is not None and not _is_number(raw["total_amount"]):
        raise _bad("invalid_items.total_amount", "items.total_amount must be number.")
    return Item(
        id=_opt_str(raw.get("sku_number")),
        title=raw["title"],
        description=_opt_str(raw.get("description")),
        quantity=max(int(raw["quantity"]), 1),
        unit_price=_decimal(raw["unit_price"]),
        currency_id=currency,
        category_id=_opt_str(raw.get("category")),
        unit_measure=raw["unit_measure"],
    )


def v2_expiration(body: dict[str, Any], now: datetime) -> datetime | None:
    raw = body.get("expiration_date")
    if raw is None:
        return None
    message = "Expiration date must be a valid and future date."
    try:
        when = datetime.fromisoformat(str(raw))
    except ValueError:
        raise _bad("invalid_expiration_date", message) from None
    if when.tzinfo is None or when <= now:
        raise _bad("invalid_expiration_date", message)
    return when


def _decimal(value: int | float) -> Decimal:
    try:
        return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    except InvalidOperation:  # pragma: no cover - floats from JSON are finite
        raise _bad("invalid_total_amount", "total_amount must be number") from None


def _opt_str(value: object) -> str | None:
    return None if value is None else str(value)
