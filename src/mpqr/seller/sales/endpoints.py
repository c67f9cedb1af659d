"""Routes of ``/api/sales``: parse, call the service, render. Errors are rendered in ``app``."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from fastapi.responses import StreamingResponse

from mpqr.seller.auth import require_api_key
from mpqr.seller.sales.rules import SaleStatus
from mpqr.seller.sales.schemas import EventOut, RefundIn, SaleCreate, SaleList, SaleOut
from mpqr.seller.sales.service import SalesService

__all__ = ["router"]

router = APIRouter(prefix="/api/sales", tags=["sales"], dependencies=[Depends(require_api_key)])
KEEPALIVE_SECONDS = 15.0


def _svc(request: Request) -> SalesService:
    service: SalesService = request.app.state.sales
    return service


IdemKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=255)]


def _accepted_if(response: Response, running: bool) -> None:
    """202: stored and sent, but Mercado Pago has not confirmed the outcome yet (recovery will
    finish it; follow ``/events`` or GET the sale)."""
    if running:
        response.status_code = 202


@router.post(
    "",
    status_code=201,
    response_model=SaleOut,
    responses={202: {"description": "stored; Mercado Pago's answer is not known yet"}},
)
async def create_sale(
    body: SaleCreate, request: Request, response: Response, key: IdemKey = None
) -> SaleOut:
    """Register a sale (stored first) and put its order on the cashbox."""
    sale = await _svc(request).create(body, key)
    _accepted_if(response, sale.status is SaleStatus.OPENING)
    return sale


@router.get("", response_model=SaleList)
async def list_sales(
    request: Request,
    status: SaleStatus | None = None,
    cashbox: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: str | None = None,
    external_reference: Annotated[str | None, Query(max_length=64)] = None,
) -> SaleList:
    """Newest first; ``external_reference`` finds the one sale that owns a reference."""
    return await _svc(request).list_sales(status, cashbox, limit, cursor, external_reference)


@router.get("/{sale_id}", response_model=SaleOut)
async def get_sale(sale_id: str, request: Request) -> SaleOut:
    return await _svc(request).get(sale_id)


@router.get("/{sale_id}/history", response_model=list[EventOut])
async def sale_history(sale_id: str, request: Request) -> list[EventOut]:
    """Append-only events with their source: api, notification, reconcile."""
    return await _svc(request).history(sale_id)


@router.post("/{sale_id}/cancel", response_model=SaleOut)
async def cancel_sale(sale_id: str, request: Request, response: Response) -> SaleOut:
    sale = await _svc(request).cancel(sale_id)
    _accepted_if(response, any(op.kind == "cancel" for op in sale.in_progress))
    return sale


@router.post("/{sale_id}/refund", response_model=SaleOut)
async def refund_sale(
    sale_id: str,
    request: Request,
    response: Response,
    body: RefundIn | None = None,
    key: IdemKey = None,
) -> SaleOut:
    """Full refund without ``amount``, partial with it."""
    sale = await _svc(request).refund(sale_id, body or RefundIn(), key)
    _accepted_if(response, any(op.kind == "refund" for op in sale.in_progress))
    return sale


@router.get("/{sale_id}/events", response_class=StreamingResponse)
async def sale_events(sale_id: str, request: Request) -> StreamingResponse:
    """Server-Sent Events: the sale now, then one ``sale`` event per change."""
    service = _svc(request)
    seen = request.app.state.ctx.broadcaster.delivered
    return StreamingResponse(
        _stream(request, service, await service.get(sale_id), seen),  # 404 before the stream
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


async def _stream(
    request: Request, service: SalesService, now: SaleOut, seen: int
) -> AsyncIterator[str]:
    """``now`` (read when ``seen`` changes had been delivered), then the sale after each change.
    If any change was delivered between that read and the subscription, the sale is read again:
    nothing that happened meanwhile is missed."""
    sale_id = now.id
    broadcaster = request.app.state.ctx.broadcaster
    async with broadcaster.subscribe() as queue:
        missed = broadcaster.delivered != seen
        yield _event(await service.get(sale_id) if missed else now)
        while True:
            try:
                changed = await asyncio.wait_for(queue.get(), timeout=KEEPALIVE_SECONDS)
            except TimeoutError:
                yield ": keepalive\n\n"
                continue
            if changed == sale_id:
                yield _event(await service.get(sale_id))


def _event(sale: SaleOut) -> str:
    return f"event: sale\ndata: {sale.model_dump_json()}\n\n"
