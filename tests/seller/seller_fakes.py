"""A fake Mercado Pago behind the seller's Gateway interface (a boundary the seller owns).

It keeps orders per cashbox, merchant orders with payments, and refunds, and answers ``fetch`` and
``find`` from that state the way the real gateway maps Mercado Pago's answers. ``fail_with`` makes
the next calls raise an UpstreamError (Mercado Pago down).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from mpqr.notifications import ResourceRef
from mpqr.seller.errors import UpstreamError
from mpqr.seller.gateway import OrderRequest, PosInfo, TakenOff
from mpqr.seller.sales.rules import ZERO, Evidence, OrderFact, OrderState, PaymentFact
from mpqr.statuses import PaymentStatus


@dataclass
class FakeMO:
    id: str
    external_reference: str
    total: Decimal
    payments: list[PaymentFact] = field(default_factory=list)

    @property
    def paid(self) -> Decimal:
        return sum((p.amount for p in self.payments if p.status is PaymentStatus.APPROVED), ZERO)

    @property
    def status(self) -> str:
        return "closed" if self.paid >= self.total else "opened"

    def evidence(self) -> Evidence:
        state = OrderState.CLOSED if self.status == "closed" else OrderState.OPEN
        fact = OrderFact(self.id, self.status, state, self.total)
        return Evidence(self.external_reference, (fact,), tuple(self.payments))


class FakeGateway:
    def __init__(self, currency: str = "ARS") -> None:
        self.currency = currency
        self.on_pos: dict[str, OrderRequest] = {}
        self.orders: list[OrderRequest] = []
        self.deleted: list[str] = []
        self.mos: dict[str, FakeMO] = {}
        self.refunds: list[tuple[str, Decimal, str]] = []
        self.pos: dict[str, PosInfo] = {}
        self.fail_with: int | None = None
        self.fail_definite = False  # True: "Mercado Pago answered 4xx" (certainly not done)
        self.explode = False  # a bug: the next calls raise RuntimeError
        self.calls: list[str] = []
        self._next = 1000

    def _call(self, name: str) -> None:
        self.calls.append(name)
        if self.explode:
            raise RuntimeError(f"a bug in the fake ({name})")
        if self.fail_with is not None:
            raise UpstreamError(
                self.fail_with, f"fake Mercado Pago is down ({name})", definite=self.fail_definite
            )

    def _id(self) -> str:
        self._next += 1
        return str(self._next)

    # --- the Gateway protocol

    async def currency_id(self) -> str:
        return self.currency

    async def put_order(self, cashbox: str, store: str, order: OrderRequest) -> str | None:
        self._call("put_order")
        self.on_pos[cashbox] = order
        self.orders.append(order)
        return f"pref-{order.external_reference}"

    async def delete_order(self, cashbox: str, mp_order_id: str | None) -> None:
        self._call("delete_order")
        self.on_pos.pop(cashbox, None)
        self.deleted.append(cashbox)

    async def find(self, external_reference: str, mp_order_id: str | None) -> Evidence:
        self._call("find")
        parts = [mo.evidence() for mo in self.mos.values()]
        mine = [e for e in parts if e.external_reference == external_reference]
        return Evidence(
            external_reference,
            tuple(o for e in mine for o in e.orders),
            tuple(p for e in mine for p in e.payments),
        )

    async def fetch(self, ref: ResourceRef) -> Evidence:
        self._call("fetch")
        if ref.kind == "merchant_order" and ref.id in self.mos:
            return self.mos[ref.id].evidence()
        for mo in self.mos.values():
            if any(p.id == ref.id for p in mo.payments):
                return mo.evidence()
        raise UpstreamError(502, "Mercado Pago answered 404", definite=True, mp_status=404)

    async def refund(
        self, payment_id: str, amount: Decimal, key: str, mp_order_id: str | None
    ) -> None:
        self._call("refund")
        if any(k == key for _, _, k in self.refunds):
            return  # idempotent at "Mercado Pago" too
        self.refunds.append((payment_id, amount, key))
        for mo in self.mos.values():
            for i, p in enumerate(mo.payments):
                if p.id == payment_id:
                    refunded = p.refunded_amount + amount
                    status = PaymentStatus.REFUNDED if refunded >= p.amount else p.status
                    mo.payments[i] = PaymentFact(
                        p.id, status, p.amount, status.value, refunded, p.merchant_order_id
                    )

    async def create_store(self, external_id: str, name: str, location: dict[str, Any]) -> str:
        self._call("create_store")
        return self._id()

    async def create_pos(
        self, external_id: str, name: str, store_external_id: str, mp_store_id: str | None
    ) -> PosInfo:
        self._call("create_pos")
        info = PosInfo(self._id(), external_id, name, store_external_id, f"000201{external_id}")
        self.pos[external_id] = info
        return info

    async def list_pos(self) -> list[PosInfo]:
        self._call("list_pos")
        return list(self.pos.values())

    async def take_off(self, cashbox: str, store: str, order: OrderRequest) -> TakenOff:
        await self.delete_order(cashbox, None)
        return TakenOff(None, await self.find(order.external_reference, None))

    async def recent_payments(self, since: datetime) -> list[PaymentFact]:
        self._call("recent_payments")
        return [
            replace(p, external_reference=mo.external_reference, pos_id=None)
            for mo in self.mos.values()
            for p in mo.payments
        ]

    # --- the customer

    def scan(self, cashbox: str) -> FakeMO:
        order = self.on_pos[cashbox]
        mo = FakeMO(self._id(), order.external_reference, order.total_amount)
        self.mos[mo.id] = mo
        return mo

    def pay(
        self, mo: FakeMO, status: str = "approved", amount: Decimal | None = None
    ) -> PaymentFact:
        payment = PaymentFact(
            self._id(), PaymentStatus(status), amount or mo.total, status, ZERO, mo.id
        )
        mo.payments.append(payment)
        if mo.status == "closed":
            self.on_pos = {
                k: v
                for k, v in self.on_pos.items()
                if v.external_reference != mo.external_reference
            }
        return payment
