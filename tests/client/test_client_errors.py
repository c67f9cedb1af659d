"""Every documented in-store error key maps to the right class, with all its fields."""

from __future__ import annotations

from typing import Any

import pytest

from mpqr.errors import (
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    UnexpectedResponseError,
)

V2 = {
    "external_reference": "A1",
    "title": "T",
    "total_amount": 10,
    "items": [{"title": "x", "unit_price": 10, "quantity": 1, "total_amount": 10}],
}
V1 = {"items": [{"title": "x", "currency_id": "ARS", "unit_price": 10, "quantity": 1}]}

LEGACY = ("qr_orders.create_v1", (1, "CAJA01", V1))
V2_PUT = ("qr_orders.put", (1, "CAJA01", V2))
V2_GET = ("qr_orders.get", (1, "CAJA01"))
V2_DELETE = ("qr_orders.delete", (1, "CAJA01"))
DYNAMIC = ("qr_orders.create_dynamic", (1, "CAJA01", V2))
STORE_CREATE = ("stores.create", (1, {"name": "S"}))
STORE_GET = ("stores.get", (1,))
STORE_SEARCH = ("stores.search", (1,))
POS_CREATE = ("pos.create", ({"name": "C", "external_id": "CAJA01"},))
POS_GET = ("pos.get", (1,))
MO_GET = ("merchant_orders.get", (1,))
MO_SEARCH = ("merchant_orders.search", ())

