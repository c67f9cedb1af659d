"""Mercado Pago's wire format, one module per resource family (paths, fields, status codes,
errors).
"""

from __future__ import annotations

from fastapi import APIRouter

from mpqr.sandbox.api import instore, legacy, merchant_orders, orders, payments, pos, stores, users

__all__ = ["router", "routers"]

_MODULES = (users, stores, pos, legacy, instore, orders, merchant_orders, payments)


def routers() -> list[APIRouter]:
    """One router per resource family, in matching order."""
    return [module.router for module in _MODULES]


router = APIRouter()
for _router in routers():
    router.include_router(_router)
