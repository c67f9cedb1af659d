"""Model-based test (E19): random sequences of orders, scans, payments, refunds, deletes and time.

Drives the state layer directly (no HTTP) on a frozen clock and checks, after every step, the
invariants of mp-api §9.1 and the transition tables: a merchant order is ``closed`` exactly when
its approved payments cover the total, refunds never exceed payments, terminal states never change,
and a POS shows at most one live order.
"""

from __future__ import annotations

import contextlib
from decimal import Decimal

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from mpqr.clock import FrozenClock
from mpqr.sandbox.customer import PayRequest, Selector, pay, scan, settle
from mpqr.sandbox.errors import SandboxError
from mpqr.sandbox.lifecycle import (
    PAYMENT_TRANSITIONS,
    LiveState,
    MOStatus,
    OrderKind,
    PaymentStatus,
)
from mpqr.sandbox.models import Item
from mpqr.sandbox.orders import create_instore, create_legacy, expire_due
from mpqr.sandbox.refunds import refund_payment
from mpqr.sandbox.slots import retire_pos_order
from mpqr.sandbox.state import SandboxState
from mpqr.sandbox.stores_pos import add_pos, add_store

STATUSES = st.sampled_from(
    [
        PaymentStatus.PENDING,
        PaymentStatus.APPROVED,
        PaymentStatus.REJECTED,
        PaymentStatus.IN_PROCESS,
    ]
)


class SandboxMachine(RuleBasedStateMachine):
    @initialize()
    def setup(self) -> None:
        self.clock = FrozenClock()
        self.state = SandboxState(clock=self.clock, seed=7)
        self.seller = self.state.create_seller("MLA")
        store = add_store(self.state, self.seller, {"name": "S", "external_id": "S1"})
        self.pos = [
            add_pos(
                self.state,
                self.seller,
                {"name": f"P{i}", "external_id": f"P{i}", "store_id": store.id},
            )
            for i in range(2)
        ]
        self.seen_status: dict[int, PaymentStatus] = {}
        self.seen_version: dict[int, int] = {}
        self.keys = 0

    @rule(which=st.integers(0, 1), amount=st.integers(1, 500), ttl=st.sampled_from([None, 60, 600]))
    def legacy_order(self, which: int, amount: int, ttl: int | None) -> None:
        item = Item(title="x", quantity=1, unit_price=Decimal(amount), currency_id="ARS")
        create_legacy(
            self.state,
            self.seller,
            self.pos[which],
            items=[item],
            body={},
            notification_url=None,
            ttl_seconds=ttl,
        )

    @rule(
        which=st.integers(0, 1),
        amount=st.integers(1, 500),
        kind=st.sampled_from([OrderKind.V2, OrderKind.HYBRID]),
    )
    def instore_order(self, which: int, amount: int, kind: OrderKind) -> None:
        item = Item(title="x", quantity=1, unit_price=Decimal(amount), currency_id="ARS")
        create_instore(
            self.state,
            self.seller,
            self.pos[which],
            kind=kind,
            body={"title": "t"},
            items=[item],
            total=Decimal(amount),
            expires_at=None,
        )

    @rule(which=st.integers(0, 1))
    def customer_scans(self, which: int) -> None:
        scan(self.state, Selector(pos_id=self.pos[which].id))

    @rule(
        which=st.integers(0, 1),
        status=STATUSES,
        amount=st.one_of(st.none(), st.integers(1, 600)),
        late=st.booleans(),
    )
    def customer_pays(
        self, which: int, status: PaymentStatus, amount: int | None, late: bool
    ) -> None:
        req = PayRequest(
            status=status, amount=None if amount is None else Decimal(amount), late=late
        )
        # refusals (waiting screen, closed order, late rules) are part of the model
        with contextlib.suppress(SandboxError):
            pay(self.state, Selector(pos_id=self.pos[which].id), req)

    @rule(data=st.data(), outcome=st.sampled_from([PaymentStatus.APPROVED, PaymentStatus.REJECTED]))
    def settle_one(self, data: st.DataObject, outcome: PaymentStatus) -> None:
        waiting = [
            p.id
            for p in self.state.data.payments.values()
            if p.status in (PaymentStatus.PENDING, PaymentStatus.IN_PROCESS)
        ]
        if waiting:
            settle(self.state, data.draw(st.sampled_from(waiting)), outcome)

    @rule(data=st.data(), amount=st.one_of(st.none(), st.integers(1, 600)))
    def refund_one(self, data: st.DataObject, amount: int | None) -> None:
        if not self.state.data.payments:
            return
        pid = data.draw(st.sampled_from(sorted(self.state.data.payments)))
        self.keys += 1
        with contextlib.suppress(SandboxError):
            refund_payment(self.state, self.state.data.payments[pid], amount, f"k{self.keys}")

    @rule(which=st.integers(0, 1))
    def seller_deletes(self, which: int) -> None:
        retire_pos_order(self.state, self.pos[which], LiveState.DELETED)

    @rule(seconds=st.sampled_from([1, 59, 61, 601]))
    def time_passes(self, seconds: int) -> None:
        self.clock.advance(seconds)
        expire_due(self.state)

    @invariant()
    def merchant_orders_follow_9_1(self) -> None:
        if not hasattr(self, "state"):
            return
        for mo in self.state.data.merchant_orders.values():
            view = self.state.mo_view(mo)
            assert (view.status is MOStatus.CLOSED) == (view.paid_amount >= mo.total_amount)
            assert view.refunded_amount <= view.paid_amount
            assert self.seen_version.get(mo.id, 0) <= mo.version
            self.seen_version[mo.id] = mo.version

    @invariant()
    def payments_move_along_the_table(self) -> None:
        if not hasattr(self, "state"):
            return
        for p in self.state.data.payments.values():
            assert Decimal(0) <= p.amount_refunded <= p.transaction_amount
            old = self.seen_status.get(p.id)
            assert old is None or old is p.status or p.status in PAYMENT_TRANSITIONS[old]
            self.seen_status[p.id] = p.status
            if p.status is PaymentStatus.REFUNDED:
                assert p.amount_refunded == p.transaction_amount

    @invariant()
    def one_live_order_per_pos(self) -> None:
        if not hasattr(self, "state"):
            return
        for pos in self.pos:
            live = [
                o
                for o in self.state.data.legacy_orders.values()
                if o.pos_id == pos.id and o.state is LiveState.LIVE
            ]
            live += [
                o
                for o in self.state.data.instore_orders.values()
                if o.pos_id == pos.id
                and o.state is LiveState.LIVE
                and o.kind is not OrderKind.DYNAMIC
            ]
            assert len(live) <= 1
            assert (pos.live_id is None) == (not live)


SandboxMachine.TestCase.settings = settings(
    max_examples=1000,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
TestSandboxMachine = SandboxMachine.TestCase