# (section, endpoint, status, error key, message, expected class)
KEYS: list[tuple[str, tuple[str, tuple[Any, ...]], int, str, str, type[APIStatusError]]] = [
    ("3.7", LEGACY, 400, "invalid_collector_id", "collector_id invalid.", BadRequestError),
    ("3.7", LEGACY, 400, "invalid_sponsor_id", "sponsor_id not found.", BadRequestError),
    ("3.7", LEGACY, 400, "invalid_items", "items needed.", BadRequestError),
    ("3.7", LEGACY, 400, "invalid_access_token", "access denied", AuthenticationError),
    (
        "3.6",
        ("qr_orders.delete_v1", (1, "CAJA01")),
        400,
        "invalid_collector_id",
        "x",
        BadRequestError,
    ),
    ("4.2", V2_PUT, 400, "invalid_collectorId", "user_id must be a number.", BadRequestError),
    (
        "4.2",
        V2_PUT,
        400,
        "invalid_externalPosId",
        "externalPosId must be present.",
        BadRequestError,
    ),
    ("4.2", V2_PUT, 400, "invalid_external_reference", "must be string", BadRequestError),
    ("4.2", V2_PUT, 400, "invalid_total_amount", "total_amount must be present.", BadRequestError),
    ("4.2", V2_PUT, 400, "invalid_items.sku_number", "must be string.", BadRequestError),
    ("4.2", V2_PUT, 400, "invalid_items.category", "must be string.", BadRequestError),
    ("4.2", V2_PUT, 400, "invalid_items.title", "must be string.", BadRequestError),
    ("4.2", V2_PUT, 400, "invalid_items.description", "must be string.", BadRequestError),
    ("4.2", V2_PUT, 400, "invalid_items.unit_measure", "must be string.", BadRequestError),
    ("4.2", V2_PUT, 400, "invalid_items.quantity", "must be number.", BadRequestError),
    ("4.2", V2_PUT, 400, "invalid_items.currency_id", "must be string.", BadRequestError),
    ("4.2", V2_PUT, 400, "invalid_items.unit_price", "must be number.", BadRequestError),
    ("4.2", V2_PUT, 400, "invalid_items.total_amount", "must be number.", BadRequestError),
    ("4.2", V2_PUT, 400, "invalid_title", "title must be present", BadRequestError),
    ("4.2", V2_PUT, 400, "invalid_unit_measure", "unit_measure must be present.", BadRequestError),
    ("4.2", V2_PUT, 400, "invalid_quantity", "quantity must be present.", BadRequestError),
    ("4.2", V2_PUT, 400, "invalid_unit_price", "unit_price must be present.", BadRequestError),
    ("4.2", V2_PUT, 400, "invalid_description", "description must be present", BadRequestError),
    ("4.2", V2_PUT, 400, "invalid_sponsor.id", "sponsor.id must be number.", BadRequestError),
    ("4.2", V2_PUT, 400, "invalid_id", "sponsor.id must be present.", BadRequestError),
    ("4.2", V2_PUT, 400, "invalid_cash_out.amount", "must be number.", BadRequestError),
    ("4.2", V2_PUT, 400, "invalid_amount", "cash_out.amount must be present.", BadRequestError),
    ("4.2", V2_PUT, 400, "error_creating_seller_qr_order", "cash out required", BadRequestError),
    ("4.2", V2_PUT, 400, "invalid_expiration_date", "must be future.", BadRequestError),
    ("4.2", V2_PUT, 500, "in_store_order_creation_error", "Failed to create order.", ServerError),
    ("4.2", V2_PUT, 404, "pos_obtainment_error", "Point of sale not found", NotFoundError),
    ("4.3", V2_GET, 400, "invalid_collectorId", "user_id must be a number.", BadRequestError),
    (
        "4.3",
        V2_GET,
        400,
        "invalid_externalPosId",
        "externalPosId must be present.",
        BadRequestError,
    ),
    (
        "4.3",
        V2_GET,
        404,
        "point_of_sale_in_store_order_not_found",
        "No associated order found.",
        NotFoundError,
    ),
    ("4.3", V2_GET, 500, "in_store_order_creation_error", "Failed.", ServerError),
    ("4.4", V2_DELETE, 400, "invalid_access_token", "Access denied.", AuthenticationError),
    (
        "4.4",
        V2_DELETE,
        500,
        "in_store_order_creation_error",
        "Failed to delete order.",
        ServerError,
    ),
    (
        "5.1",
        DYNAMIC,
        400,
        "invalid_notification_url",
        "notification_url must be url.",
        BadRequestError,
    ),
    *[
        ("7", STORE_CREATE, 400, key, f"{key.lower()} error", BadRequestError)
        for key in (
            "INVALID_USER_ID",
            "UNKNOWN_FIELD",
            "INVALID_NAME",
            "INVALID_BUSINESS_HOURS",
            "INVALID_DAY",
            "INVALID_LOCATION",
            "INVALID_STREET_NAME",
            "INVALID_STREET_NUMBER",
            "INVALID_ZIP_CODE",
            "INVALID_CITY_NAME",
            "INVALID_STATE_NAME",
            "INVALID_LATITUDE",
            "INVALID_LONGITUDE",
            "INVALID_REFERENCE",
        )
    ],
    ("7", STORE_GET, 400, "INVALID_STORE_ID", "store_id invalid", BadRequestError),
    *[
        ("7", STORE_SEARCH, 400, key, "search error", BadRequestError)
        for key in ("INVALID_USER_ID", "INVALID_OFFSET", "INVALID_LIMIT", "INVALID_EXTERNAL_ID")
    ],
    *[
        ("8", POS_CREATE, 400, key, f"{key.lower()} error", BadRequestError)
        for key in (
            "MISSING_BODY",
            "UNKNOWN_FIELD_EXCEPTION",
            "INVALID_NAME",
            "NAME_TOO_LONG",
            "INVALID_FIXED_AMOUNT",
            "INVALID_CATEGORY",
            "UNKNOWN_MCC",
            "INVALID_STORE_ID",
            "INVALID_EXTERNAL_STORE_ID",
            "EXTERNAL_STORE_ID_NOT_MATCH",
            "INEXISTENT_EXTERNAL_STORE_ID",
            "INVALID_EXTERNAL_ID",
            "EXTERNAL_ID_TOO_LONG",
            "INVALID_URL",
            "URL_TOO_LONG",
            "FIXED_AMOUNT_FALSE",
        )
    ],
    ("8", POS_GET, 400, "INVALID_POS_ID", "pos_id must be numeric", BadRequestError),
    ("8", POS_CREATE, 403, "forbidden", "url host not enabled", PermissionDeniedError),
    ("8", POS_GET, 404, "not_found", "The POS does not exist", NotFoundError),
    (
        "8",
        POS_CREATE,
        409,
        "conflict",
        "A pos with the same EXTERNAL_ID already exists.",
        ConflictError,
    ),
    ("9", MO_GET, 400, "invalid_format", "invalid id.", BadRequestError),
    ("9", MO_GET, 401, "invalid_token", "access denied.", AuthenticationError),
    ("9", MO_GET, 401, "invalid_caller_id", "invalid caller.", AuthenticationError),
    ("9", MO_SEARCH, 400, "ds_search_query", "invalid query.", BadRequestError),
    ("12", V2_PUT, 422, "unprocessable_entity", "business rule", BadRequestError),
    (
        "12",
        (
            "orders.create",
            (
                {
                    "total_amount": 1,
                    "external_reference": "x",
                    "transactions": {"payments": [{"amount": 1}]},
                },
            ),
        ),
        423,
        "locked",
        "key locked",
        ConflictError,
    ),
]


