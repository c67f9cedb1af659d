"""The sandbox's web pages: the dashboard, the phone "scanner" and the customer app per cashbox.

Routes only gather the control plane's JSON and render it; what the pages *do* (scan, pay, advance
the clock, resend a notification) they do from the browser through the ``/_sandbox`` JSON
endpoints, like any other client of the control plane. None of these routes is in the OpenAPI
document: they are not part of the emulated API.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from mpqr.i18n import Lang, choose, lang_of
from mpqr.sandbox.api.common import StateDep
from mpqr.sandbox.control import dump_state
from mpqr.sandbox.delivery.routes import list_notifications
from mpqr.sandbox.web.i18n import strings
from mpqr.sandbox.web.render import html_page, render, static_file
from mpqr.sandbox.web.views import build_dashboard, cashbox_rows

__all__ = ["router"]

POLL_MS = 1000  # how often the pages ask for fresh state (document: docs of mpqr.sandbox.web)
LANG_COOKIE = "mpqr_sandbox_lang"  # not the cashier UI's cookie: both apps may share a host

router = APIRouter(include_in_schema=False)


def _fault_config(request: Request) -> dict[str, Any] | None:
    """What ``GET /_sandbox/faults`` answers (None when this app has no fault switchboard)."""
    faults = getattr(request.app.state, "faults", None)
    if faults is None:
        return None
    config: dict[str, Any] = faults.to_dict()
    return config


async def _dashboard_context(request: Request, state: StateDep) -> dict[str, Any]:
    dump = await dump_state(state)
    deliveries = await list_notifications(request)
    delivering = hasattr(getattr(request.app.state, "outbox", None), "deliveries")
    faults = _fault_config(request)
    board = build_dashboard(dump, deliveries, faults=faults, secret_for=state.secret_for)
    return {"board": board, "clock": dump["clock"], "delivering": delivering, "faults": faults}


@router.get("/", response_class=HTMLResponse)
async def dashboard(request: Request, state: StateDep) -> HTMLResponse:
    """The dashboard; its panel refreshes itself from ``/_sandbox/web/dashboard`` every second."""
    context = await _dashboard_context(request, state)
    return html_page("dashboard.html", lang="en", poll_ms=POLL_MS, **context)


@router.get("/_sandbox/web/dashboard", response_class=HTMLResponse)
async def dashboard_panel(request: Request, state: StateDep) -> HTMLResponse:
    """The dashboard's panel alone (an HTML fragment, autoescaped like the page)."""
    context = await _dashboard_context(request, state)
    return HTMLResponse(render("_panel.html", **context), headers={"Cache-Control": "no-store"})


def _language(request: Request) -> Lang:
    """``?lang=``, then the cookie, then ``Accept-Language`` (as the cashier UI chooses)."""
    return choose(
        request.query_params.get("lang"),
        request.cookies.get(LANG_COOKIE),
        request.headers.get("accept-language"),
    )


def _phone_page(request: Request, template: str, **context: Any) -> HTMLResponse:
    """A phone page in the request's language; a ``?lang=`` choice is remembered for a year."""
    lang = _language(request)
    response = html_page(template, lang=lang, t=strings(lang), **context)
    if lang_of(request.query_params.get("lang")) is lang:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, httponly=True, samesite="lax")
    return response


@router.get("/customer", response_class=HTMLResponse)
async def pick_cashbox(request: Request, state: StateDep) -> HTMLResponse:
    """The phone's "scanner": every cashbox, to open its customer page."""
    rows = cashbox_rows(await dump_state(state))
    return _phone_page(request, "customer_index.html", cashboxes=rows)


def _customer_config(pos_id: int, lang: Lang) -> dict[str, Any]:
    return {"posId": pos_id, "lang": lang.value, "pollMs": POLL_MS, "strings": dict(strings(lang))}


@router.get("/customer/{pos_id}", response_class=HTMLResponse)
async def customer(request: Request, pos_id: str, state: StateDep) -> HTMLResponse:
    """The simulated Mercado Pago app after scanning cashbox ``pos_id``'s QR."""
    dump = await dump_state(state)
    row = next((r for r in cashbox_rows(dump) if str(r.id) == pos_id), None)
    if row is None:
        page = _phone_page(request, "not_found.html", pos_id=pos_id)
        page.status_code = 404
        return page
    config = _customer_config(row.id, _language(request))
    return _phone_page(request, "customer.html", pos=row, config=config)


@router.get("/static/sandbox/{name}")
async def static(name: str) -> Response:
    """The pages' own CSS and JavaScript (no CDN, no build step)."""
    found = static_file(name)
    if found is None:
        return Response("not found", status_code=404, media_type="text/plain")
    return found
