"""Routes of ``/api/stores`` and ``/api/cashboxes``, and the public QR posters."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from mpqr.seller.auth import require_api_key
from mpqr.seller.cashboxes.service import CashboxService
from mpqr.seller.errors import NotFound, Reason

__all__ = ["public_router", "router"]

router = APIRouter(tags=["cashboxes"], dependencies=[Depends(require_api_key)])
public_router = APIRouter(tags=["cashboxes"])

_ID = Field(min_length=1, max_length=60, pattern=r"^[A-Za-z0-9_-]+$")


class StoreIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    external_id: str = _ID
    name: str = Field(min_length=1, max_length=200)
    location: dict[str, Any] | None = None


class CashboxIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    external_id: str = _ID
    name: str = Field(min_length=1, max_length=44)
    store_external_id: str = _ID


class QrLinks(BaseModel):
    svg: str
    png: str
    pdf: str


class CashboxOut(BaseModel):
    external_id: str
    name: str
    store_external_id: str
    mp_pos_id: str | None
    qr: QrLinks


def _svc(request: Request) -> CashboxService:
    service: CashboxService = request.app.state.cashboxes
    return service


def _out(request: Request, row: dict[str, Any]) -> CashboxOut:
    base = str(request.base_url).rstrip("/") + f"/api/cashboxes/{row['external_id']}/qr"
    return CashboxOut(
        external_id=row["external_id"],
        name=row["name"],
        store_external_id=row["store_external_id"],
        mp_pos_id=row["mp_pos_id"],
        qr=QrLinks(svg=f"{base}.svg", png=f"{base}.png", pdf=f"{base}.pdf"),
    )


@router.post("/api/stores", status_code=201)
async def create_store(body: StoreIn, request: Request) -> dict[str, Any]:
    return await _svc(request).create_store(body.external_id, body.name, body.location)


@router.post("/api/cashboxes", status_code=201, response_model=CashboxOut)
async def create_cashbox(body: CashboxIn, request: Request) -> CashboxOut:
    """Creates the POS on Mercado Pago with ``fixed_amount: true``."""
    row = await _svc(request).create_cashbox(body.external_id, body.name, body.store_external_id)
    return _out(request, row)


@router.get("/api/cashboxes", response_model=list[CashboxOut])
async def list_cashboxes(request: Request) -> list[CashboxOut]:
    return [_out(request, row) for row in await _svc(request).list()]


@router.post("/api/cashboxes/sync", response_model=list[CashboxOut])
async def sync_cashboxes(request: Request) -> list[CashboxOut]:
    """Import the POS that exist on Mercado Pago but not here; returns the imported ones."""
    return [_out(request, row) for row in await _svc(request).sync()]


@public_router.get("/api/cashboxes/{external_id}/qr.{kind}")
async def qr_poster(
    external_id: str, kind: Literal["svg", "png", "pdf"], request: Request
) -> Response:
    """The cashbox's static QR: SVG symbol, PNG poster or printable PDF poster (public: it is
    printed on the counter anyway)."""
    from mpqr.qr import render

    row = await _svc(request).get(external_id)
    payload = row["qr_data"]
    if not payload:
        raise NotFound(
            f"cashbox {external_id!r} has no QR data (sync it from Mercado Pago)",
            reason=Reason.CASHBOX_NOT_FOUND,
        )
    match kind:
        case "svg":
            return Response(render.svg(payload), media_type="image/svg+xml")
        case "png":
            png = render.poster_png(payload, title=row["name"], subtitle=row["store_external_id"])
            return Response(png, media_type="image/png")
        case "pdf":
            pdf = render.poster_pdf(payload, title=row["name"], subtitle=row["store_external_id"])
            return Response(pdf, media_type="application/pdf")
