"""Mercado Pago's wire format, one module per resource family (paths, fields, status codes,
errors).
"""

from __future__ import annotations

from fastapi import APIRouter

from mpqr.sandbox.api import instore, legacy, merchant_orders, orders, payments, pos, stores, users

__all__ = ["router"]

router = APIRouter()
for _module in (users, stores, pos, legacy, instore, orders, merchant_orders, payments):
    router.include_router(_module.router)
