"""POS API (mp-api §8) and the POS's QR files, served by the sandbox itself."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request, Response

from mpqr.qr.emvco import pos_qr_payload
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
from mpqr.sandbox.lifecycle import LiveState
from mpqr.sandbox.models import Pos, Seller, Store
from mpqr.sandbox.orders import retire_pos_order
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
_ALNUM = re.compile(r"^[A-Za-z0-9]+$")


def qr_code(state: SandboxState, pos: Pos) -> str:
    """The printed QR's EMVCo string (mp-api §13.3): names the POS by its numeric id."""
    seller = state.data.sellers[pos.seller_id]
    store = state.data.stores.get(pos.store_id or 0)
    city = str((store.location.get("city_name") if store else None) or "CIUDAD")
    return pos_qr_payload(
        site_id=seller.site_id,
        pos_id=pos.id,
        pos_uuid=pos.uuid[:32],  # the Pix field carries 32 of the 64 hex chars (§13.3: length 72)
        merchant_name=seller.business_name or seller.nickname,
        city=city,
    )


def render_pos(state: SandboxState, pos: Pos, base: str, *, full: bool = False) -> dict[str, Any]:
    root = f"{base}/qr/{pos.id}"
    body: dict[str, Any] = {
        "id": pos.id,
        "qr": {
            "image": f"{root}/{pos.uuid}.png",
            "template_document": f"{root}/template_{pos.uuid}.pdf",
            "template_image": f"{root}/template_{pos.uuid}.png",
        },
        "status": pos.status,
        "date_created": iso(pos.date_created),
        "date_last_updated": iso(pos.date_last_updated),
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


def _check_fields(body: dict[str, Any]) -> None:
    name = body.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ApiError(400, "INVALID_NAME", "name is required and must be a string")
    if len(name) >= 45:
        raise ApiError(400, "NAME_TOO_LONG", "name must be less than 45 characters")
    if "fixed_amount" in body and not isinstance(body["fixed_amount"], bool):
        raise ApiError(400, "INVALID_FIXED_AMOUNT", "fixed_amount must be boolean")
    category = body.get("category")
    if category is not None and (isinstance(category, bool) or not is_digits(str(category))):
        raise ApiError(400, "INVALID_CATEGORY", "category must be numeric")
    url = body.get("url")
    if url is not None and (not isinstance(url, str) or len(url) >= 300):
        raise ApiError(400, "URL_TOO_LONG", "url must be a string of less than 300 characters")
    if url is not None and body.get("fixed_amount") is False:
        raise ApiError(400, "FIXED_AMOUNT_FALSE", "url requires fixed_amount true")


def _check_external_id(state: SandboxState, seller: Seller, ext: object, own: int = 0) -> str:
    if not isinstance(ext, str) or not _ALNUM.match(ext):
        raise ApiError(400, "INVALID_EXTERNAL_ID", "external_id must be alphanumeric")
    if len(ext) >= 40:
        raise ApiError(400, "EXTERNAL_ID_TOO_LONG", "external_id must be less than 40 characters")
    other = state.pos_by_external(seller.id, ext)
    if other is not None and other.id != own:
        raise ApiError(409, "conflict", "A pos with the same EXTERNAL_ID already exists.")
    return ext


def _resolve_store(state: SandboxState, seller: Seller, body: dict[str, Any]) -> Store:
    raw_id, ext = body.get("store_id"), body.get("external_store_id")
    if raw_id is None and ext is None:
        raise ApiError(400, "INVALID_EXTERNAL_STORE_ID", "external_store_id is required")
    by_ext = None
    if ext is not None:
        by_ext = next(
            (
                s
                for s in state.data.stores.values()
                if s.seller_id == seller.id and (s.external_id or "").lower() == str(ext).lower()
            ),
            None,
        )
        if by_ext is None:
            raise ApiError(400, "INEXISTENT_EXTERNAL_STORE_ID", "external_store_id not found")
    if raw_id is None:
        assert by_ext is not None
        return by_ext
    if isinstance(raw_id, bool) or not is_digits(str(raw_id)):
        raise ApiError(400, "INVALID_STORE_ID", "store_id must be numeric")
    store = state.data.stores.get(int(str(raw_id)))
    if store is None or store.seller_id != seller.id:
        raise ApiError(400, "INVALID_STORE_ID", "store_id not found")
    if by_ext is not None and by_ext.id != store.id:
        raise ApiError(400, "EXTERNAL_STORE_ID_NOT_MATCH", "store_id and external_store_id differ")
    return store


def add_pos(state: SandboxState, seller: Seller, body: dict[str, Any]) -> Pos:
    """Validate and record a new POS (``POST /pos``)."""
    with state.lock:
        _check_fields(body)
        ext = _check_external_id(state, seller, body.get("external_id"))
        store = _resolve_store(state, seller, body)
        now = state.now()
        pos = Pos(
            id=state.new_number(state.data.pos, 8),
            seller_id=seller.id,
            name=body["name"],
            external_id=ext,
            store_id=store.id,
            external_store_id=store.external_id,
            fixed_amount=body.get("fixed_amount", True),
            category=int(body["category"]) if body.get("category") is not None else None,
            url=body.get("url"),
            uuid=state.ids.hex(64),
            date_created=now,
            date_last_updated=now,
        )
        state.data.pos[pos.id] = pos
        return pos


def _pos_id(value: str) -> int:
    if not is_digits(value):
        raise ApiError(400, "INVALID_POS_ID", "pos_id must be numeric")
    return int(value)


@router.post("/pos", status_code=201, openapi_extra=_POS_SCHEMA)
async def create_pos(request: Request, state: StateDep, seller: SellerDep) -> dict[str, Any]:
    body = await read_object(request, Family.GENERAL)
    pos = add_pos(state, seller, body)
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
    with state.lock:
        _check_fields({"name": pos.name, **body})
        ext = body.get("external_id")
        if ext is not None and str(ext).lower() != (pos.external_id or "").lower():
            raise ApiError(400, "INVALID_EXTERNAL_ID", "external_id can not be modified")
        if "store_id" in body or "external_store_id" in body:
            store = _resolve_store(state, seller, body)
            pos.store_id, pos.external_store_id = store.id, store.external_id
        pos.name = body.get("name", pos.name)
        pos.fixed_amount = body.get("fixed_amount", pos.fixed_amount)
        if body.get("category") is not None:
            pos.category = int(body["category"])
        pos.url = body.get("url", pos.url)
        pos.date_last_updated = state.now()
    return render_pos(state, pos, _base(request), full=True)


@router.delete("/pos/{pos_id}", status_code=204, response_class=Response)
async def delete_pos(pos_id: str, state: StateDep, seller: SellerDep) -> Response:
    pos = state.owned(state.data.pos, _pos_id(pos_id), seller, "pos")
    with state.lock:
        retire_pos_order(state, pos, LiveState.DELETED)
        del state.data.pos[pos.id]
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
