"""The control plane under ``/_sandbox``: sellers, the simulated customer, the clock, reset, state.

Never collides with Mercado Pago paths. Errors are ``{"error", "message"}`` with 400 or 404.

- ``POST /_sandbox/users`` ``{"site_id": "MLA"}`` → 201 the seller with its access token and webhook
  secret
- ``POST /_sandbox/scan`` one selector (``qr_data`` | ``pos_id`` | ``user_id`` +
  ``external_pos_id``) → ``{"merchant_order_id", "order"}`` (``null`` = the app's waiting screen)
- ``POST /_sandbox/pay`` a selector or ``merchant_order_id``, ``status``, ``amount``, ``late`` ... →
  201 ``{"payment", "merchant_order"}``
- ``POST /_sandbox/payments/{id}/settle`` ``{"status": "approved" | "rejected"}``
- ``GET /_sandbox/clock``, ``POST /_sandbox/clock/advance`` ``{"seconds": n}``, ``POST
  /_sandbox/reset``, ``GET /_sandbox/state``
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from mpqr.sandbox.api.common import StateDep, money
from mpqr.sandbox.api.merchant_orders import render_mo
from mpqr.sandbox.api.payments import render_payment
from mpqr.sandbox.api.pos import qr_code
from mpqr.sandbox.customer import PayRequest, Selector, pay, scan, settle
from mpqr.sandbox.delivery import Outbox
from mpqr.sandbox.errors import ControlError
from mpqr.sandbox.lifecycle import OrderKind, PaymentStatus
from mpqr.sandbox.models import MerchantOrder
from mpqr.sandbox.orders import expire_due
from mpqr.sandbox.state import SandboxState
from mpqr.sites import UnknownSiteError, site

router = APIRouter(prefix="/_sandbox", tags=["sandbox control plane"])


class _Body(BaseModel):
    model_config = ConfigDict(extra="ignore")


class NewUser(_Body):
    site_id: str = Field(default="MLA", examples=["MLA"])
    nickname: str | None = None
    business_name: str | None = None


class SelectorBody(_Body):
    qr_data: str | None = None
    pos_id: int | None = None
    user_id: int | None = None
    external_pos_id: str | None = None
    merchant_order_id: int | None = None

    def selector(self) -> Selector:
        return Selector(
            qr_data=self.qr_data,
            pos_id=self.pos_id,
            user_id=self.user_id,
            external_pos_id=self.external_pos_id,
            merchant_order_id=self.merchant_order_id,
        )


class PayBody(SelectorBody):
    status: Literal["approved", "rejected", "pending", "in_process"] = "approved"
    status_detail: str | None = None
    amount: Decimal | None = Field(default=None, gt=0, lt=Decimal("1e12"))
    payer_email: str | None = None
    late: bool = False


class SettleBody(_Body):
    status: Literal["approved", "rejected"] = "approved"
    status_detail: str | None = None


class AdvanceBody(_Body):
    seconds: float = Field(ge=0, le=10 * 365 * 86400)


def _summary(state: SandboxState, mo: MerchantOrder) -> dict[str, Any]:
    """What the customer's phone shows: title, items, total."""
    seller = state.data.sellers[mo.seller_id]
    title = seller.business_name or (mo.items[0].title if mo.items else "")
    if mo.source_kind in (OrderKind.V2, OrderKind.DYNAMIC, OrderKind.HYBRID):
        order = state.data.instore_orders.get(mo.source_id)
        title = str(order.body.get("title") or title) if order else title
    elif mo.source_kind is OrderKind.ORDERS:
        api_order = state.data.api_orders.get(mo.source_id)
        title = str(api_order.body.get("description") or title) if api_order else title
    return {
        "title": title,
        "items": [
            {
                "title": i.title,
                "quantity": i.quantity,
                "unit_price": money(i.unit_price),
                "picture_url": i.picture_url,
            }
            for i in mo.items
        ],
        "total_amount": money(mo.total_amount),
        "currency_id": site(seller.site_id).currency_id,
        "external_reference": mo.external_reference,
    }


