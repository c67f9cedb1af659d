"""The access token never shows in repr, logs or exception messages — even when MP echoes it."""

from __future__ import annotations

import logging
import traceback
from typing import Any

import pytest
from client_testkit import TOKEN, Api, close, make_client

from mpqr.client import RawRequest
from mpqr.client._core import build_request, make_config
from mpqr.client.resources import users
from mpqr.errors import APIConnectionError, AuthenticationError, UnexpectedResponseError


def test_repr_hides_the_token(api: Api) -> None:
    text = repr(api.client)
    assert TOKEN not in text
    assert "***" in text
    assert TOKEN not in repr(api.client._config)
    assert TOKEN not in repr(api.client.payments)


def test_request_repr_hides_the_auth_header() -> None:
    config = make_config(TOKEN, "https://api.mercadopago.com", None, None)
    raw = build_request(config, users.me(), None)
    assert isinstance(raw, RawRequest)
    assert raw.headers["Authorization"] == f"Bearer {TOKEN}"
    assert TOKEN not in repr(raw)
    assert TOKEN not in repr(config)


async def test_logs_have_method_path_status_request_id_and_no_token(
    api: Api, server: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="mpqr.client")
    server.reply(503, {"message": f"echo {TOKEN}"}, headers={"x-request-id": "rq-1"})
    server.reply(200, {"id": 1}, headers={"x-request-id": "rq-2"})
    await api("users.me")
    text = caplog.text
    assert "GET /users/me -> 503" in text
    assert "GET /users/me -> 200" in text
    assert "rq-1" in text
    assert "rq-2" in text
    assert "retrying GET /users/me" in text
    assert TOKEN not in text
    assert "Bearer" not in text


async def test_error_that_echoes_the_token_is_scrubbed(api: Api, server: Any) -> None:
    body = {
        "message": f"invalid access token {TOKEN}",
        "error": "unauthorized",
        "status": 401,
        "cause": [{"code": 1, "description": f"Authorization: Bearer {TOKEN}"}],
    }
    server.reply(401, body)
    with pytest.raises(AuthenticationError) as info:
        await api("users.me")
    err = info.value
    for text in (str(err), repr(err), err.message, repr(err.body), repr(err.causes)):
        assert TOKEN not in text
    assert "[REDACTED]" in err.message
    rendered = "".join(traceback.format_exception(err))
    assert TOKEN not in rendered


async def test_unexpected_body_that_echoes_the_token_is_scrubbed(api: Api, server: Any) -> None:
    server.reply(200, raw=f"<html>{TOKEN}</html>".encode())
    with pytest.raises(UnexpectedResponseError) as info:
        await api("users.me")
    assert TOKEN not in str(info.value)
    assert TOKEN.encode() not in info.value.body


@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_connection_error_message_has_no_token(
    kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="mpqr.client")
    client = make_client(kind, "http://127.0.0.1:9", [])
    try:
        with pytest.raises(APIConnectionError) as info:
            await Api(client, [])("users.me")
    finally:
        await close(client)
    assert TOKEN not in str(info.value)
    assert TOKEN not in "".join(traceback.format_exception(info.value))
    assert TOKEN not in caplog.text


def test_blank_token_is_refused() -> None:
    from mpqr.client import Client

    with pytest.raises(ValueError, match="access_token"):
        Client("  ")
