import json

import pytest

from mpqr.errors import (
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    NotFoundError,
    RateLimitError,
    ServerError,
    error_from_response,
)


def test_instore_envelope_with_causes_plural() -> None:
    body = {
        "error": "pos_obtainment_error",
        "message": "Point of sale not found",
        "status": 404,
        "causes": [],
    }
    err = error_from_response(404, json.dumps(body).encode(), {"x-request-id": "req-1"})
    assert isinstance(err, NotFoundError)
    assert (err.status, err.error, err.message, err.request_id) == (
        404,
        "pos_obtainment_error",
        "Point of sale not found",
        "req-1",
    )
    assert err.body == body
    assert "pos_obtainment_error" in str(err)
    assert "req-1" in str(err)


def test_general_envelope_with_cause() -> None:
    body = {
        "message": "notificaction_url attribute must be url valid",
        "error": "bad_request",
        "status": 400,
        "cause": [{"code": 4020, "description": "must be url", "data": None}],
    }
    err = error_from_response(400, json.dumps(body))
    assert isinstance(err, BadRequestError)
    assert err.causes[0].code == "4020"
    assert err.causes[0].description == "must be url"


def test_orders_api_envelope() -> None:
    body = {
        "errors": [
            {
                "code": "required_properties",
                "message": "Missing properties",
                "details": ["missing properties: '$.transactions'"],
            }
        ]
    }
    err = error_from_response(400, json.dumps(body).encode())
    assert isinstance(err, BadRequestError)
    assert err.error == "required_properties"
    assert err.message == "Missing properties"
    assert err.causes[0].data == ["missing properties: '$.transactions'"]


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (401, AuthenticationError),
        (404, NotFoundError),
        (409, ConflictError),
        (423, ConflictError),
        (429, RateLimitError),
        (500, ServerError),
        (503, ServerError),
        (418, APIStatusError),
    ],
)
def test_status_mapping(status: int, cls: type[APIStatusError]) -> None:
    err = error_from_response(status, b"{}")
    assert type(err) is cls
    assert err.message == f"HTTP {status}"


def test_legacy_invalid_access_token_is_an_auth_error() -> None:
    body = {"error": "invalid_access_token", "message": "access denied", "status": 400}
    assert isinstance(error_from_response(400, json.dumps(body)), AuthenticationError)


def test_retry_after_and_non_json_body() -> None:
    err = error_from_response(429, b"slow down", {"retry-after": "3"})
    assert isinstance(err, RateLimitError)
    assert err.retry_after == 3.0
    assert err.message == "slow down"
    assert error_from_response(500, None).body is None
