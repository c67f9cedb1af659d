"""A sale's status screen (live), cancel, refund, and the history list.

The screen subscribes to ``/ui/sales/{id}/events`` (Server-Sent Events fed by the core's
broadcaster, authenticated by the session cookie: a browser's EventSource cannot send a Bearer
header); on each event the page fetches ``/ui/sales/{id}/panel``, the same server-rendered fragment
the first render used, so translations and escaping live in one place.
"""

from __future__ import annotations

import asyncio
import json
import secrets
from collections.abc import AsyncIterator, Awaitable
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Final

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response, StreamingResponse

from mpqr.seller.errors import NotFound, SellerError
from mpqr.seller.sales.rules import SaleStatus
from mpqr.seller.sales.schemas import RefundIn, SaleOut
from mpqr.seller.sales.service import SalesService
from mpqr.seller.web.forms import plain_decimal
from mpqr.seller.web.guard import CheckedForm, LiveViewer, PageViewer, Viewer
from mpqr.seller.web.render import page, web_state

__all__ = ["router"]

router = APIRouter()
KEEPALIVE_SECONDS: Final = 15.0
STREAM_SECONDS: Final = 300.0  # then the browser reconnects: no stream lives forever
PAGE_SIZE: Final = 50


def _sales(request: Request) -> SalesService:
    service: SalesService = request.app.state.sales
    return service


def _sale_page(
    request: Request, viewer: Viewer, sale: SaleOut, status: int = 200, error: str | None = None
) -> Response:
    return page(
        request, "sale.html", status, viewer=viewer, sale=sale, error=error, **_extras(sale)
    )


def _extras(sale: SaleOut) -> dict[str, Any]:
    return {
        "rejected": [p for p in sale.payments if p.status == "rejected"],
        "refundable": sale.status in {SaleStatus.PAID, SaleStatus.PARTIALLY_REFUNDED},
        "idem": secrets.token_urlsafe(16),
    }


@router.get("/ui/sales/{sale_id}")
async def sale_screen(request: Request, sale_id: str, viewer: PageViewer) -> Response:
    try:
        sale = await _sales(request).get(sale_id)
    except NotFound:
        return page(request, "error.html", 404, viewer=viewer, message_key="not_found")
    return _sale_page(request, viewer, sale)


@router.get("/ui/sales/{sale_id}/panel")
async def sale_panel(request: Request, sale_id: str, viewer: LiveViewer) -> Response:
    """The live part of the status screen, as an HTML fragment."""
    sale = await _sales(request).get(sale_id)
    return page(request, "_panel.html", viewer=viewer, sale=sale, **_extras(sale))


@router.get("/ui/sales/{sale_id}/events")
async def sale_events(request: Request, sale_id: str, viewer: LiveViewer) -> StreamingResponse:
    """One ``sale`` event now and one per change of this sale, until the stream's time is up."""
    service = _sales(request)
    await service.get(sale_id)
    return StreamingResponse(
        _stream(request, service, sale_id),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


async def _stream(request: Request, service: SalesService, sale_id: str) -> AsyncIterator[str]:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + STREAM_SECONDS
    closing = web_state(request).closing
    async with request.app.state.ctx.broadcaster.subscribe() as queue:
        yield "retry: 2000\n" + _event(await service.get(sale_id))
        while not closing.is_set() and (left := deadline - loop.time()) > 0:
            changed = await _next_change(queue, closing, min(KEEPALIVE_SECONDS, left))
            if changed == sale_id:
                yield _event(await service.get(sale_id))
            elif changed is None and not closing.is_set():
                yield ": keepalive\n\n"


async def _next_change(
    queue: asyncio.Queue[str], closing: asyncio.Event, wait_seconds: float
) -> str | None:
    """The next changed sale id, or ``None`` on timeout or when the server is closing."""
    getter = asyncio.ensure_future(queue.get())
    closer = asyncio.ensure_future(closing.wait())
    done, pending = await asyncio.wait(
        {getter, closer}, timeout=wait_seconds, return_when=asyncio.FIRST_COMPLETED
    )
    for task in pending:
        task.cancel()  # a cancelled Queue.get takes nothing from the queue
    return getter.result() if getter in done else None


def _event(sale: SaleOut) -> str:
    data = {"id": sale.id, "status": sale.status.value, "payments": len(sale.payments)}
    return f"event: sale\ndata: {json.dumps(data)}\n\n"


@router.post("/ui/sales/{sale_id}/cancel")
async def cancel(request: Request, sale_id: str, viewer: PageViewer, form: CheckedForm) -> Response:
    return await _act(request, viewer, sale_id, _sales(request).cancel(sale_id))


@router.post("/ui/sales/{sale_id}/refund")
async def refund(request: Request, sale_id: str, viewer: PageViewer, form: CheckedForm) -> Response:
    """Full refund with an empty amount, partial otherwise (idempotent per form)."""
    text = plain_decimal(str(form.get("amount") or "").strip())
    try:
        body = RefundIn(amount=Decimal(text) if text else None)
    except (InvalidOperation, ValueError):
        sale = await _sales(request).get(sale_id)
        return _sale_page(request, viewer, sale, 422, f"amount: {text!r} is not an amount")
    key = str(form.get("idem") or "")[:200] or None
    return await _act(request, viewer, sale_id, _sales(request).refund(sale_id, body, key))


async def _act(
    request: Request, viewer: Viewer, sale_id: str, action: Awaitable[SaleOut]
) -> Response:
    try:
        await action
    except NotFound:
        return page(request, "error.html", 404, viewer=viewer, message_key="not_found")
    except SellerError as exc:
        sale = await _sales(request).get(sale_id)
        return _sale_page(request, viewer, sale, exc.status, exc.message)
    return RedirectResponse(f"/ui/sales/{sale_id}", 303)


@router.get("/ui/sales")
async def history(
    request: Request,
    viewer: PageViewer,
    status: Annotated[str, Query(max_length=24)] = "",
    cashbox: Annotated[str, Query(max_length=60)] = "",
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    chosen = SaleStatus(status) if status in set(SaleStatus) else None
    try:
        found = await _sales(request).list_sales(chosen, cashbox or None, PAGE_SIZE, cursor)
    except SellerError:
        found = await _sales(request).list_sales(chosen, cashbox or None, PAGE_SIZE, None)
    boxes = await request.app.state.cashboxes.list()
    return page(
        request,
        "history.html",
        viewer=viewer,
        sales=found.sales,
        next_cursor=found.next_cursor,
        status=chosen.value if chosen else "",
        cashbox=cashbox,
        statuses=[s.value for s in SaleStatus],
        cashboxes=boxes,
    )
