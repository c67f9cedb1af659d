"""Sign in and out of the cashier UI.

The login form is protected against login CSRF with a double-submit token (a random cookie that
the form must repeat); failed attempts are throttled per client IP and username (429).
"""

from __future__ import annotations

import secrets
from typing import Final

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from mpqr.seller.auth import end_session, start_session, verify_password
from mpqr.seller.web import session as sessions
from mpqr.seller.web.guard import COOKIE, ctx_of, optional_viewer
from mpqr.seller.web.render import page, web_state
from mpqr.seller.web.users import password_hash

__all__ = ["router"]

router = APIRouter()
LOGIN_CSRF: Final = "mpqr_login_csrf"


def _secure(request: Request) -> bool:
    return ctx_of(request).settings.public_url.startswith("https://")


def _safe_next(target: str | None) -> str:
    """Only a path of this UI: never an open redirect to another site."""
    if target and target.startswith("/ui/") and not target.startswith("//"):
        return target
    return "/ui/"


def _login_page(
    request: Request, status: int = 200, error: str | None = None, username: str = ""
) -> Response:
    token = request.cookies.get(LOGIN_CSRF) or secrets.token_urlsafe(24)
    next_path = _safe_next(request.query_params.get("next"))
    response = page(
        request, "login.html", status, error=error, username=username, csrf=token, next=next_path
    )
    response.set_cookie(
        LOGIN_CSRF, token, httponly=True, samesite="lax", secure=_secure(request), path="/ui/"
    )
    return response


@router.get("/ui/login")
async def login_form(request: Request) -> Response:
    if await optional_viewer(request) is not None:
        return RedirectResponse("/ui/", 303)
    return _login_page(request)


@router.post("/ui/login")
async def login(request: Request) -> Response:
    form = await request.form()
    username = str(form.get("username") or "")[:80]
    token = form.get("csrf")
    cookie = request.cookies.get(LOGIN_CSRF)
    if cookie is None or not sessions.same_token(token if isinstance(token, str) else None, cookie):
        return page(request, "error.html", 403, message_key="forbidden")
    ctx = ctx_of(request)
    limiter = web_state(request).limiter
    key = f"{request.client.host if request.client else '-'}|{username.lower()}"
    if limiter.retry_after(key, ctx.clock.monotonic()) > 0:
        return _login_page(request, 429, "too_many", username)
    stored = await password_hash(ctx.db, username)
    if stored is None or not verify_password(str(form.get("password") or ""), stored):
        limiter.failed(key, ctx.clock.monotonic())
        return _login_page(request, 401, "bad_login", username)
    limiter.succeeded(key)
    return await _signed_in(request, username, stored, _safe_next(str(form.get("next") or "")))


async def _signed_in(request: Request, username: str, stored: str, target: str) -> Response:
    ctx = ctx_of(request)
    nonce = secrets.token_urlsafe(16)
    await start_session(ctx, username, nonce, sessions.MAX_AGE_SECONDS)
    response = RedirectResponse(target, 303)
    response.set_cookie(
        COOKIE,
        sessions.issue(username, stored, int(ctx.now().timestamp()), nonce),
        max_age=sessions.MAX_AGE_SECONDS,
        httponly=True,
        samesite="lax",
        secure=_secure(request),
        path="/",
    )
    response.delete_cookie(LOGIN_CSRF, path="/ui/")
    return response


@router.post("/ui/logout")
async def logout(request: Request) -> Response:
    """End the session on the server and forget the cookie (the form carries the CSRF token)."""
    viewer = await optional_viewer(request)
    form = await request.form()
    token = form.get("csrf")
    if viewer is not None and not sessions.same_token(
        token if isinstance(token, str) else None, viewer.csrf
    ):
        return page(request, "error.html", 403, message_key="forbidden")
    claimed = sessions.read_payload(request.cookies.get(COOKIE) or "")
    if viewer is not None and claimed is not None:
        await end_session(ctx_of(request), claimed.nonce)
    response = RedirectResponse("/ui/login", 303)
    response.delete_cookie(COOKIE, path="/")
    return response
