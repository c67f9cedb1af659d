"""Who is signed in, and the CSRF check of every POST (FastAPI dependencies).

Pages redirect an anonymous browser to the login page (a 303 with ``Location``); the live
endpoints (panel, events) answer 401 instead, which makes the page's script fall back to a reload.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Annotated, Final
from urllib.parse import quote

from fastapi import Depends, HTTPException, Request
from starlette.datastructures import FormData

from mpqr.seller.auth import session_alive
from mpqr.seller.context import Context
from mpqr.seller.web import session as sessions
from mpqr.seller.web.users import password_hash

__all__ = ["COOKIE", "Viewer", "checked_form", "live_viewer", "optional_viewer", "page_viewer"]

COOKIE: Final = "mpqr_session"


@dataclass(frozen=True, slots=True)
class Viewer:
    """The signed-in cashier, the CSRF token their forms must carry, and how many unmatched
    payments still hold money (the banner every page shows while there are any)."""

    username: str
    csrf: str
    unmatched: int = 0


def ctx_of(request: Request) -> Context:
    ctx: Context = request.app.state.ctx
    return ctx


async def optional_viewer(request: Request) -> Viewer | None:
    cookie = request.cookies.get(COOKIE)
    claimed = sessions.read_payload(cookie) if cookie else None
    if cookie is None or claimed is None:
        return None
    ctx = ctx_of(request)
    stored = await password_hash(ctx.db, claimed.username)
    if stored is None:
        return None
    verified = sessions.verify(cookie, stored, int(ctx.now().timestamp()))
    if verified is None or not await session_alive(ctx, verified.username, verified.nonce):
        return None
    return Viewer(verified.username, sessions.csrf_token(verified, stored))


async def page_viewer(request: Request) -> Viewer:
    viewer = await optional_viewer(request)
    if viewer is None:
        target = quote(request.url.path, safe="/")
        raise HTTPException(303, "sign in first", headers={"Location": f"/ui/login?next={target}"})
    count = await request.app.state.unmatched.needing_attention()
    return replace(viewer, unmatched=count) if count else viewer


async def live_viewer(request: Request) -> Viewer:
    viewer = await optional_viewer(request)
    if viewer is None:
        raise HTTPException(401, "sign in first")
    return viewer


async def checked_form(
    request: Request, viewer: Annotated[Viewer, Depends(page_viewer)]
) -> FormData:
    """The POSTed form, only if it carries this session's CSRF token (else 403)."""
    form = await request.form()
    token = form.get("csrf")
    if not sessions.same_token(token if isinstance(token, str) else None, viewer.csrf):
        raise HTTPException(403, "missing or wrong CSRF token")
    return form


PageViewer = Annotated[Viewer, Depends(page_viewer)]
LiveViewer = Annotated[Viewer, Depends(live_viewer)]
CheckedForm = Annotated[FormData, Depends(checked_form)]
