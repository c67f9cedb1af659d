"""Routes of ``/api/unmatched-payments``: list them, give one back."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from mpqr.seller.auth import require_api_key
from mpqr.seller.unmatched.service import UnmatchedService

__all__ = ["router"]

router = APIRouter(
    prefix="/api/unmatched-payments",
    tags=["unmatched payments"],
    dependencies=[Depends(require_api_key)],
)


def _svc(request: Request) -> UnmatchedService:
    service: UnmatchedService = request.app.state.unmatched
    return service


@router.get("")
async def list_unmatched(request: Request) -> dict[str, Any]:
    """Payments Mercado Pago showed us whose ``external_reference`` owns no sale, newest first."""
    return {"payments": await _svc(request).list()}


@router.post("/{payment_id}/refund")
async def refund_unmatched(payment_id: str, request: Request) -> JSONResponse:
    """Give the whole payment back (idempotent). 202 while Mercado Pago has not confirmed it."""
    payment = await _svc(request).refund(payment_id)
    return JSONResponse(payment, status_code=202 if payment["refund_in_progress"] else 200)
