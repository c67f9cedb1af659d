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

from dataclasses import asdict
from decimal import Decimal
from typing import Any, Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from mpqr.sandbox import catalog
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
from mpqr.sites import SITES, UnknownSiteError, site

router = APIRouter(prefix="/_sandbox", tags=["sandbox control plane"])


class _Body(BaseModel):
    model_config = ConfigDict(extra="ignore")


class NewUser(_Body):
    site_id: str = Field(default="MLA", examples=["MLA"])
    nickname: str | None = None
    business_name: str | None = None
    test_user: bool = True  # False: a "production" seller (ORD… ids, is_test false)


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


class Payer(_Body):
    email: str | None = None
    identification: dict[str, str] | None = None


class PayBody(SelectorBody):
    """A payment attempt. Without ``status``, the cardholder name decides (else approved)."""

    status: Literal["approved", "rejected", "pending", "in_process"] | None = None
    status_detail: str | None = None
    amount: Decimal | None = Field(default=None, gt=0, lt=Decimal("1e12"))
    payer_email: str | None = None
    payer: Payer | None = None
    late: bool = False
    payment_method_id: str | None = Field(default=None, examples=["account_money", "visa"])
    card_number: str | None = Field(default=None, examples=["4509 9535 6623 3704"])
    cardholder_name: str | None = Field(default=None, examples=["APRO", "OTHE", "CONT"])
    installments: int = Field(default=1, ge=1, le=24)

    def request(self) -> PayRequest:
        payer = self.payer or Payer()
        return PayRequest(
            status=None if self.status is None else PaymentStatus(self.status),
            status_detail=self.status_detail,
            amount=self.amount,
            payer_email=payer.email or self.payer_email,
            late=self.late,
            payment_method_id=self.payment_method_id,
            card_number=self.card_number,
            cardholder_name=self.cardholder_name,
            installments=self.installments,
            payer_identification=payer.identification,
        )


class FeeBody(_Body):
    rate: Decimal = Field(ge=0, le=100)
    release_days: int = Field(default=0, ge=0, le=365)


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
        seller = state.create_seller(
            the_site.id.value, nickname=body.nickname, test_user=body.test_user
        )
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
    payment, mo = pay(state, body.selector(), body.request())
    content = {"payment": render_payment(state, payment), "merchant_order": render_mo(state, mo)}
    return JSONResponse(status_code=201, content=content)


@router.get("/test_cards")
async def list_test_cards(site_id: str = "MLA") -> dict[str, Any]:
    """The site's published test cards, the cardholder names that pick outcomes, the methods."""
    try:
        the_site = site(site_id)
    except UnknownSiteError as exc:
        raise ControlError(400, "invalid_site_id", str(exc)) from None
    sid = the_site.id.value
    return {
        "site_id": sid,
        "cards": [asdict(c) for c in catalog.cards(sid)],
        "cardholders": [
            {
                "name": h.name,
                "status": h.status.value,
                "status_detail": h.status_detail,
                "description": h.description,
            }
            for h in catalog.holders()
        ],
        "payment_methods": [asdict(m) for m in catalog.methods(sid)],
    }


@router.get("/fees")
async def get_fees(state: StateDep) -> dict[str, Any]:
    """The fee in force per ``SITE:payment_type_id`` (defaults from the data file + overrides)."""
    out: dict[str, Any] = {}
    for sid in SITES:
        for m in {m.payment_type_id for m in catalog.methods(sid.value)}:
            fee = catalog.fee(sid.value, m, state.fee_overrides)
            out[f"{sid.value}:{m}"] = {"rate": str(fee.rate), "release_days": fee.release_days}
    return out


@router.put("/fees/{key}")
async def put_fee(key: str, body: FeeBody, state: StateDep) -> dict[str, Any]:
    """Override one fee, ``key`` = ``SITE:payment_type_id`` (e.g. ``MLA:credit_card``)."""
    sid, _, payment_type = key.partition(":")
    if sid.upper() not in {s.value for s in SITES} or not payment_type:
        raise ControlError(400, "bad_request", "the key is SITE:payment_type_id")
    with state.lock:
        state.fee_overrides[f"{sid.upper()}:{payment_type}"] = catalog.Fee(
            body.rate, body.release_days
        )
    return {"rate": str(body.rate), "release_days": body.release_days}


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
