"""The cashier UI's router: login, counter, sales, static files (hidden from ``/openapi.json``)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from fastapi.responses import RedirectResponse, Response

from mpqr.seller.web import counter, display, login, sales, unmatched
from mpqr.seller.web.render import static_file

__all__ = ["build_router"]


def build_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)
    router.include_router(login.router)
    router.include_router(counter.router)
    router.include_router(sales.router)
    router.include_router(display.router)
    router.include_router(unmatched.router)
    router.add_api_route("/", _root)
    router.add_api_route("/ui", _root)
    router.add_api_route("/ui/static/{name}", _static)
    return router


async def _root() -> Response:
    return RedirectResponse("/ui/", 303)


async def _static(name: str) -> Response:
    found = static_file(name)
    if found is None:
        raise HTTPException(404, "no such file")
    return found
