"""``GET /users/me`` and ``POST /users/test_user``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from mpqr.sandbox.api.common import (
    Family,
    SellerDep,
    StateDep,
    body_schema,
    iso,
    read_object,
)
from mpqr.sandbox.errors import ApiError
from mpqr.sandbox.models import Seller
from mpqr.sandbox.zones import zone_for
from mpqr.sites import UnknownSiteError, site

router = APIRouter(tags=["users"])


def render_user(seller: Seller) -> dict[str, Any]:
    the_site = site(seller.site_id)
    return {
        "id": seller.id,
        "nickname": seller.nickname,
        "site_id": seller.site_id,
        "country_id": the_site.country_code,
        "email": seller.email,
        "first_name": "Test",
        "last_name": "Test",
        "user_type": "normal",
        "registration_date": iso(seller.date_created, zone_for(seller.site_id)),
        "status": {"site_status": "active"},
    }


@router.get("/users/me")
async def users_me(seller: SellerDep) -> dict[str, Any]:
    return render_user(seller)


@router.post(
    "/users/test_user",
    status_code=201,
    openapi_extra=body_schema({"site_id": {"type": "string", "example": "MLA"}}, ["site_id"]),
)
async def create_test_user(request: Request, state: StateDep, _: SellerDep) -> JSONResponse:
    """A new test seller on the same sandbox (its credentials are in ``GET /_sandbox/state``)."""
    body = await read_object(request, Family.GENERAL)
    try:
        the_site = site(str(body.get("site_id", "")))
    except UnknownSiteError:
        raise ApiError(400, "bad_request", "site_id invalid.") from None
    seller = state.create_seller(the_site.id.value)
    return JSONResponse(
        status_code=201,
        content={
            "id": seller.id,
            "nickname": seller.nickname,
            "password": seller.password,
            "site_status": "active",
            "email": seller.email,
        },
    )
