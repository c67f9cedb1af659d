"""What Mercado Pago (the sandbox) holds, read from ``GET /_sandbox/state`` — the truth a seller
server's sales are compared with. Pure functions over that JSON document.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

__all__ = ["Truth", "live_orders", "truth_of"]

_LIVE_API = frozenset({"created", "processing", "action_required", "at_terminal"})


def _when(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def live_orders(state: Mapping[str, Any]) -> dict[str, str | None]:
    """Cashbox (POS ``external_id``) → the ``external_reference`` of the order a customer who
    scans it now would pay (only cashboxes holding one)."""
    now = _when(state.get("clock", {}).get("now"))
    found: dict[str, str | None] = {}
    for pos in state.get("pos", {}).values():
        order = _live_order(state, pos)
        if order is None:
            continue
        expires = _when(order.get("expires_at"))
        if now is not None and expires is not None and expires <= now:
            continue
        found[str(pos.get("external_id"))] = order.get("external_reference") or _ref(order)
    return found


def _live_order(state: Mapping[str, Any], pos: Mapping[str, Any]) -> Mapping[str, Any] | None:
    kind, live_id = pos.get("live_kind"), pos.get("live_id")
    if live_id is None:
        return None
    if kind == "orders":
        order = state.get("api_orders", {}).get(live_id)
        return order if order is not None and order.get("status") in _LIVE_API else None
    table = "legacy_orders" if kind == "legacy" else "instore_orders"
    order = state.get(table, {}).get(live_id)
    return order if order is not None and order.get("state", "live") == "live" else None


def _ref(order: Mapping[str, Any]) -> str | None:
    body = order.get("body") or {}
    ref = body.get("external_reference")
    return None if ref is None else str(ref)


@dataclass
class Truth:
    """Per ``external_reference``: approved money, and what was refunded of it."""

    paid: dict[str, Decimal] = field(default_factory=dict)
    refunded: dict[str, Decimal] = field(default_factory=dict)
    refunds: dict[str, int] = field(default_factory=dict)  # refund records per payment id
    payments: dict[str, list[str]] = field(default_factory=dict)  # reference -> payment ids

    def paid_for(self, reference: str) -> Decimal:
        return self.paid.get(reference, Decimal(0))

    def refunded_for(self, reference: str) -> Decimal:
        return self.refunded.get(reference, Decimal(0))


_CAPTURED = frozenset({"approved", "refunded", "charged_back", "in_mediation"})


def truth_of(state: Mapping[str, Any]) -> Truth:
    truth = Truth()
    refunds_per_payment: dict[str, int] = {}
    for refund in state.get("refunds", {}).values():
        pid = str(refund.get("payment_id"))
        refunds_per_payment[pid] = refunds_per_payment.get(pid, 0) + 1
    for payment in state.get("payments", {}).values():
        ref = str(payment.get("external_reference") or "")
        pid = str(payment.get("id"))
        truth.payments.setdefault(ref, []).append(pid)
        truth.refunds[pid] = refunds_per_payment.get(pid, 0)
        if payment.get("status") not in _CAPTURED:
            continue
        amount = Decimal(str(payment.get("transaction_amount", "0")))
        refunded = Decimal(str(payment.get("amount_refunded", "0")))
        truth.paid[ref] = truth.paid.get(ref, Decimal(0)) + amount
        truth.refunded[ref] = truth.refunded.get(ref, Decimal(0)) + refunded
    return truth
