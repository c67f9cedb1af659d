"""Abuse (issue 7, defects 5 and 6): proxy headers believed only from configured proxies, and
sessions that logout and a new password really end."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from seller_env import Running, serve, settings_for
from seller_fakes import FakeGateway

from mpqr.clock import FrozenClock
from mpqr.ids import IdFactory
from mpqr.seller.app import create_app
from mpqr.seller.web.users import set_password

PASSWORD = "correct horse battery"


def _server(database_url: str, **settings: Any) -> serve:
    def make(base: str) -> FastAPI:
        cfg = settings_for(database_url, base, admin_password=PASSWORD, **settings)
        return create_app(cfg, clock=FrozenClock(), gateway=FakeGateway(), ids=IdFactory(2))

    return serve(make)


@pytest.fixture
async def ui(database_url: str) -> AsyncIterator[Running]:
    async with _server(database_url) as running:
        yield running


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found
    return found.group(1)


async def _login(base: str, password: str, **headers: str) -> httpx.Response:
    async with httpx.AsyncClient(base_url=base, headers=headers) as client:
        page = await client.get("/ui/login")
        data = {"csrf": _csrf(page.text), "username": "admin", "password": password}
        return await client.post("/ui/login", data=data)


async def test_x_forwarded_for_does_not_reset_the_login_limit(ui: Running) -> None:
    """Defect 5: a new X-Forwarded-For on each try gave a fresh budget of guesses."""
    codes = [
        (await _login(ui.base_url, "wrong", **{"x-forwarded-for": f"10.0.0.{i}"})).status_code
        for i in range(7)
    ]
    assert codes[:5] == [401] * 5
    assert codes[5:] == [429, 429]


async def test_a_configured_proxy_is_believed(database_url: str) -> None:
    async with _server(database_url, forwarded_allow_ips=("127.0.0.1",)) as running:
        for _ in range(5):
            r = await _login(running.base_url, "wrong", **{"x-forwarded-for": "10.0.0.1"})
            assert r.status_code == 401
        blocked = await _login(running.base_url, "wrong", **{"x-forwarded-for": "10.0.0.1"})
        other = await _login(running.base_url, "wrong", **{"x-forwarded-for": "10.0.0.2"})
        assert (blocked.status_code, other.status_code) == (429, 401)


async def _signed_in(base: str) -> tuple[httpx.AsyncClient, str]:
    client = httpx.AsyncClient(base_url=base)
    page = await client.get("/ui/login")
    data = {"csrf": _csrf(page.text), "username": "admin", "password": PASSWORD}
    r = await client.post("/ui/login", data=data)
    assert r.status_code == 303, r.text
    return client, client.cookies["mpqr_session"]


async def test_logout_ends_the_session_on_the_server(ui: Running) -> None:
    """Defect 6: after logout the old cookie kept working for 12 hours."""
    client, cookie = await _signed_in(ui.base_url)
    try:
        home = await client.get("/ui/")
        assert home.status_code == 200
        r = await client.post("/ui/logout", data={"csrf": _csrf(home.text)})
        assert r.status_code == 303
    finally:
        await client.aclose()
    async with httpx.AsyncClient(base_url=ui.base_url, cookies={"mpqr_session": cookie}) as thief:
        assert (await thief.get("/ui/")).status_code == 303  # back to the login page
        assert (await thief.get("/ui/sales/S1/panel")).status_code == 401


async def test_a_new_password_ends_every_session(ui: Running) -> None:
    first, cookie = await _signed_in(ui.base_url)
    await first.aclose()
    ctx = ui.state.ctx
    await set_password(ctx.db, "admin", "a brand new password", ctx.now())
    async with httpx.AsyncClient(base_url=ui.base_url, cookies={"mpqr_session": cookie}) as old:
        assert (await old.get("/ui/")).status_code == 303


async def test_cookies_are_secure_behind_https(database_url: str) -> None:
    def make(base: str) -> FastAPI:
        cfg = settings_for(database_url, "https://shop.example", admin_password=PASSWORD)
        return create_app(cfg, clock=FrozenClock(), gateway=FakeGateway(), ids=IdFactory(3))

    async with serve(make) as running, httpx.AsyncClient(base_url=running.base_url) as client:
        page = await client.get("/ui/login")
        login_cookie = page.headers["set-cookie"]
        assert "secure" in login_cookie.lower()
        token = login_cookie.split(";", 1)[0].split("=", 1)[1]
        data = {"csrf": _csrf(page.text), "username": "admin", "password": PASSWORD}
        client.cookies.set("mpqr_login_csrf", token)  # httpx keeps Secure cookies off http
        r = await client.post("/ui/login", data=data)
        session = next(c for c in r.headers.get_list("set-cookie") if "mpqr_session=" in c)
        assert "secure" in session.lower()
