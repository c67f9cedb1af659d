"""Mercado Pago's wire format, one module per resource family (paths, fields, status codes,
errors).
"""

from __future__ import annotations

from fastapi import APIRouter

from mpqr.sandbox.api import instore, legacy, merchant_orders, orders, payments, pos, stores, users

__all__ = ["router", "routers"]

# Matching order: the reads a seller makes after every notification first. The families' paths
# never overlap (tests/sandbox/test_sandbox_bounds.py checks it), so the order changes no answer,
# only how many routes a request is tried against.
_MODULES = (merchant_orders, payments, orders, instore, legacy, pos, stores, users)


def routers() -> list[APIRouter]:
    """One router per resource family, in matching order."""
    return [module.router for module in _MODULES]


router = APIRouter()
for _router in routers():
    router.include_router(_router)