def _wake(state: SandboxState) -> None:
    """Let the outbox send what a clock move made due now (nothing to do without delivery)."""
    if isinstance(state.sink, Outbox):
        state.sink.wake()


@router.post("/users", status_code=201)
async def create_user(body: NewUser, state: StateDep) -> JSONResponse:
    try:
        the_site = site(body.site_id)
    except UnknownSiteError as exc:
        raise ControlError(400, "invalid_site_id", str(exc)) from None
    with state.lock:
        seller = state.create_seller(the_site.id.value, nickname=body.nickname)
        seller.business_name = body.business_name
    return JSONResponse(
        status_code=201,
        content={
            "id": seller.id,
            "access_token": seller.access_token,
            "site_id": seller.site_id,
            "currency_id": the_site.currency_id,
            "nickname": seller.nickname,
            "webhook_secret": seller.webhook_secret,
        },
    )


@router.post("/scan")
async def scan_qr(body: SelectorBody, state: StateDep) -> dict[str, Any]:
    """The customer scans: the order on the QR (creating a legacy merchant order), or waiting."""
    mo = scan(state, body.selector())
    if mo is None:
        return {"merchant_order_id": None, "order": None}
    return {"merchant_order_id": mo.id, "order": _summary(state, mo)}


@router.post("/pay", status_code=201)
async def pay_order(body: PayBody, state: StateDep) -> JSONResponse:
    req = PayRequest(
        status=PaymentStatus(body.status),
        status_detail=body.status_detail,
        amount=body.amount,
        payer_email=body.payer_email,
        late=body.late,
    )
    payment, mo = pay(state, body.selector(), req)
    content = {"payment": render_payment(state, payment), "merchant_order": render_mo(state, mo)}
    return JSONResponse(status_code=201, content=content)


@router.post("/payments/{payment_id}/settle")
async def settle_payment(payment_id: int, body: SettleBody, state: StateDep) -> dict[str, Any]:
    """A pending / in_process payment settles ``approved`` or ``rejected``."""
    payment, mo = settle(state, payment_id, PaymentStatus(body.status), body.status_detail)
    return {"payment": render_payment(state, payment), "merchant_order": render_mo(state, mo)}


def _clock_body(state: SandboxState) -> dict[str, Any]:
    now = state.now()
    offset = getattr(state.clock, "offset", None)
    return {
        "now": now.isoformat(timespec="milliseconds"),
        "offset_seconds": offset.total_seconds() if offset is not None else None,
    }


@router.get("/clock")
async def get_clock(state: StateDep) -> dict[str, Any]:
    return _clock_body(state)


@router.post("/clock/advance")
async def advance_clock(body: AdvanceBody, state: StateDep) -> dict[str, Any]:
    """Move virtual time forward: expiry runs now, and due notification retries are sent."""
    state.clock.advance(body.seconds)
    expired = expire_due(state)
    _wake(state)
    return {**_clock_body(state), "expired": expired}


@router.post("/reset")
async def reset(state: StateDep) -> dict[str, Any]:
    """Forget every seller, order, payment and delivery (the clock keeps its time)."""
    state.reset()  # the outbox is the state's sink: it forgets its deliveries too
    return {"reset": True}


@router.get("/state")
async def dump_state(state: StateDep) -> dict[str, Any]:
    """Everything, for the dashboard and for debugging (credentials included: it is a local
    sandbox).
    """
    with state.lock:
        raw = state.to_dict()
        raw["pos_qr"] = {str(p.id): qr_code(state, p) for p in state.data.pos.values()}
        raw["merchant_orders_view"] = [
            render_mo(state, mo) for mo in state.data.merchant_orders.values()
        ]
        raw["payments_view"] = [render_payment(state, p) for p in state.data.payments.values()]
        raw["clock"] = _clock_body(state)
        return raw
