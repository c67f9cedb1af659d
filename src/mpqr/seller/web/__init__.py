"""The cashier web UI of ``mpqr serve``: server-rendered pages in Spanish, Portuguese and English.

``router`` is included by :func:`mpqr.seller.app.create_app`. Pages live under ``/ui/``; they call
the same services as the JSON API (so validation and idempotency are shared), sign sessions with
a key derived from the login's password hash (:mod:`.session`), check a CSRF token on every POST
(:mod:`.guard`), throttle failed logins (:mod:`.limiter`) and update the sale screen live over
Server-Sent Events (:mod:`.sales`).
"""

from __future__ import annotations

from typing import Any

from mpqr.seller.web.render import state_of
from mpqr.seller.web.routes import build_router

__all__ = ["close_streams", "router"]

router = build_router()


def close_streams(app: Any) -> None:
    """End every open live stream of ``app`` (call before stopping its server: browsers then
    reconnect elsewhere or show the last state, and the server need not wait for them)."""
    state_of(app).closing.set()
