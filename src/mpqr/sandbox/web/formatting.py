"""How the dashboard writes money, tokens, times and item lists (pure functions)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from mpqr.sites import UnknownSiteError, site_for_currency

__all__ = ["format_money", "items_summary", "mask_token", "short_time"]

Json = Mapping[str, Any]


def format_money(value: object, currency: str) -> str:
    """``"ARS 21.00"``: the amount with its currency's decimals (CLP and COP have none)."""
    try:
        amount = Decimal(str(value))
        quantum = site_for_currency(currency).quantum
    except (InvalidOperation, UnknownSiteError):
        return f"{currency} {value}"
    return f"{currency} {amount.quantize(quantum):,}"


def mask_token(token: str) -> str:
    """``APP_USR-8633…-244272509``: enough to tell tokens apart, not enough to use one."""
    if len(token) < 16:
        return "…"
    head, _, user_id = token.rpartition("-")
    return f"{head[:12]}…-{user_id}" if user_id.isdigit() else f"{token[:12]}…"


def short_time(value: object) -> str:
    """``2026-11-27 05:40:42`` from an ISO 8601 string (empty for ``None``)."""
    if not isinstance(value, str) or len(value) < 19:
        return ""
    return value[:19].replace("T", " ")


def items_summary(items: Sequence[Json]) -> str:
    """``"Café (+2 more)"``: the first item's title and how many others there are."""
    if not items:
        return ""
    first = str(items[0].get("title") or "")
    return f"{first} (+{len(items) - 1} more)" if len(items) > 1 else first
