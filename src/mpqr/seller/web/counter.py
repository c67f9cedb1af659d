"""The counter: choose a cashbox, type the sale, send it to the QR; the cashbox's QR poster.

Every problem is shown in the cashier's language next to the input it is about: form problems
(:mod:`.forms`) and the core's errors alike carry a field name and a
:class:`~mpqr.seller.errors.Reason`, and :func:`.forms.input_of` finds the input.
"""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from mpqr.seller.cashboxes.service import CashboxService
from mpqr.seller.errors import Conflict, NotFound, Reason, SellerError
from mpqr.seller.sales.schemas import SaleCreate
from mpqr.seller.sales.service import SalesService
from mpqr.seller.web import i18n
from mpqr.seller.web.forms import (
    FormError,
    ItemRow,
    Problem,
    SaleForm,
    input_of,
    money_problems,
    parse_sale_form,
    read_form,
)
from mpqr.seller.web.guard import CheckedForm, PageViewer, Viewer
from mpqr.seller.web.render import lang_of, page
from mpqr.seller.web.screen import reason_words

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


def _new_key() -> str:
    return secrets.token_urlsafe(16)


def _blank_form(rows: tuple[ItemRow, ...] = (ItemRow(),)) -> SaleForm:
    return SaleForm(rows, "", False, _new_key())


async def _sell_page(
    request: Request,
    viewer: Viewer,
    cashbox: str,
    form: SaleForm,
    status: int = 200,
    problems: list[Problem] | None = None,
    pending_sale: str | None = None,
) -> Response:
    box = await _cashboxes(request).get(cashbox)
    t = i18n.translator(lang_of(request))
    errors: dict[str, str] = {}
    summary: list[tuple[str | None, str]] = []
    for problem in problems or []:
        where = input_of(problem.field, bool(form.amount))
        words = reason_words(t, problem.reason)
        if where is not None:
            errors.setdefault(where, words)
        summary.append((where, words))
    return page(
        request,
        "sell.html",
        status,
        viewer=viewer,
        cashbox=box,
        form=form,
        errors=errors,
        summary=summary,
        focus=next(
            (where for where, _ in summary if where), "replace" if pending_sale else "amount"
        ),
        pending_sale=pending_sale,
    )


@router.get("/ui/cashboxes/{cashbox}/sell")
async def sell_form(request: Request, cashbox: str, viewer: PageViewer) -> Response:
    """An empty sale form, or (``?again=<sale id>``) one filled with an earlier sale's items."""
    form = _blank_form(await _rows_of(request, request.query_params.get("again")))
    try:
        return await _sell_page(request, viewer, cashbox, form)
    except NotFound:
        return page(request, "error.html", 404, viewer=viewer, message_key="not_found")


async def _rows_of(request: Request, sale_id: str | None) -> tuple[ItemRow, ...]:
    if not sale_id or len(sale_id) > 64:
        return (ItemRow(),)
    try:
        sale = await _sales(request).get(sale_id)
    except NotFound:
        return (ItemRow(),)
    rows = tuple(
        ItemRow(str(i["title"]), str(i["unit_price"]).replace(".", ","), str(i["quantity"]))
        for i in sale.items
    )
    return rows or (ItemRow(),)


@router.post("/ui/cashboxes/{cashbox}/sell")
async def sell(request: Request, cashbox: str, viewer: PageViewer, raw: CheckedForm) -> Response:
    """Create the sale through the API's service (same validation, same idempotency)."""
    form = read_form(raw)
    if await _box_or_none(request, cashbox) is None:
        return page(request, "error.html", 404, viewer=viewer, message_key="not_found")
    default_title = i18n.translator(lang_of(request))("default_item")
    try:
        body = parse_sale_form(cashbox, form, default_title)
        await _check_money(request, body)
        sale = await _sales(request).create(body, form.idempotency_key or None)
    except FormError as exc:
        return await _sell_page(request, viewer, cashbox, form, 422, exc.problems)
    except Conflict as exc:
        return await _conflict(request, viewer, cashbox, form, exc)
    except SellerError as exc:
        return await _sell_page(request, viewer, cashbox, form, exc.status, [_problem_of(exc)])
    return RedirectResponse(f"/ui/sales/{sale.id}", 303)


async def _check_money(request: Request, body: SaleCreate) -> None:
    """The currency's decimals, checked here so the error names the price typed."""
    try:
        currency = await request.app.state.ctx.gateway.currency_id()
    except SellerError:
        return  # Mercado Pago unreachable: the create below reports it
    problems = money_problems(body, currency)
    if problems:
        raise FormError(problems)


def _problem_of(exc: SellerError) -> Problem:
    return Problem(exc.field, exc.reason)


async def _conflict(
    request: Request, viewer: Viewer, cashbox: str, form: SaleForm, exc: Conflict
) -> Response:
    """409: a busy cashbox offers its pending sale and "replace" (with a new key, so that
    ticking it and sending again is a new request)."""
    pending = exc.sale_id if exc.reason is Reason.CASHBOX_BUSY else None
    problem = Problem(None, Reason.CASHBOX_BUSY) if pending else _problem_of(exc)
    fresh = SaleForm(form.rows, form.amount, form.replace, _new_key())
    return await _sell_page(request, viewer, cashbox, fresh, 409, [problem], pending)


@router.get("/ui/cashboxes/{cashbox}/poster")
async def poster(request: Request, cashbox: str, viewer: PageViewer) -> Response:
    """A printable page around the core's QR images (svg/png/pdf)."""
    box = await _box_or_none(request, cashbox)
    if box is None:
        return page(request, "error.html", 404, viewer=viewer, message_key="not_found")
    return page(request, "poster.html", viewer=viewer, cashbox=box)


async def _box_or_none(request: Request, cashbox: str) -> dict[str, Any] | None:
    try:
        return await _cashboxes(request).get(cashbox)
    except NotFound:
        return None
