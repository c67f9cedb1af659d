"""POS API on the wire (state changes in ``stores_pos``) and the POS's QR files, served here."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from mpqr.qr.emvco import pos_qr_payload
from mpqr.sandbox import stores_pos
from mpqr.sandbox.api.common import (
    Family,
    SellerDep,
    StateDep,
    body_schema,
    is_digits,
    iso,
    page_params,
    read_object,
)
from mpqr.sandbox.errors import ApiError
from mpqr.sandbox.models import Pos
from mpqr.sandbox.state import SandboxState

router = APIRouter(tags=["pos"])

_POS_SCHEMA = body_schema(
    {
        "name": {"type": "string", "example": "Caja Principal"},
        "fixed_amount": {"type": "boolean", "example": True},
        "category": {"type": "integer", "example": 621102},
        "store_id": {"type": "string"},
        "external_store_id": {"type": "string"},
        "external_id": {"type": "string", "example": "CAJA1"},
        "url": {"type": "string"},
    },
    ["name", "fixed_amount", "external_id"],
)


def qr_code(state: SandboxState, pos: Pos) -> str:
    """The printed QR's EMVCo string: names the POS by its numeric id."""
    seller = state.data.sellers[pos.seller_id]
    store = state.data.stores.get(pos.store_id or 0)
    city = str((store.location.get("city_name") if store else None) or "CIUDAD")
    return pos_qr_payload(
        site_id=seller.site_id,
        pos_id=pos.id,
        pos_uuid=pos.uuid[:32],  # the Pix field carries 32 of the 64 hex chars
        merchant_name=seller.business_name or seller.nickname,
        city=city,
    )


def render_pos(state: SandboxState, pos: Pos, base: str, *, full: bool = False) -> dict[str, Any]:
    root = f"{base}/qr/{pos.id}"
    zone = state.zone(state.data.sellers[pos.seller_id].site_id)
    body: dict[str, Any] = {
        "id": pos.id,
        "qr": {
            "image": f"{root}/{pos.uuid}.png",
            "template_document": f"{root}/template_{pos.uuid}.pdf",
            "template_image": f"{root}/template_{pos.uuid}.png",
        },
        "status": pos.status,
        "date_created": iso(pos.date_created, zone),
        "date_last_updated": iso(pos.date_last_updated, zone),
        "uuid": pos.uuid,
        "user_id": pos.seller_id,
        "name": pos.name,
        "fixed_amount": pos.fixed_amount,
        "category": pos.category,
        "store_id": None if pos.store_id is None else str(pos.store_id),
        "external_store_id": pos.external_store_id,
        "url": pos.url,
        "external_id": pos.external_id,
    }
    if full:
        body["compatible_id"] = (pos.uuid * 2)[:128]
        body["site"] = state.data.sellers[pos.seller_id].site_id
        body["qr_code"] = qr_code(state, pos)
    return body


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def _pos_id(value: str) -> int:
    if not is_digits(value):
        raise ApiError(400, "INVALID_POS_ID", "pos_id must be numeric")
    return int(value)


@router.post("/pos", status_code=201, openapi_extra=_POS_SCHEMA)
async def create_pos(request: Request, state: StateDep, seller: SellerDep) -> dict[str, Any]:
    body = await read_object(request, Family.GENERAL)
    pos = stores_pos.add_pos(state, seller, body)
    return render_pos(state, pos, _base(request))


@router.get("/pos/{pos_id}")
async def get_pos(
    pos_id: str, request: Request, state: StateDep, seller: SellerDep
) -> dict[str, Any]:
    pos = state.owned(state.data.pos, _pos_id(pos_id), seller, "pos")
    return render_pos(state, pos, _base(request), full=True)


@router.put("/pos/{pos_id}", openapi_extra=_POS_SCHEMA)
async def update_pos(
    pos_id: str, request: Request, state: StateDep, seller: SellerDep
) -> dict[str, Any]:
    pos = state.owned(state.data.pos, _pos_id(pos_id), seller, "pos")
    body = await read_object(request, Family.GENERAL)
    stores_pos.update_pos(state, seller, pos, body)
    return render_pos(state, pos, _base(request), full=True)


@router.delete("/pos/{pos_id}", status_code=204, response_class=Response)
async def delete_pos(pos_id: str, state: StateDep, seller: SellerDep) -> Response:
    stores_pos.remove_pos(state, state.owned(state.data.pos, _pos_id(pos_id), seller, "pos"))
    return Response(status_code=204)


@router.get("/pos")
async def search_pos(
    request: Request,
    state: StateDep,
    seller: SellerDep,
    external_id: str | None = None,
    external_store_id: str | None = None,
    store_id: str | None = None,
    category: str | None = None,
    limit: str | None = None,
    offset: str | None = None,
) -> dict[str, Any]:
    lim, off = page_params(limit, offset, default=50)
    wanted = {
        "external_id": external_id,
        "external_store_id": external_store_id,
        "store_id": store_id,
        "category": category,
    }
    found = [p for p in state.data.pos.values() if p.seller_id == seller.id and _matches(p, wanted)]
    return {
        "paging": {"total": len(found), "offset": off, "limit": lim},
        "results": [render_pos(state, p, _base(request)) for p in found[off : off + lim]],
    }


def _matches(pos: Pos, wanted: dict[str, str | None]) -> bool:
    for key, value in wanted.items():
        if value is None:
            continue
        have = getattr(pos, key)
        if (str(have).lower() if have is not None else None) != value.lower():
            return False
    return True


@router.get("/qr/{pos_id}/{filename}", tags=["qr files"], response_class=Response)
async def qr_file(pos_id: str, filename: str, state: StateDep) -> Response:
    """``qr.image`` (PNG), ``qr.template_document`` (PDF poster), ``qr.template_image`` (PNG
    poster).
    """
    pos = state.data.pos.get(int(pos_id)) if is_digits(pos_id) else None
    if pos is None or pos.uuid not in filename:
        raise ApiError(404, "not_found", "QR file not found")
    from mpqr.qr import render

    payload = qr_code(state, pos)
    if filename == f"{pos.uuid}.png":
        return Response(render.png(payload), media_type="image/png")
    if filename == f"template_{pos.uuid}.pdf":
        pdf = render.poster_pdf(payload, title=pos.name, subtitle=pos.external_id or "")
        return Response(pdf, media_type="application/pdf")
    if filename == f"template_{pos.uuid}.png":
        poster = render.poster_png(payload, title=pos.name, subtitle=pos.external_id or "")
        return Response(poster, media_type="image/png")
    raise ApiError(404, "not_found", "QR file not found")
