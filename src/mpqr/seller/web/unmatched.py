"""Payments without a sale: the list every banner points to, and giving one back.

Giving money back takes two steps like a sale's refund: the first asks "¿Devolver ARS 99,00 al
cliente?", only the confirmation refunds (the core's refund of an unmatched payment is idempotent,
so a double click cannot refund twice).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from mpqr.seller.errors import NotFound, SellerError
from mpqr.seller.unmatched.service import UnmatchedService
from mpqr.seller.web import i18n
from mpqr.seller.web.guard import CheckedForm, PageViewer
from mpqr.seller.web.render import lang_of, money_code, page

__all__ = ["router"]

router = APIRouter()


def _service(request: Request) -> UnmatchedService:
    service: UnmatchedService = request.app.state.unmatched
    return service


@router.get("/ui/unmatched")
async def listing(request: Request, viewer: PageViewer) -> Response:
    payments = await _service(request).list()
    return page(request, "unmatched.html", viewer=viewer, payments=payments, ask=None, failed=None)


@router.post("/ui/unmatched/{payment_id}/refund")
async def refund(
    request: Request, payment_id: str, viewer: PageViewer, form: CheckedForm
) -> Response:
    """Without ``confirm``: the question. With ``confirm=1``: the refund."""
    service = _service(request)
    try:
        payment = await service.get(payment_id)
    except NotFound:
        return page(request, "error.html", 404, viewer=viewer, message_key="not_found")
    payments = await service.list()
    if form.get("confirm") != "1":
        return page(
            request, "unmatched.html", viewer=viewer, payments=payments,
            ask=_question(request, payment), failed=None,
        )  # fmt: skip
    try:
        await service.refund(payment_id)
    except SellerError:
        return page(
            request, "unmatched.html", 502, viewer=viewer, payments=payments, ask=None,
            failed=payment_id,
        )  # fmt: skip
    return RedirectResponse("/ui/unmatched", 303)


def _question(request: Request, payment: dict[str, Any]) -> dict[str, str]:
    t = i18n.translator(lang_of(request))
    shown = money_code(payment["amount"], payment["currency_id"] or "")
    return {
        "payment_id": payment["payment_id"],
        "text": t("unmatched_refund_q").format(amount=shown),
    }