def _case_id(case: tuple[Any, ...]) -> str:
    return f"{case[0]}-{case[1][0]}-{case[2]}-{case[3]}"


@pytest.mark.parametrize("case", KEYS, ids=[_case_id(c) for c in KEYS])
async def test_documented_error_key_maps_to_class(api_once: Any, server: Any, case: Any) -> None:
    _, (call, args), status, key, message, cls = case
    body = {
        "error": key,
        "message": message,
        "status": status,
        "causes": [{"code": "c1", "description": message}],
    }
    server.reply(status, body, headers={"X-Request-Id": f"req-{key}"})
    with pytest.raises(cls) as info:
        await api_once(call, *args)
    err = info.value
    assert err.status == status
    assert err.error == key
    assert err.message == message
    assert [(c.code, c.description) for c in err.causes] == [("c1", message)]
    assert err.request_id == f"req-{key}"
    assert err.body == body
    assert key in str(err)
    assert f"req-{key}" in str(err)


async def test_mp_general_envelope_with_numeric_cause(api_once: Any, server: Any) -> None:
    body = {
        "message": "Payment not found",
        "error": "not_found",
        "status": 404,
        "cause": [{"code": 2000, "description": "Payment not found", "data": None}],
    }
    server.reply(404, body)
    with pytest.raises(NotFoundError) as info:
        await api_once("payments.get", 1)
    assert info.value.causes[0].code == "2000"


async def test_orders_api_envelope(api_once: Any, server: Any) -> None:
    body = {
        "errors": [
            {
                "code": "required_properties",
                "message": "Missing properties",
                "details": ["missing properties: '$.transactions'"],
            }
        ]
    }
    server.reply(400, body, headers={"x-request-id": "r-1"})
    with pytest.raises(BadRequestError) as info:
        await api_once("orders.get", "ORD1")
    err = info.value
    assert err.error == "required_properties"
    assert err.message == "Missing properties"
    assert err.causes[0].data == ["missing properties: '$.transactions'"]
    assert err.request_id == "r-1"


async def test_rate_limit_carries_retry_after(api_once: Any, server: Any) -> None:
    server.reply(
        429, {"message": "too many", "error": "rate_limited"}, headers={"Retry-After": "3"}
    )
    with pytest.raises(RateLimitError) as info:
        await api_once("users.me")
    assert info.value.retry_after == 3.0


async def test_non_json_error_body(api_once: Any, server: Any) -> None:
    server.reply(502, raw=b"<html>Bad Gateway</html>")
    with pytest.raises(ServerError) as info:
        await api_once("users.me")
    assert info.value.body == "<html>Bad Gateway</html>"


async def test_success_with_a_body_that_is_not_the_model(api_once: Any, server: Any) -> None:
    server.reply(200, raw=b"<html>proxy login</html>", headers={"x-request-id": "r-9"})
    with pytest.raises(UnexpectedResponseError) as info:
        await api_once("users.me")
    assert info.value.status == 200
    assert info.value.request_id == "r-9"
