"""The pure sale rules: transition table, projection, merging stale facts, order independence."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mpqr.seller.sales.rules import (
    ALLOWED,
    Alert,
    OrderFact,
    OrderState,
    PaymentFact,
    SaleStatus,
    can_transition,
    merge_order,
    merge_payment,
    project,
)
from mpqr.statuses import PaymentStatus

D = Decimal
TOTAL = D("100")
OPEN = OrderFact("mo1", "opened", OrderState.OPEN, TOTAL)
CLOSED = OrderFact("mo1", "closed", OrderState.CLOSED, TOTAL)
GONE = OrderFact("mo1", "expired", OrderState.GONE, TOTAL)


def pay(
    pid: str, status: str = "approved", amount: str = "100", refunded: str = "0"
) -> PaymentFact:
    return PaymentFact(pid, PaymentStatus(status), D(amount), refunded_amount=D(refunded))


def test_transition_table() -> None:
    assert ALLOWED[SaleStatus.PENDING] == {
        SaleStatus.PAID,
        SaleStatus.CANCELLED,
        SaleStatus.EXPIRED,
    }
    assert ALLOWED[SaleStatus.PAID] == {SaleStatus.REFUNDED, SaleStatus.PARTIALLY_REFUNDED}
    assert ALLOWED[SaleStatus.PARTIALLY_REFUNDED] == {SaleStatus.REFUNDED}
    for final in (SaleStatus.REFUNDED, SaleStatus.CANCELLED, SaleStatus.EXPIRED):
        assert ALLOWED[final] == frozenset()
    assert not can_transition(SaleStatus.PAID, SaleStatus.PENDING)
    assert set(ALLOWED) == set(SaleStatus)


def test_opened_never_pays() -> None:
    p = project(SaleStatus.PENDING, TOTAL, [pay("1")], [OPEN])
    assert p.status is SaleStatus.PENDING


def test_closed_and_covered_pays() -> None:
    p = project(SaleStatus.PENDING, TOTAL, [pay("1")], [CLOSED])
    assert p.status is SaleStatus.PAID
    assert p.paid_amount == TOTAL
    assert p.path == (SaleStatus.PAID,)


def test_closed_but_not_covered_stays_pending() -> None:
    p = project(SaleStatus.PENDING, TOTAL, [pay("1", amount="40")], [CLOSED])
    assert p.status is SaleStatus.PENDING
    assert p.alerts == (Alert.PARTIALLY_PAID,)


def test_rejected_counts_nothing() -> None:
    p = project(SaleStatus.PENDING, TOTAL, [pay("1", "rejected")], [OPEN])
    assert p.status is SaleStatus.PENDING
    assert p.paid_amount == 0
    assert p.alerts == ()


def test_overpaid() -> None:
    p = project(SaleStatus.PENDING, TOTAL, [pay("1", amount="150")], [CLOSED])
    assert p.status is SaleStatus.PAID
    assert Alert.OVERPAID in p.alerts


def test_amount_mismatch() -> None:
    other = OrderFact("mo2", "opened", OrderState.OPEN, D("90"))
    assert Alert.AMOUNT_MISMATCH in project(SaleStatus.PENDING, TOTAL, [], [other]).alerts


@pytest.mark.parametrize(
    ("status", "alert"),
    [
        (SaleStatus.CANCELLED, Alert.PAID_AFTER_CANCEL),
        (SaleStatus.EXPIRED, Alert.PAID_AFTER_EXPIRY),
    ],
)
def test_paid_after_end(status: SaleStatus, alert: Alert) -> None:
    p = project(status, TOTAL, [pay("1")], [CLOSED])
    assert p.status is status
    assert p.alerts == (alert,)


def test_refunds() -> None:
    partial = project(SaleStatus.PAID, TOTAL, [pay("1", refunded="30")], [CLOSED])
    assert partial.status is SaleStatus.PARTIALLY_REFUNDED
    assert partial.refunded_amount == D("30")
    full = project(SaleStatus.PARTIALLY_REFUNDED, TOTAL, [pay("1", "refunded")], [CLOSED])
    assert full.status is SaleStatus.REFUNDED
    assert full.refunded_amount == TOTAL
    straight = project(SaleStatus.PENDING, TOTAL, [pay("1", "refunded")], [CLOSED])
    assert straight.path == (SaleStatus.PAID, SaleStatus.REFUNDED)


def test_merge_never_moves_back() -> None:
    approved = pay("1")
    assert merge_payment(approved, pay("1", "pending")) == approved
    assert merge_payment(pay("1", "pending"), approved) == approved
    refunded = merge_payment(pay("1", refunded="10"), pay("1"))
    assert refunded.refunded_amount == D("10")
    assert merge_order(CLOSED, OPEN) == CLOSED
    assert merge_order(OPEN, CLOSED) == CLOSED


# Five notifications of one sale's life, as facts fetched at different moments.
SNAPSHOTS: list[tuple[list[OrderFact], list[PaymentFact]]] = [
    ([OPEN], []),
    ([OPEN], [pay("p1", "rejected")]),
    ([OPEN], [pay("p1", "rejected"), pay("p2", "pending")]),
    ([CLOSED], [pay("p1", "rejected"), pay("p2", "approved")]),
    ([CLOSED], [pay("p1", "rejected"), pay("p2", "approved")]),
]


def replay(order: tuple[int, ...]) -> tuple[SaleStatus, Decimal, tuple[Alert, ...]]:
    pays: dict[str, PaymentFact] = {}
    mos: dict[str, OrderFact] = {}
    status = SaleStatus.PENDING
    alerts: tuple[Alert, ...] = ()
    for i in order:
        orders, payments = SNAPSHOTS[i]
        for o in orders:
            mos[o.id] = merge_order(mos.get(o.id), o)
        for p in payments:
            pays[p.id] = merge_payment(pays.get(p.id), p)
        proj = project(status, TOTAL, pays.values(), mos.values(), alerts)
        status, alerts = proj.status, proj.alerts
    return status, proj.paid_amount, alerts


def test_every_permutation_gives_the_same_end() -> None:
    ends = {replay(perm) for perm in itertools.permutations(range(len(SNAPSHOTS)))}
    assert ends == {(SaleStatus.PAID, TOTAL, ())}


@given(st.lists(st.integers(0, len(SNAPSHOTS) - 1), min_size=1, max_size=12))
def test_duplicates_and_reordering(seq: list[int]) -> None:
    end = replay((*seq, 3))
    assert end == (SaleStatus.PAID, TOTAL, ())


def test_opening_moves_only_by_the_create_or_recovery() -> None:
    assert ALLOWED[SaleStatus.OPENING] == {
        SaleStatus.PENDING,
        SaleStatus.FAILED,
        SaleStatus.CANCELLED,
    }
    assert ALLOWED[SaleStatus.FAILED] == frozenset()
    # facts never move an opening sale by themselves: the create's outcome decides first
    assert project(SaleStatus.OPENING, TOTAL, [pay("1")], [CLOSED]).status is SaleStatus.OPENING


def test_an_order_mercado_pago_shows_gone_ends_a_pending_sale() -> None:
    assert project(SaleStatus.PENDING, TOTAL, [], [GONE]).path == (SaleStatus.EXPIRED,)
    cancelling = project(SaleStatus.PENDING, TOTAL, [], [GONE], (), SaleStatus.CANCELLED)
    assert cancelling.status is SaleStatus.CANCELLED
    # a second merchant order still open (a new scan) keeps the sale pending
    other = OrderFact("mo2", "opened", OrderState.OPEN, TOTAL)
    assert project(SaleStatus.PENDING, TOTAL, [], [GONE, other]).status is SaleStatus.PENDING
    assert merge_order(GONE, OPEN) == GONE  # a stale fetch never revives it
