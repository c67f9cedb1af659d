"""The cashier web UI of ``mpqr serve``: server-rendered pages in Spanish, Portuguese and English.

``router`` is included by :func:`mpqr.seller.app.create_app`. Pages live under ``/ui/``; they call
the same services as the JSON API (so validation and idempotency are shared), sign sessions with
a key derived from the login's password hash (:mod:`.session`), check a CSRF token on every POST
(:mod:`.guard`) and throttle failed logins (:mod:`.limiter`).

- :mod:`.counter` the cashboxes, the sale form, the QR poster; :mod:`.sales` the live sale screen,
  cancel, two-step refunds, history; :mod:`.display` the customer-facing display;
  :mod:`.live` their Server-Sent Events.
- :mod:`.screen` (pure) what the main panel shows for a sale; :mod:`.forms` (pure) the forms as
  the API's models, every problem as a field and a :class:`~mpqr.seller.errors.Reason`.
- :mod:`.i18n` the language choice and the words, kept in :mod:`.i18n_rows`,
  :mod:`.i18n_reasons` and :mod:`.i18n_payments`; :mod:`.render` templates and money formats.
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
