"""A sale's status screen (live), cancel, refund with confirmation, and the history list.

The screen subscribes to ``/ui/sales/{id}/events`` (Server-Sent Events fed by the core's
broadcaster, authenticated by the session cookie: a browser's EventSource cannot send a Bearer
header); on each event the page fetches ``/ui/sales/{id}/panel``, the server-rendered fragment the
first render used, and patches its regions in place (``static/sale.js``): a form being typed in
is never replaced.

A refund takes two steps: the form posts an amount (or "refund everything"), the server answers
with the question "Refund ARS 10,00 of ARS 1.500,00?", and only the confirmation refunds. Both
steps carry the form's idempotency key, so a double submit cannot refund twice. An empty amount
is an error, never "everything".
"""

from __future__ import annotations

import json
import secrets
from decimal import Decimal
from typing import Annotated, Any, Final

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from mpqr.seller.errors import NotFound, Reason, SellerError
from mpqr.seller.sales.rules import SaleStatus
from mpqr.seller.sales.schemas import RefundIn, SaleOut
from mpqr.seller.sales.service import SalesService
from mpqr.seller.web import i18n
from mpqr.seller.web.forms import FormError, parse_refund_amount
from mpqr.seller.web.guard import CheckedForm, LiveViewer, PageViewer, Viewer
from mpqr.seller.web.live import event_stream
from mpqr.seller.web.render import lang_of, money_code, page
from mpqr.seller.web.screen import TONES, reason_words, screen_of

__all__ = ["router"]

router = APIRouter()
PAGE_SIZE: Final = 50


def _sales(request: Request) -> SalesService:
    service: SalesService = request.app.state.sales
    return service


def _panel_context(sale: SaleOut, **extra: Any) -> dict[str, Any]:
    context: dict[str, Any] = {
        "sale": sale,
        "screen": screen_of(sale),
        "idem_part": secrets.token_urlsafe(16),
        "idem_all": secrets.token_urlsafe(16),
        "refund_text": "",
        "refund_error": None,
    }
    return context | extra


def _sale_page(
    request: Request, viewer: Viewer, sale: SaleOut, status: int = 200, **extra: Any
) -> Response:
    extra.setdefault("error", None)
    extra.setdefault("confirm", None)
    return page(request, "sale.html", status, viewer=viewer, **_panel_context(sale, **extra))


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
    return page(request, "_panel.html", viewer=viewer, **_panel_context(sale))


@router.get("/ui/sales/{sale_id}/events")
async def sale_events(request: Request, sale_id: str, viewer: LiveViewer) -> Response:
    """One ``sale`` event now and one per change of this sale, until the stream's time is up."""
    service = _sales(request)
    await service.get(sale_id)

    async def first() -> str:
        return _summary(await service.get(sale_id))

    async def on_change(changed: str) -> str | None:
        return _summary(await service.get(sale_id)) if changed == sale_id else None

    return event_stream(request, first, on_change)


def _summary(sale: SaleOut) -> str:
    return json.dumps({"id": sale.id, "status": sale.status.value, "payments": len(sale.payments)})


@router.post("/ui/sales/{sale_id}/cancel")
async def cancel(request: Request, sale_id: str, viewer: PageViewer, form: CheckedForm) -> Response:
    try:
        await _sales(request).cancel(sale_id)
    except NotFound:
        return page(request, "error.html", 404, viewer=viewer, message_key="not_found")
    except SellerError as exc:
        return await _failed(request, viewer, sale_id, exc)
    return RedirectResponse(f"/ui/sales/{sale_id}", 303)


@router.post("/ui/sales/{sale_id}/refund")
async def refund(request: Request, sale_id: str, viewer: PageViewer, form: CheckedForm) -> Response:
    """Step 1 (no ``confirm``): check the amount and ask. Step 2 (``confirm=1``): refund."""
    try:
        sale = await _sales(request).get(sale_id)
    except NotFound:
        return page(request, "error.html", 404, viewer=viewer, message_key="not_found")
    left = screen_of(sale).refundable
    if left <= 0:
        words = reason_words(i18n.translator(lang_of(request)), Reason.NOTHING_TO_REFUND)
        return _sale_page(request, viewer, sale, 409, error=words)
    everything = form.get("all") == "1"
    text = str(form.get("amount") or "")[:40]
    key = str(form.get("idem") or "")[:200] or secrets.token_urlsafe(16)
    try:
        amount = left if everything and not form.get("confirm") else _amount(text, sale, left)
    except FormError as exc:
        words = reason_words(i18n.translator(lang_of(request)), exc.problems[0].reason)
        return _sale_page(request, viewer, sale, 422, refund_text=text, refund_error=words)
    if form.get("confirm") != "1":
        question = _question(request, sale, amount, key, everything)
        return _sale_page(request, viewer, sale, confirm=question)
    try:
        await _sales(request).refund(sale_id, RefundIn(amount=amount), key)
    except SellerError as exc:
        return await _failed(request, viewer, sale_id, exc)
    return RedirectResponse(f"/ui/sales/{sale_id}", 303)


def _amount(text: str, sale: SaleOut, left: Decimal) -> Decimal:
    return parse_refund_amount(text, sale.currency_id, left)


def _question(
    request: Request, sale: SaleOut, amount: Decimal, key: str, everything: bool
) -> dict[str, Any]:
    """The confirmation: "Refund ARS 10,00 of ARS 1.500,00?" in the cashier's language."""
    t = i18n.translator(lang_of(request))
    shown = money_code(amount, sale.currency_id)
    paid = money_code(sale.paid_amount, sale.currency_id)
    return {
        "question": t("refund_confirm_q").format(amount=shown, paid=paid),
        "yes": t("refund_yes").format(amount=shown),
        "amount": format(amount, "f"),  # plain digits, never an exponent
        "all": everything,
        "idem": key,
    }


async def _failed(request: Request, viewer: Viewer, sale_id: str, exc: SellerError) -> Response:
    """The sale screen again, the core's error in the cashier's words."""
    sale = await _sales(request).get(sale_id)
    words = reason_words(i18n.translator(lang_of(request)), exc.reason)
    extra: dict[str, Any] = {"error": words}
    if exc.field == "amount":
        extra["refund_error"] = words
    return _sale_page(request, viewer, sale, exc.status, **extra)


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
        tones=TONES,
    )
