"""What every wire module shares: auth, body parsing, money and date formats, paging, schemas."""

from __future__ import annotations

import json
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from fastapi import Depends, Request

from mpqr.sandbox.errors import (
    ApiError,
    ControlError,
    InstoreError,
    OrdersError,
    SandboxError,
    unauthorized,
)
from mpqr.sandbox.models import Seller
from mpqr.sandbox.state import SandboxState
from mpqr.sandbox.syntax import is_alnum, is_digits
from mpqr.sandbox.zones import iso, iso_z

__all__ = [
    "Family",
    "SellerDep",
    "StateDep",
    "bad_request",
    "body_schema",
    "check_user",
    "is_alnum",
    "is_digits",
    "iso",
    "iso_z",
    "money",
    "page_params",
    "read_json",
]


class Family(StrEnum):
    """Which error envelope a path answers with."""

    GENERAL = "general"
    INSTORE = "instore"
    LEGACY = "legacy"
    ORDERS = "orders"
    CONTROL = "control"


def family_of(path: str) -> Family:
    if path.startswith("/mpmobile/"):
        return Family.LEGACY
    if path.startswith("/instore/"):
        return Family.INSTORE
    if path.startswith("/v1/orders"):
        return Family.ORDERS
    if path.startswith("/_sandbox"):
        return Family.CONTROL
    return Family.GENERAL


def bad_request(family: Family, key: str, message: str) -> SandboxError:
    """A 400 in the envelope of ``family``."""
    match family:
        case Family.INSTORE | Family.LEGACY:
            return InstoreError(400, key, message)
        case Family.ORDERS:
            return OrdersError(400, key, message)
        case Family.CONTROL:
            return ControlError(400, key, message)
        case Family.GENERAL:
            return ApiError(400, key, message)


def _state_of(request: Request) -> SandboxState:
    state: SandboxState = request.app.state.sandbox
    return state


async def get_state(request: Request) -> SandboxState:
    """The app's state. ``async`` (as every dependency here) so that FastAPI calls it on the event
    loop instead of handing it to a worker thread: the thread hop cost more than the route.
    """
    return _state_of(request)


StateDep = Annotated[SandboxState, Depends(get_state)]


def request_token(request: Request) -> str | None:
    """The access token: ``Authorization: Bearer <token>``, else the legacy ``?access_token=``.

    Read here rather than through FastAPI's ``HTTPBearer`` and ``APIKeyQuery`` dependencies, which
    cost more than a whole merchant-order GET; :mod:`.security` still documents both schemes.
    """
    authorization = request.headers.get("authorization")
    if authorization:
        scheme, _, credentials = authorization.partition(" ")
        credentials = credentials.strip()
        if scheme.lower() == "bearer" and credentials:
            return credentials
    return request.query_params.get("access_token") or None


async def current_seller(request: Request) -> Seller:
    """The seller the request's token belongs to; bad or missing token is MP's auth error."""
    state = _state_of(request)
    token = request_token(request)
    seller = state.seller_for_token(token)
    if seller is not None:
        return seller
    if state.options.legacy_auth_400 and family_of(request.url.path) is Family.LEGACY:
        raise InstoreError(400, "invalid_access_token", "access denied")
    raise unauthorized()


SellerDep = Annotated[Seller, Depends(current_seller)]


def check_user(seller: Seller, user_id: str, family: Family) -> None:
    """A ``{user_id}`` path segment must be a number and the token's own user."""
    if not is_digits(user_id):
        raise bad_request(family, *_USER_ID_ERRORS[family])
    if int(user_id) == seller.id:
        return
    if family is Family.LEGACY:
        raise InstoreError(400, "invalid_collector_id", "collector_id invalid.")
    raise ApiError(403, "forbidden", "The caller is not authorized to access this resource")


_USER_ID_ERRORS: dict[Family, tuple[str, str]] = {
    Family.LEGACY: ("invalid_collector_id", "collector_id must be a number."),
    Family.INSTORE: ("invalid_collectorId", "user_id must be a number."),
    Family.GENERAL: ("INVALID_USER_ID", "user_id must be a number."),
    Family.ORDERS: ("invalid_user_id", "user_id must be a number."),
    Family.CONTROL: ("bad_request", "user_id must be a number."),
}


async def read_json(request: Request, family: Family, *, allow_empty: bool = False) -> Any:
    """The request's JSON body; invalid JSON is a 400 in the path's envelope."""
    raw = await request.body()
    if not raw.strip():
        if allow_empty:
            return None
        raise bad_request(family, _MISSING_BODY[family], "body is required")
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise bad_request(family, _MISSING_BODY[family], "body is not valid JSON") from None


async def read_object(request: Request, family: Family) -> dict[str, Any]:
    body = await read_json(request, family)
    if not isinstance(body, dict):
        raise bad_request(family, _MISSING_BODY[family], "body must be a JSON object")
    return body


_MISSING_BODY: dict[Family, str] = {
    Family.LEGACY: "invalid_items",
    Family.INSTORE: "invalid_body",
    Family.GENERAL: "bad_request",
    Family.ORDERS: "invalid_request",
    Family.CONTROL: "bad_request",
}


def money(value: Decimal) -> int | float:
    """MP renders amounts as JSON numbers: ``120`` or ``120.5``."""
    return int(value) if value == value.to_integral_value() else float(value)


def page_params(limit: str | None, offset: str | None, *, default: int = 30) -> tuple[int, int]:
    """``limit`` / ``offset`` query values; anything that is not a small non-negative int is 400."""
    try:
        lim = default if limit is None else int(limit)
        off = 0 if offset is None else int(offset)
    except ValueError:
        raise ApiError(400, "bad_request", "limit and offset must be integers") from None
    if lim < 0 or off < 0 or lim > 1000:
        raise ApiError(400, "bad_request", "limit must be 0..1000 and offset >= 0")
    return lim, off


def body_schema(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    """An ``openapi_extra`` documenting a JSON request body (routes parse it themselves)."""
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return {
        "requestBody": {
            "required": bool(required),
            "content": {"application/json": {"schema": schema}},
        }
    }
