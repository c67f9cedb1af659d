"""Test cards, cardholder names, payment methods and fees per site, read from ``data/*.json``.

The data files carry their sources; this module only looks things up (no I/O after the first
read). A payment's outcome comes from the cardholder name's first four letters (``APRO``,
``OTHE``, ``CONT``, ...), as in Mercado Pago's test environment.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources
from typing import Any, Final

from mpqr.statuses import PaymentStatus

__all__ = [
    "DEFAULT_METHOD",
    "Fee",
    "HolderOutcome",
    "Method",
    "TestCard",
    "cards",
    "fee",
    "holder_outcome",
    "holders",
    "method",
    "methods",
]


@dataclass(frozen=True, slots=True)
class TestCard:
    payment_method_id: str
    payment_type_id: str
    number: str
    security_code: str
    expiration: str


@dataclass(frozen=True, slots=True)
class HolderOutcome:
    name: str
    status: PaymentStatus
    status_detail: str
    description: str


@dataclass(frozen=True, slots=True)
class Method:
    id: str
    payment_type_id: str


@dataclass(frozen=True, slots=True)
class Fee:
    """``rate`` percent of the amount, money released ``release_days`` after approval."""

    rate: Decimal
    release_days: int


@functools.cache
def _load(name: str) -> dict[str, Any]:
    raw = resources.files("mpqr.sandbox").joinpath("data", name).read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(raw)
    return data


def cards(site_id: str) -> list[TestCard]:
    """The site's published test cards."""
    return [TestCard(**c) for c in _load("test_cards.json")["cards"].get(site_id, [])]


def holders() -> list[HolderOutcome]:
    """Every documented cardholder name and the outcome it picks."""
    return [
        HolderOutcome(name, PaymentStatus(h["status"]), h["status_detail"], h["description"])
        for name, h in _load("test_cards.json")["holders"].items()
    ]


def holder_outcome(cardholder_name: str | None) -> HolderOutcome | None:
    """The outcome a cardholder name picks, or ``None`` for a name that picks nothing."""
    key = (cardholder_name or "").strip()[:4].upper()
    return next((h for h in holders() if h.name == key), None)


def methods(site_id: str) -> list[Method]:
    return [Method(i, t) for i, t in _load("payment_methods.json")["methods"].get(site_id, [])]


DEFAULT_METHOD: Final = "account_money"


def method(site_id: str, method_id: str) -> Method | None:
    return next((m for m in methods(site_id) if m.id == method_id), None)


def fee(site_id: str, payment_type_id: str, overrides: dict[str, Fee] | None = None) -> Fee:
    """The fee for one payment type on one site; ``overrides`` keys are ``"MLA:credit_card"``."""
    found = (overrides or {}).get(f"{site_id}:{payment_type_id}")
    if found is not None:
        return found
    rate, days = _load("fees.json")["fees"].get(site_id, {}).get(payment_type_id, [0, 0])
    return Fee(Decimal(str(rate)), int(days))
