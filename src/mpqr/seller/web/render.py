"""Rendering for the cashier UI: one Jinja2 environment per app (autoescaped), pages, static files.

Nothing is built at import time: :func:`web_state` creates the environment and the login limiter
the first time a request of an app needs them and keeps them on ``app.state``.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from importlib import resources
from typing import Any, Final

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from mpqr.seller.web import i18n, screen
from mpqr.seller.web.limiter import LoginLimiter
from mpqr.sites import UnknownSiteError, site_for_currency

__all__ = ["WebState", "lang_of", "money_code", "page", "state_of", "static_file", "web_state"]

LANG_COOKIE: Final = "mpqr_lang"
# Everything comes from this server: no inline scripts, no third-party origin, no framing.
SECURITY_HEADERS: Final = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
_STATIC_TYPES: Final = {"css": "text/css", "js": "text/javascript"}


@dataclass
class WebState:
    """What the UI keeps per app: its template environment, its login limiter, and the signal
    that ends every open live stream (so a server can stop without waiting for the browsers)."""

    env: jinja2.Environment
    limiter: LoginLimiter
    closing: asyncio.Event = field(default_factory=asyncio.Event)


def web_state(request: Request) -> WebState:
    return state_of(request.app)


def state_of(app: Any) -> WebState:
    state: WebState | None = getattr(app.state, "web", None)
    if state is None:
        env = jinja2.Environment(
            loader=jinja2.PackageLoader("mpqr.seller.web", "templates"),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
        )
        env.filters["money"] = _money
        env.filters["iso"] = _iso
        env.globals.update(
            detail_words=screen.detail_words,
            advice_words=screen.advice_words,
            icons={state.value: icon for state, icon in screen.ICONS.items()},
        )
        state = WebState(env=env, limiter=LoginLimiter())
        app.state.web = state
    return state


def lang_of(request: Request) -> str:
    return i18n.choose(
        request.query_params.get("lang"),
        request.cookies.get(LANG_COOKIE),
        request.headers.get("accept-language"),
    )


def page(request: Request, template: str, code: int = 200, /, **context: Any) -> HTMLResponse:
    """Render ``template`` in the request's language, with the security headers."""
    lang = lang_of(request)
    context.setdefault("viewer", None)
    html = (
        web_state(request)
        .env.get_template(template)
        .render(t=i18n.translator(lang), lang=lang, languages=i18n.LANGUAGES, **context)
    )
    response = HTMLResponse(html, status_code=code, headers=SECURITY_HEADERS)
    if request.query_params.get("lang") in i18n.LANGUAGES:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, httponly=True, samesite="lax")
    return response


def static_file(name: str) -> Response | None:
    """A file of ``static/`` (only plain names with a known type), or ``None``."""
    ext = name.rpartition(".")[2]
    if "/" in name or name.startswith(".") or ext not in _STATIC_TYPES:
        return None
    file = resources.files("mpqr.seller.web").joinpath("static", name)
    if not file.is_file():
        return None
    headers = {"Cache-Control": "public, max-age=300", "X-Content-Type-Options": "nosniff"}
    return Response(file.read_bytes(), media_type=_STATIC_TYPES[ext], headers=headers)


def _money(value: Any, currency_id: str = "") -> str:
    """``"1234.5"``, ``"ARS"`` → ``"$ 1.234,50"``: the grouping of Latin American receipts."""
    text = _grouped(value, currency_id)
    return str(value) if text is None else "$ " + text


def money_code(value: Any, currency_id: str) -> str:
    """``"1500"``, ``"ARS"`` → ``"ARS 1.500,00"`` (unambiguous where the question is money)."""
    text = _grouped(value, currency_id)
    return str(value) if text is None else f"{currency_id} {text}"


def _grouped(value: Any, currency_id: str) -> str | None:
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return None
    try:
        decimals = site_for_currency(currency_id).decimals
    except UnknownSiteError:
        decimals = 2
    text = f"{amount:,.{decimals}f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def _iso(value: datetime) -> str:
    return value.isoformat(timespec="seconds")
