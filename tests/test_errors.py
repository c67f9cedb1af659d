import json
import random
from datetime import UTC, datetime

import pytest

from mpqr.client import RetryPolicy
from mpqr.client._core import Call, RawResponse, json_or_none, retry_delay
from mpqr.errors import (
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    NotFoundError,
    RateLimitError,
    ServerError,
    error_from_response,
    parse_retry_after,
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


NOW = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("3", 3.0),
        (" 120 ", 120.0),
        ("0", 0.0),
        ("1.5", 1.5),  # not RFC delay-seconds, but its meaning is clear
        ("Sun, 01 Mar 2026 12:00:30 GMT", 30.0),  # IMF-fixdate
        ("Sunday, 01-Mar-26 12:01:00 GMT", 60.0),  # obsolete RFC 850 form
        ("Sun Mar  1 12:00:05 2026", 5.0),  # obsolete asctime form
        ("Sun, 01 Mar 2026 11:00:00 GMT", 0.0),  # a date in the past: retry now
        ("-1", None),
        ("-0.5", None),
        ("inf", None),
        ("-inf", None),
        ("Infinity", None),
        ("nan", None),
        ("soon", None),
        ("", None),
        ("Sun, 99 Foo 2026", None),
        (None, None),
    ],
)
def test_parse_retry_after(header: str | None, seconds: float | None) -> None:
    assert parse_retry_after(header, now=NOW) == seconds


@pytest.mark.parametrize("header", ["inf", "nan", "-5", "garbage"])
def test_the_error_and_the_retry_loop_read_retry_after_alike(header: str) -> None:
    # One parser: an unusable header is None on the error and the retry falls back to the backoff.
    err = error_from_response(429, b"{}", {"retry-after": header})
    assert err.retry_after is None
    policy = RetryPolicy(base=0.5, cap=8.0)
    call = Call("GET", "/users/me", json_or_none)
    response = RawResponse(429, {"retry-after": header}, b"{}")
    delay = retry_delay(policy, call, response, False, 0, random.Random(1))
    assert delay is not None
    assert delay == policy.backoff(0, random.Random(1))


def test_retry_after_date_drives_the_error_attribute() -> None:
    err = error_from_response(503, b"{}", {"retry-after": "Thu, 01 Jan 1970 00:00:00 GMT"})
    assert err.retry_after == 0.0
