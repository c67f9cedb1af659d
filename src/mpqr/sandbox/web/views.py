"""The dashboard's rows, built without I/O from the control plane's JSON.

The input is exactly what ``GET /_sandbox/state``, ``GET /_sandbox/notifications`` and ``GET
/_sandbox/faults`` return, so the dashboard shows nothing a script could not read itself. Every
function here is pure: the route gathers the documents, :func:`build_dashboard` turns them into
rows, the template renders them (autoescaped). Deliveries are built in
:mod:`mpqr.sandbox.web.deliveries`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from mpqr.sandbox.web.deliveries import DeliveryRow, SecretFor, delivery_rows
from mpqr.sandbox.web.formatting import format_money, items_summary, mask_token, short_time
from mpqr.sites import site

__all__ = [
    "Dashboard",
    "DeliveryRow",
    "FaultsSummary",
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
SETTLEABLE: Final = frozenset({"pending", "in_process"})

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

    @property
    def settleable(self) -> bool:
        """A pending or in-process payment can still be approved or rejected."""
        return self.status in SETTLEABLE


@dataclass(frozen=True, slots=True)
class FaultsSummary:
    """The fault switches in force, in words (``None`` parts are off)."""

    api: str | None
    notifications: str | None
    seed: int

    @property
    def active(self) -> bool:
        return self.api is not None or self.notifications is not None


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
    faults: FaultsSummary | None = None


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


def _percent(p: float) -> str:
    return f"{p * 100:g}%"


def _faults(config: Json) -> FaultsSummary:
    """``GET /_sandbox/faults`` in words, e.g. ``"50% errors (500, 503), latency 0–200 ms"``."""
    api, notes = config.get("api") or {}, config.get("notifications") or {}
    low, high = api.get("latency_ms") or (0, 0)
    api_parts = [
        f"{_percent(api['error_rate'])} errors ({', '.join(map(str, api['error_statuses']))})"
        if api.get("error_rate")
        else "",
        f"latency {low}–{high} ms" if high else "",
    ]
    delay = notes.get("delay_ms") or (0, 0)
    note_parts = [
        f"{_percent(notes[key])} {word}"
        for key, word in (
            ("drop", "dropped"),
            ("duplicate", "duplicated"),
            ("reorder", "reordered"),
        )
        if notes.get(key)
    ] + ([f"delay {delay[0]}–{delay[1]} ms"] if delay[1] else [])
    return FaultsSummary(
        api=", ".join(p for p in api_parts if p) or None,
        notifications=", ".join(note_parts) or None,
        seed=int(config.get("seed") or 0),
    )


def build_dashboard(
    state: Json,
    deliveries: Sequence[Json],
    *,
    faults: Json | None = None,
    secret_for: SecretFor = lambda _seller_id: None,
) -> Dashboard:
    """The panel's rows from the ``/_sandbox/state``, ``/notifications`` and ``/faults`` bodies;
    ``secret_for`` gives a seller's webhook secret, to show each attempt's ``x-signature``."""
    return Dashboard(
        sellers=_sellers(state),
        stores=_stores(state),
        cashboxes=cashbox_rows(state),
        merchant_orders=_merchant_orders(state),
        payments=_payments(state),
        deliveries=delivery_rows(deliveries, secret_for),
        counts={
            "merchant_orders": len(state["merchant_orders_view"]),
            "payments": len(state["payments_view"]),
            "deliveries": len(deliveries),
        },
        faults=_faults(faults) if faults is not None else None,
    )
