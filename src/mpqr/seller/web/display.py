"""The customer-facing display of a cashbox: a second monitor or a tablet turned to the customer.

``/ui/cashboxes/{id}/display`` follows the cashbox's newest sale live: waiting → amount and
QR → paid ✓ (held for ``hold`` seconds, 10 by default) → waiting again. A rejected attempt or a
payment in process shows what the customer needs to know. It is a cashier page (signed in): it
is opened on the counter's own device and shows amounts.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any, Final

from fastapi import APIRouter, Request
from fastapi.responses import Response

from mpqr.seller.errors import NotFound
from mpqr.seller.sales.schemas import SaleOut
from mpqr.seller.sales.service import SalesService
from mpqr.seller.web.guard import LiveViewer, PageViewer
from mpqr.seller.web.live import event_stream
from mpqr.seller.web.render import page
from mpqr.seller.web.screen import State, screen_of

__all__ = ["router"]

router = APIRouter()
HOLD_SECONDS: Final = 10
# the sale screen's state -> what the customer sees
_SHOWN: Final = {
    State.OPENING: "opening",
    State.WAITING: "pay",
    State.REJECTED: "rejected",
    State.IN_PROCESS: "in_process",
    State.PAID: "paid",
}


def _sales(request: Request) -> SalesService:
    service: SalesService = request.app.state.sales
    return service


def _hold(request: Request) -> int:
    raw = request.query_params.get("hold", "")
    return min(max(int(raw), 1), 120) if raw.isdigit() else HOLD_SECONDS


@router.get("/ui/cashboxes/{cashbox}/display")
async def display(request: Request, cashbox: str, viewer: PageViewer) -> Response:
    try:
        box = await request.app.state.cashboxes.get(cashbox)
    except NotFound:
        return page(request, "error.html", 404, viewer=viewer, message_key="not_found")
    context = await _display_context(request, cashbox)
    return page(request, "display.html", viewer=viewer, cashbox=box, hold=_hold(request), **context)


@router.get("/ui/cashboxes/{cashbox}/display/panel")
async def display_panel(request: Request, cashbox: str, viewer: LiveViewer) -> Response:
    await request.app.state.cashboxes.get(cashbox)
    context = await _display_context(request, cashbox)
    return page(request, "_display.html", viewer=viewer, **context)


@router.get("/ui/cashboxes/{cashbox}/display/events")
async def display_events(request: Request, cashbox: str, viewer: LiveViewer) -> Response:
    """An event now and one per change of any sale of this cashbox."""
    await request.app.state.cashboxes.get(cashbox)
    service = _sales(request)

    async def first() -> str:
        return json.dumps({"cashbox": cashbox})

    async def on_change(changed: str) -> str | None:
        try:
            sale = await service.get(changed)
        except NotFound:
            return None
        return (
            json.dumps({"cashbox": cashbox, "sale": sale.id}) if sale.cashbox == cashbox else None
        )

    return event_stream(request, first, on_change)


async def _display_context(request: Request, cashbox: str) -> dict[str, Any]:
    """What to show now, and in how many seconds to look again (a paid ✓ times out)."""
    hold = _hold(request)
    found = await _sales(request).list_sales(None, cashbox, 1, None)
    sale = found.sales[0] if found.sales else None
    shown = _SHOWN.get(screen_of(sale).state, "waiting") if sale else "waiting"
    again = None
    if sale is not None and shown == "paid":
        age = await _seconds_since_change(request, sale)
        shown, again = ("paid", max(hold - int(age), 1)) if age < hold else ("waiting", None)
    return {"sale": sale, "shown": shown, "again": again}


async def _seconds_since_change(request: Request, sale: SaleOut) -> float:
    events = await _sales(request).history(sale.id)
    if not events:
        return 0.0
    at = events[-1].at if events[-1].at.tzinfo else events[-1].at.replace(tzinfo=UTC)
    now: datetime = request.app.state.ctx.now()
    return (now - at).total_seconds()
