"""The counter: choose a cashbox, type the sale, send it to the QR; the cashbox's QR poster."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from mpqr.seller.cashboxes.service import CashboxService
from mpqr.seller.errors import Conflict, NotFound, SellerError
from mpqr.seller.sales.service import SalesService
from mpqr.seller.web import i18n
from mpqr.seller.web.forms import FormError, ItemRow, SaleForm, parse_sale_form, read_form
from mpqr.seller.web.guard import CheckedForm, PageViewer, Viewer
from mpqr.seller.web.render import lang_of, page

__all__ = ["router"]

router = APIRouter()


def _cashboxes(request: Request) -> CashboxService:
    service: CashboxService = request.app.state.cashboxes
    return service


def _sales(request: Request) -> SalesService:
    service: SalesService = request.app.state.sales
    return service


@router.get("/ui/")
async def home(request: Request, viewer: PageViewer) -> Response:
    """Choose a cashbox."""
    boxes = await _cashboxes(request).list()
    return page(request, "cashboxes.html", viewer=viewer, cashboxes=boxes)


def _blank_form() -> SaleForm:
    return SaleForm((ItemRow(),), "", False, secrets.token_urlsafe(16))


async def _sell_page(
    request: Request,
    viewer: Viewer,
    cashbox: str,
    form: SaleForm,
    status: int = 200,
    errors: list[str] | None = None,
    pending: bool = False,
) -> Response:
    box = await _cashboxes(request).get(cashbox)
    return page(
        request,
        "sell.html",
        status,
        viewer=viewer,
        cashbox=box,
        form=form,
        errors=errors or [],
        pending=pending,
    )


@router.get("/ui/cashboxes/{cashbox}/sell")
async def sell_form(request: Request, cashbox: str, viewer: PageViewer) -> Response:
    try:
        return await _sell_page(request, viewer, cashbox, _blank_form())
    except NotFound:
        return page(request, "error.html", 404, viewer=viewer, message_key="not_found")


@router.post("/ui/cashboxes/{cashbox}/sell")
async def sell(request: Request, cashbox: str, viewer: PageViewer, raw: CheckedForm) -> Response:
    """Create the sale through the API's service (same validation, same idempotency)."""
    form = read_form(raw)
    default_title = i18n.translator(lang_of(request))("default_item")
    try:
        body = parse_sale_form(cashbox, form, default_title)
        sale = await _sales(request).create(body, form.idempotency_key or None)
    except FormError as exc:
        return await _sell_page(request, viewer, cashbox, form, 422, exc.messages)
    except NotFound:
        return page(request, "error.html", 404, viewer=viewer, message_key="not_found")
    except Conflict as exc:
        # a new key, so that ticking "replace" and sending again is a new request
        fresh = SaleForm(form.rows, form.amount, form.replace, secrets.token_urlsafe(16))
        return await _sell_page(request, viewer, cashbox, fresh, 409, [exc.message], True)
    except SellerError as exc:
        return await _sell_page(request, viewer, cashbox, form, exc.status, [exc.message])
    return RedirectResponse(f"/ui/sales/{sale.id}", 303)


@router.get("/ui/cashboxes/{cashbox}/poster")
async def poster(request: Request, cashbox: str, viewer: PageViewer) -> Response:
    """A printable page around the core's QR images (svg/png/pdf)."""
    try:
        box = await _cashboxes(request).get(cashbox)
    except NotFound:
        return page(request, "error.html", 404, viewer=viewer, message_key="not_found")
    return page(request, "poster.html", viewer=viewer, cashbox=box)
