"""The sandbox's web pages: the dashboard ``/`` and the simulated customer app.

- ``/`` lists sellers (token masked, with a copy button), stores, cashboxes with their QR and live
  order, merchant orders, payments (a pending one can be approved or rejected) and notification
  deliveries (each with its payload and, attempt by attempt, the request headers, the time and the
  answer); it shows and moves the virtual clock and switches fault injection.
- ``/customer`` lists the cashboxes (the phone's "scanner"); ``/customer/{pos_id}`` is the Mercado
  Pago app after scanning that cashbox's QR: the waiting screen, or the order with "Pagar",
  "Rechazar" and "Dejar pendiente". Its language comes from ``?lang=es|pt|en`` (remembered in the
  ``mpqr_sandbox_lang`` cookie), then ``Accept-Language``, as the cashier UI chooses; Spanish by
  default. After a result, "back" shows what the cashbox has now: the same order (on the same
  merchant order, no new scan) when a pending or partial payment left it there.

Live updates are plain polling with ``fetch()`` once a second, no SSE. The dashboard asks for its
panel as an HTML fragment (``GET /_sandbox/web/dashboard``, rendered by the same autoescaped
template as the page) and for ``GET /_sandbox/clock``. The customer page reads
``GET /_sandbox/state`` and scans (``POST /_sandbox/scan``) only when the order on its cashbox
changes, because every scan of a legacy order creates a new merchant order.

Every action goes through the control plane's JSON endpoints (``/_sandbox/scan``,
``/_sandbox/pay``, ``/_sandbox/payments/{id}/settle``, ``/_sandbox/clock/advance``,
``/_sandbox/notifications/{id}/resend``, ``PUT /_sandbox/faults``).
Templates are Jinja2 with autoescape; CSS and JavaScript are served from the package
(``/static/sandbox/...``), so the pages never touch the network.
"""

from __future__ import annotations

from mpqr.sandbox.web.routes import router

__all__ = ["router"]
