"""``GET /_sandbox/notifications`` and ``POST /_sandbox/notifications/{id}/resend``, reading the
outbox from ``request.app.state.outbox``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from mpqr.sandbox.delivery.model import Delivery
from mpqr.sandbox.delivery.outbox import Outbox

__all__ = ["router"]

router = APIRouter(tags=["sandbox control"])


def _outbox(request: Request) -> Outbox | None:
    """The app's outbox; None when delivery is off (the app then keeps notices in memory only)."""
    outbox = getattr(request.app.state, "outbox", None)
    return outbox if isinstance(outbox, Outbox) else None


def _not_found(delivery_id: str) -> JSONResponse:
    return JSONResponse(
        {"error": "not_found", "message": f"notification {delivery_id} not found"},
        status_code=404,
    )


def _matches(d: Delivery, state: str | None, topic: str | None, resource_id: str | None) -> bool:
    return (
        (state is None or d.state.value == state)
        and (topic is None or topic in (d.topic, d.type))
        and (resource_id is None or d.resource_id == resource_id)
    )


@router.get("/_sandbox/notifications")
async def list_notifications(
    request: Request,
    state: str | None = None,
    topic: str | None = None,
    resource_id: str | None = None,
    form: str | None = None,
    seller_id: int | None = None,
) -> list[dict[str, Any]]:
    """Every delivery, oldest first, with its attempts (filters: ``state``
    pending|delivered|failed, ``topic`` (notice topic or wire type), ``resource_id``, ``form``
    ipn|webhook, ``seller_id``).
    """
    outbox = _outbox(request)
    return [
        d.to_dict()
        for d in (outbox.deliveries() if outbox is not None else [])
        if _matches(d, state, topic, resource_id)
        and (form is None or d.form.value == form)
        and (seller_id is None or d.seller_id == seller_id)
    ]


@router.post(
    "/_sandbox/notifications/{delivery_id}/resend",
    responses={404: {"description": "no such delivery"}},
)
async def resend_notification(request: Request, delivery_id: str) -> Any:
    """Send a delivery again now, outside its retry schedule (like a dashboard's "resend")."""
    outbox = _outbox(request)
    if outbox is None or outbox.get(delivery_id) is None:
        return _not_found(delivery_id)
    return outbox.resend(delivery_id).to_dict()
