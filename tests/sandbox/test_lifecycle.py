"""The pure rules: transition tables and the merchant order status derivation of mp-api §9.1."""

from __future__ import annotations

from decimal import Decimal

import pytest

from mpqr.sandbox.lifecycle import (
    API_ORDER_TRANSITIONS,
    LIVE_TRANSITIONS,
    PAYMENT_TRANSITIONS,
    ApiOrderStatus,
    IllegalTransition,
    LiveState,
    MOOrderStatus,
    MOStatus,
    PaymentStatus,
    PaymentView,
    check_transition,
    derive_merchant_order,
)

A = PaymentStatus.APPROVED
R = PaymentStatus.REJECTED
P = PaymentStatus.PENDING
IP = PaymentStatus.IN_PROCESS
RF = PaymentStatus.REFUNDED
D = Decimal


@pytest.mark.parametrize(
    ("payments", "cancelled", "status", "order_status"),
    [
        ([], False, MOStatus.OPENED, MOOrderStatus.PAYMENT_REQUIRED),
        ([PaymentView(R, D(100))], False, MOStatus.OPENED, MOOrderStatus.PAYMENT_REQUIRED),
        ([PaymentView(P, D(100))], False, MOStatus.OPENED, MOOrderStatus.PAYMENT_IN_PROCESS),
        ([PaymentView(IP, D(100))], False, MOStatus.OPENED, MOOrderStatus.PAYMENT_IN_PROCESS),
        ([PaymentView(A, D(40))], False, MOStatus.OPENED, MOOrderStatus.PARTIALLY_PAID),
        (
            [PaymentView(A, D(40)), PaymentView(A, D(60))],
            False,
            MOStatus.CLOSED,
            MOOrderStatus.PAID,
        ),
        (
            [PaymentView(R, D(100)), PaymentView(A, D(100))],
            False,
            MOStatus.CLOSED,
            MOOrderStatus.PAID,
        ),
        ([PaymentView(A, D(150))], False, MOStatus.CLOSED, MOOrderStatus.PAID),
        ([PaymentView(RF, D(100), D(100))], False, MOStatus.CLOSED, MOOrderStatus.REVERTED),
        (
            [PaymentView(A, D(100), D(30))],
            False,
            MOStatus.CLOSED,
            MOOrderStatus.PARTIALLY_REVERTED,
        ),
        ([], True, MOStatus.EXPIRED, MOOrderStatus.EXPIRED),
        ([PaymentView(R, D(100))], True, MOStatus.EXPIRED, MOOrderStatus.EXPIRED),
        ([PaymentView(P, D(100))], True, MOStatus.OPENED, MOOrderStatus.PAYMENT_IN_PROCESS),
        ([PaymentView(A, D(100))], True, MOStatus.CLOSED, MOOrderStatus.PAID),
    ],
)
def test_merchant_order_derivation(
    payments: list[PaymentView], cancelled: bool, status: MOStatus, order_status: MOOrderStatus
) -> None:
    view = derive_merchant_order(D(100), payments, cancelled=cancelled)
    assert (view.status, view.order_status) == (status, order_status)


def test_paid_and_refunded_amounts() -> None:
    view = derive_merchant_order(
        D(100), [PaymentView(A, D(100), D(25)), PaymentView(R, D(100))], cancelled=False
    )
    assert (view.paid_amount, view.refunded_amount) == (D(100), D(25))


def test_transition_tables_allow_and_refuse() -> None:
    assert check_transition(PAYMENT_TRANSITIONS, P, A) is A
    assert (
        check_transition(LIVE_TRANSITIONS, LiveState.LIVE, LiveState.EXPIRED) is LiveState.EXPIRED
    )
    with pytest.raises(IllegalTransition, match="cannot go from rejected to approved"):
        check_transition(PAYMENT_TRANSITIONS, R, A)
    with pytest.raises(IllegalTransition):
        check_transition(API_ORDER_TRANSITIONS, ApiOrderStatus.PROCESSED, ApiOrderStatus.CANCELED)
    with pytest.raises(IllegalTransition):
        check_transition(LIVE_TRANSITIONS, LiveState.PAID, LiveState.LIVE)


def test_terminal_states_have_no_way_out() -> None:
    for status in (R, RF, PaymentStatus.CANCELLED):
        assert PAYMENT_TRANSITIONS[status] == frozenset()
    for api in (ApiOrderStatus.CANCELED, ApiOrderStatus.EXPIRED, ApiOrderStatus.REFUNDED):
        assert API_ORDER_TRANSITIONS[api] == frozenset()
