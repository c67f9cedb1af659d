"""The dashboard's rows, built without I/O from the control plane's JSON.

The input is exactly what ``GET /_sandbox/state`` and ``GET /_sandbox/notifications`` return, so the
dashboard shows nothing a script could not read itself. Every function here is pure: the route
gathers the two documents, :func:`build_dashboard` turns them into rows, the template renders them
(autoescaped).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from mpqr.sites import UnknownSiteError, site, site_for_currency

__all__ = [
    "Dashboard",
    "DeliveryRow",
    "LiveOrderRow",
    "MerchantOrderRow",
    "PaymentRow",
    "PosRow",
    "SellerRow",
    "StoreRow",
    "build_dashboard",
    "cashbox_rows",
    "format_money",
    "items_summary",
    "mask_token",
    "short_time",
]

LIMIT: Final = 50  # newest rows shown per table; the counts say how many exist

Json = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class SellerRow:
    id: int
    nickname: str
    site_id: str
    business_name: str | None
    token_masked: str
    token: str


@dataclass(frozen=True, slots=True)
class StoreRow:
    id: int
    seller_id: int
    name: str
    external_id: str | None
    city: str


@dataclass(frozen=True, slots=True)
class LiveOrderRow:
    kind: str
    id: str
    total: str
    expires_at: str


@dataclass(frozen=True, slots=True)
class PosRow:
    id: int
    seller_id: int
    name: str
    external_id: str | None
    store_name: str
    qr_image: str
    qr_poster: str
    customer_url: str
    live: LiveOrderRow | None


@dataclass(frozen=True, slots=True)
class MerchantOrderRow:
    id: int
    seller_id: int
    pos_id: int | None
    kind: str
    title: str
    status: str
    order_status: str
    total: str
    paid: str
    refunded: str
    external_reference: str | None
    created: str


@dataclass(frozen=True, slots=True)
class PaymentRow:
    id: int
    mo_id: str
    status: str
    status_detail: str
    amount: str
    refunded: str
    refunds: int
    pos_id: str | None
    created: str


@dataclass(frozen=True, slots=True)
class DeliveryRow:
    id: int
    url: str
    form: str
    type: str
    resource_id: str
    state: str
    attempts: int
    last_result: str
    next_attempt_at: str


@dataclass(frozen=True, slots=True)
class Dashboard:
    """Everything the dashboard panel shows; ``counts`` are the totals before :data:`LIMIT`."""

    sellers: list[SellerRow]
    stores: list[StoreRow]
    cashboxes: list[PosRow]
    merchant_orders: list[MerchantOrderRow]
    payments: list[PaymentRow]
    deliveries: list[DeliveryRow]
    counts: dict[str, int]


# ---- formatting -------------------------------------------------------------------------------


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


def _newest(rows: Iterable[Json], key: str) -> list[Json]:
    return sorted(rows, key=lambda r: (str(r.get(key) or ""), r.get("id", 0)), reverse=True)


# ---- rows -------------------------------------------------------------------------------------


def _sellers(state: Json) -> list[SellerRow]:
    return [
        SellerRow(
            id=s["id"],
            nickname=s["nickname"],
            site_id=s["site_id"],
            business_name=s.get("business_name"),
            token_masked=mask_token(s["access_token"]),
            token=s["access_token"],
        )
        for s in state["sellers"].values()
    ]


def _stores(state: Json) -> list[StoreRow]:
    return [
        StoreRow(
            id=s["id"],
            seller_id=s["seller_id"],
            name=s["name"],
            external_id=s.get("external_id"),
            city=str((s.get("location") or {}).get("city_name") or ""),
        )
        for s in state["stores"].values()
    ]


def _currency_of(state: Json, seller_id: int) -> str:
    seller = state["sellers"].get(str(seller_id))
    return site(seller["site_id"]).currency_id if seller else ""


def _live(state: Json, pos: Json) -> LiveOrderRow | None:
    kind, live_id = pos.get("live_kind"), pos.get("live_id")
    if kind is None or live_id is None:
        return None
    table = {"legacy": "legacy_orders", "orders": "api_orders"}.get(kind, "instore_orders")
    order = state[table].get(live_id) or {}
    currency = _currency_of(state, pos["seller_id"])
    total = order.get("total_amount")
    return LiveOrderRow(
        kind=kind,
        id=live_id,
        total=format_money(total, currency) if total is not None else "",
        expires_at=short_time(order.get("expires_at")),
    )


def cashbox_rows(state: Json) -> list[PosRow]:
    """One row per POS: its QR files, its customer page and the order its QR shows now."""
    rows = []
    for p in state["pos"].values():
        store = state["stores"].get(str(p.get("store_id"))) or {}
        root = f"/qr/{p['id']}"
        rows.append(
            PosRow(
                id=p["id"],
                seller_id=p["seller_id"],
                name=p["name"],
                external_id=p.get("external_id"),
                store_name=str(store.get("name") or ""),
                qr_image=f"{root}/{p['uuid']}.png",
                qr_poster=f"{root}/template_{p['uuid']}.pdf",
                customer_url=f"/customer/{p['id']}",
                live=_live(state, p),
            )
        )
    return rows


def _merchant_orders(state: Json) -> list[MerchantOrderRow]:
    raw = state["merchant_orders"]
    rows = []
    for mo in _newest(state["merchant_orders_view"], "date_created")[:LIMIT]:
        record = raw.get(str(mo["id"])) or {}
        currency = _currency_of(state, mo["collector"]["id"])
        rows.append(
            MerchantOrderRow(
                id=mo["id"],
                seller_id=mo["collector"]["id"],
                pos_id=record.get("pos_id"),
                kind=str(record.get("source_kind") or ""),
                title=items_summary(mo.get("items") or ()),
                status=mo["status"],
                order_status=mo["order_status"],
                total=format_money(mo["total_amount"], currency),
                paid=format_money(mo["paid_amount"], currency),
                refunded=format_money(mo["refunded_amount"], currency),
                external_reference=mo.get("external_reference"),
                created=short_time(mo.get("date_created")),
            )
        )
    return rows


def _payments(state: Json) -> list[PaymentRow]:
    return [
        PaymentRow(
            id=p["id"],
            mo_id=str((p.get("order") or {}).get("id") or ""),
            status=p["status"],
            status_detail=p["status_detail"],
            amount=format_money(p["transaction_amount"], p["currency_id"]),
            refunded=format_money(p["transaction_amount_refunded"], p["currency_id"]),
            refunds=len(p.get("refunds") or ()),
            pos_id=p.get("pos_id"),
            created=short_time(p.get("date_created")),
        )
        for p in _newest(state["payments_view"], "date_created")[:LIMIT]
    ]


def _last_result(attempts: Sequence[Json]) -> str:
    if not attempts:
        return ""
    last = attempts[-1]
    if last.get("status_code") is not None:
        return f"HTTP {last['status_code']}"
    return str(last.get("error") or "")[:80]


def _deliveries(deliveries: Sequence[Json]) -> list[DeliveryRow]:
    return [
        DeliveryRow(
            id=d["id"],
            url=d["url"],
            form=d["form"],
            type=d["type"],
            resource_id=d["resource_id"],
            state=d["state"],
            attempts=len(d.get("attempts") or ()),
            last_result=_last_result(d.get("attempts") or ()),
            next_attempt_at=short_time(d.get("next_attempt_at")),
        )
        for d in sorted(deliveries, key=lambda d: d["id"], reverse=True)[:LIMIT]
    ]


def build_dashboard(state: Json, deliveries: Sequence[Json]) -> Dashboard:
    """The panel's rows from ``GET /_sandbox/state`` and ``GET /_sandbox/notifications`` bodies."""
    return Dashboard(
        sellers=_sellers(state),
        stores=_stores(state),
        cashboxes=cashbox_rows(state),
        merchant_orders=_merchant_orders(state),
        payments=_payments(state),
        deliveries=_deliveries(deliveries),
        counts={
            "merchant_orders": len(state["merchant_orders_view"]),
            "payments": len(state["payments_view"]),
            "deliveries": len(deliveries),
        },
    )
