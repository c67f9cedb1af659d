"""``POST /notifications``: verify if signed, store raw with dedupe, answer 200 once committed.

The row is stored by the group-commit writer (:mod:`.writer`): the 200 goes out only after the
transaction holding it has committed.

No Mercado Pago call happens here; the processor fetches the resource later. A signed delivery whose
signature does not verify against the configured secrets is refused with 401 (nothing stored).
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from mpqr.errors import NotificationError, SignatureError, UnknownTopicError
from mpqr.notifications import Form, Notification, parse_notification, verify_notification
from mpqr.seller.context import Context
from mpqr.seller.notifications import inbox
from mpqr.seller.notifications.writer import InboxWriter

__all__ = ["router"]

log = logging.getLogger("mpqr.seller.notifications")
router = APIRouter()


@router.post("/notifications", include_in_schema=True, tags=["notifications"])
async def receive(request: Request) -> JSONResponse:
    """Any Mercado Pago notification form (IPN or Webhooks). 200 = stored (or a duplicate)."""
    ctx: Context = request.app.state.ctx
    body = await request.body()
    headers = {k.lower(): v for k, v in request.headers.items()}
    try:
        n = parse_notification("POST", request.url.query, headers, body)
    except UnknownTopicError as exc:
        # answered 200 so Mercado Pago stops retrying a topic we do not handle
        log.info("notification ignored", extra={"reason": str(exc)})
        return JSONResponse({"status": "ignored"})
    except NotificationError as exc:
        problem = {"error": "invalid_notification", "message": str(exc)}
        return JSONResponse(problem, status_code=400)
    ctx.metrics.received.inc()
    if not _signature_ok(ctx, n):
        ctx.metrics.signature_failed.inc()
        return JSONResponse({"error": "invalid_signature"}, status_code=401)
    kept = {k: v for k, v in headers.items() if k not in {"authorization", "cookie"}}
    writer: InboxWriter = request.app.state.inbox_writer
    stored = await writer.store(n, kept, ctx.now())  # returns once the row is committed
    if stored is not inbox.Stored.NEW:
        ctx.metrics.duplicates.inc()
    if stored is inbox.Stored.DUPLICATE:
        return JSONResponse({"status": "duplicate"})
    ctx.wake.set()
    return JSONResponse({"status": "received" if stored is inbox.Stored.NEW else "refetch"})


def _signature_ok(ctx: Context, n: Notification) -> bool:
    secrets = ctx.settings.webhook_secrets
    if not secrets or n.form is not Form.WEBHOOK or not n.signature_header:
        return True  # unsigned QR deliveries are allowed: the fetch is the proof
    try:
        verify_notification(
            n,
            secrets,
            tolerance_seconds=ctx.settings.signature_tolerance_seconds,
            now=ctx.clock.now().timestamp(),
        )
    except SignatureError:
        return False
    return True
