"""The cashier UI's doors: login, sessions, CSRF, throttling, languages (real server, httpx)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from test_web_env import Stack, cashier_fixture, csrf_of, info_fixture, sign_in, stack_fixture

from mpqr.demo import DemoInfo, bind
from mpqr.seller.app import create_app
from mpqr.seller.db import Database
from mpqr.seller.settings import Settings
from mpqr.seller.web.users import set_password

_FIXTURES = (stack_fixture, info_fixture, cashier_fixture)  # used through pytest


def _client(info: DemoInfo, **headers: str) -> httpx.Client:
    return httpx.Client(base_url=info.seller_url, timeout=10.0, headers=headers)


def _try_login(client: httpx.Client, username: str, password: str) -> httpx.Response:
    page = client.get("/ui/login")
    return client.post(
        "/ui/login",
        data={"csrf": csrf_of(page.text), "username": username, "password": password},
    )


def test_anonymous_pages_redirect_to_the_login(info: DemoInfo) -> None:
    with _client(info) as client:
        response = client.get("/ui/sales")
        assert response.status_code == 303
        assert response.headers["location"] == "/ui/login?next=/ui/sales"
        assert client.get("/").headers["location"] == "/ui/"
        # the live endpoints say 401 instead: the page's script then reloads into the login
        assert client.get("/ui/sales/S1/panel").status_code == 401
        assert client.get("/ui/sales/S1/events").status_code == 401


def test_login_sets_a_signed_httponly_samesite_cookie(info: DemoInfo) -> None:
    with _client(info) as client:
        response = _try_login(client, info.username, info.password)
        assert response.status_code == 303
        assert response.headers["location"] == "/ui/"
        cookie = next(
            c for c in response.headers.get_list("set-cookie") if c.startswith("mpqr_session=")
        )
        flags = cookie.lower()
        assert "httponly" in flags
        assert "samesite=lax" in flags
        assert "secure" not in flags  # http://127.0.0.1: a Secure cookie would never come back
        home = client.get("/ui/")
        assert home.status_code == 200
        assert "CAJA1" in home.text
        assert info.password not in home.text


def test_login_goes_back_to_the_page_asked_for_but_never_off_site(info: DemoInfo) -> None:
    for target, expected in [("/ui/sales", "/ui/sales"), ("https://evil.example/", "/ui/")]:
        with _client(info) as client:
            page = client.get("/ui/login")
            response = client.post(
                "/ui/login",
                data={
                    "csrf": csrf_of(page.text),
                    "username": info.username,
                    "password": info.password,
                    "next": target,
                },
            )
            assert response.headers["location"] == expected


def test_a_wrong_password_is_refused_and_names_no_detail(info: DemoInfo) -> None:
    with _client(info, **{"Accept-Language": "en"}) as client:
        response = _try_login(client, info.username, "not-the-password")
        assert response.status_code == 401
        assert "Wrong username or password." in response.text
        assert "mpqr_session" not in response.headers.get("set-cookie", "")
        assert _try_login(client, "nobody", "x").status_code == 401


def test_login_without_its_csrf_cookie_is_forbidden(info: DemoInfo) -> None:
    with _client(info) as client:
        token = csrf_of(client.get("/ui/login").text)
        client.cookies.clear()
        response = client.post(
            "/ui/login",
            data={"csrf": token, "username": info.username, "password": info.password},
        )
        assert response.status_code == 403


def test_failed_logins_are_throttled_per_ip_and_username(info: DemoInfo) -> None:
    with _client(info, **{"Accept-Language": "en"}) as client:
        for _ in range(5):
            assert _try_login(client, "mallory", "guess").status_code == 401
        blocked = _try_login(client, "mallory", "guess")
        assert blocked.status_code == 429
        assert "Too many attempts" in blocked.text
        # another username from the same address is not locked out by mallory's guesses
        assert _try_login(client, info.username, info.password).status_code == 303


def test_the_right_password_is_also_refused_while_throttled(stack: Stack, info: DemoInfo) -> None:
    stack.add_login("Throttled", "right-password")
    with _client(info) as client:
        for _ in range(5):
            _try_login(client, "Throttled", "wrong")
        # the count ignores case, so "throttled" does not get a fresh budget either
        assert _try_login(client, "throttled", "right-password").status_code == 429
        assert _try_login(client, "Throttled", "right-password").status_code == 429


def test_a_tampered_session_cookie_is_ignored(info: DemoInfo) -> None:
    with sign_in(info) as client:
        value = client.cookies["mpqr_session"]
        payload, _, signature = value.partition(".")
        forged = payload[:-2] + ("AA" if payload[-2:] != "AA" else "BB") + "." + signature
        client.cookies.clear()
        client.cookies.set("mpqr_session", forged)
        assert client.get("/ui/").status_code == 303
        client.cookies.set("mpqr_session", "garbage")
        assert client.get("/ui/").status_code == 303


def test_posts_without_the_session_csrf_token_are_forbidden(cashier: httpx.Client) -> None:
    for path in ("/ui/cashboxes/CAJA2/sell", "/ui/sales/S1/cancel", "/ui/sales/S1/refund"):
        assert cashier.post(path, data={"amount": "10"}).status_code == 403
        assert cashier.post(path, data={"amount": "10", "csrf": "forged"}).status_code == 403
    assert cashier.post("/ui/logout", data={}).status_code == 403


def test_csrf_tokens_differ_per_session(info: DemoInfo) -> None:
    with sign_in(info) as one, sign_in(info) as two:
        first, second = csrf_of(one.get("/ui/").text), csrf_of(two.get("/ui/").text)
        assert first != second
        # a token stolen from another session does not work in this one
        response = one.post("/ui/cashboxes/CAJA2/sell", data={"csrf": second, "amount": "10"})
        assert response.status_code == 403


def test_logout_forgets_the_session(info: DemoInfo) -> None:
    with sign_in(info) as client:
        token = csrf_of(client.get("/ui/").text)
        response = client.post("/ui/logout", data={"csrf": token})
        assert response.status_code == 303
        assert response.headers["location"] == "/ui/login"
        assert client.get("/ui/").status_code == 303


def test_language_from_query_cookie_or_accept_language(info: DemoInfo) -> None:
    with _client(info) as client:
        assert "Ingresar" in client.get("/ui/login").text  # Spanish by default
        assert "Entrar" in client.get("/ui/login?lang=pt").text
        assert "Entrar" in client.get("/ui/login").text  # remembered in a cookie
    with _client(info, **{"Accept-Language": "en-US,en;q=0.9"}) as client:
        assert "Sign in" in client.get("/ui/login").text
    with _client(info, **{"Accept-Language": "fr, pt-BR;q=0.5, en;q=0.4"}) as client:
        assert 'lang="pt"' in client.get("/ui/login").text


def test_pages_carry_security_headers(cashier: httpx.Client) -> None:
    response = cashier.get("/ui/")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["cache-control"] == "no-store"
    static = cashier.get("/ui/static/sale.js")
    assert static.status_code == 200
    assert static.headers["content-type"].startswith("text/javascript")
    assert cashier.get("/ui/static/..%2Fsession.py").status_code == 404
    assert cashier.get("/ui/static/missing.js").status_code == 404


def test_an_https_public_url_makes_the_cookies_secure(
    stack: Stack, info: DemoInfo, tmp_path: Path
) -> None:
    saved = json.loads((stack.data_dir / "demo.json").read_text())
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'seller.db'}",
        mp_base_url=info.sandbox_url,
        mp_access_token=saved["access_token"],
        public_url="https://pos.example.com",
        api_key="key-for-this-test",
        run_workers=False,
    )
    asyncio.run(_with_login(settings.database_url, "ana", "secret-pw"))
    with _serve(create_app(settings, announce=lambda _text: None)) as base:
        with httpx.Client(base_url=base, timeout=10.0) as client:
            page = client.get("/ui/login")
            login_cookie = page.headers["set-cookie"]
            assert "secure" in login_cookie.lower()
            token = login_cookie.split(";")[0].split("=", 1)[1]
            response = client.post(
                "/ui/login",
                data={"csrf": csrf_of(page.text), "username": "ana", "password": "secret-pw"},
                headers={"Cookie": f"mpqr_login_csrf={token}"},  # httpx keeps Secure ones back
            )
        assert response.status_code == 303
        session_cookie = next(
            c for c in response.headers.get_list("set-cookie") if c.startswith("mpqr_session=")
        )
        assert "secure" in session_cookie.lower()


async def _with_login(url: str, username: str, password: str) -> None:
    db = Database(url)
    try:
        await db.migrate()
        await set_password(db, username, password, datetime.now(UTC))
    finally:
        await db.dispose()


@contextlib.contextmanager
def _serve(app: Any) -> Iterator[str]:
    """``app`` under uvicorn on a free 127.0.0.1 port, in a thread."""
    sock = bind("127.0.0.1", 0, 0)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert thread.is_alive(), "the server did not start"
        assert time.monotonic() < deadline, "the server did not start in time"
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()
