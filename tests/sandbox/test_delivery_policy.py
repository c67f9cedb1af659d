"""The pure parts of delivery: host refusal, the retry schedule's state changes, lanes and the
reorder hold, URL handling."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mpqr.sandbox.delivery.forms import append_query, normalise_url, wanted_forms
from mpqr.sandbox.delivery.lanes import MAX_SLEEP, Lanes
from mpqr.sandbox.delivery.model import ALLOWED, Delivery, DeliveryState, Form
from mpqr.sandbox.delivery.policy import apply_outcome, refusal
from mpqr.sandbox.events import Notice
from mpqr.sandbox.faults import NotificationDecision

T0 = datetime(2026, 3, 1, tzinfo=UTC)


def delivery(
    did: int, lane: str = "http://127.0.0.1:1/n", at: datetime = T0, resource: str = "1"
) -> Delivery:
    return Delivery(
        id=did,
        seller_id=1,
        notification_url=lane,
        url=lane,
        form=Form.IPN,
        topic="merchant_order",
        type="merchant_order",
        resource_id=resource,
        action="create",
        query={"topic": "merchant_order", "id": resource},
        body={},
        signed=False,
        created_at=at,
        next_attempt_at=at,
    )


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("http://127.0.0.1:8000/n", True),
        ("http://127.200.1.1/n", True),
        ("http://localhost/n", True),
        ("http://LOCALHOST:9/n", True),
        ("http://[::1]:80/n", True),
        ("https://www.yourserver.com/n", False),
        ("http://10.0.0.1/n", False),
        ("http://0.0.0.0/n", False),
        ("http://localhost.evil.com/n", False),
        ("http://[::2]/n", False),
        ("file:///etc/passwd", False),
    ],
)
def test_refusal(url: str, allowed: bool) -> None:
    assert (refusal(url, ()) is None) is allowed


def test_allow_hosts_are_case_insensitive_and_exact() -> None:
    assert refusal("http://Seller.Test/n", ["seller.test"]) is None
    assert refusal("http://sub.seller.test/n", ["seller.test"]) is not None


def test_schedule_counts_from_the_first_send() -> None:
    d = delivery(1)
    schedule = (30.0, 300.0)
    apply_outcome(d, ok=False, manual=False, at=T0, schedule=schedule)
    assert d.next_attempt_at == T0 + timedelta(seconds=30)
    late = T0 + timedelta(seconds=100)  # retry ran late: the next one still counts from T0
    apply_outcome(d, ok=False, manual=False, at=late, schedule=schedule)
    assert d.next_attempt_at == T0 + timedelta(seconds=300)
    apply_outcome(d, ok=False, manual=False, at=late, schedule=schedule)
    assert d.state is DeliveryState.FAILED
    assert d.next_attempt_at is None


def test_manual_attempt_does_not_consume_the_schedule() -> None:
    d = delivery(1)
    apply_outcome(d, ok=False, manual=False, at=T0, schedule=(30.0,))
    apply_outcome(d, ok=False, manual=True, at=T0, schedule=(30.0,))
    assert d.state is DeliveryState.PENDING
    assert d.scheduled_attempts == 1
    apply_outcome(d, ok=True, manual=True, at=T0, schedule=(30.0,))
    assert d.state is DeliveryState.DELIVERED


def test_transition_table() -> None:
    assert ALLOWED[DeliveryState.DELIVERED] == {DeliveryState.PENDING}
    d = delivery(1)
    d.move_to(DeliveryState.DELIVERED)
    with pytest.raises(ValueError, match="not allowed"):
        d.move_to(DeliveryState.FAILED)


def no_fault(d: Delivery) -> NotificationDecision:
    return NotificationDecision()


def test_one_in_flight_per_lane_in_id_order() -> None:
    lanes = Lanes(max_in_flight=10, reorder_hold=1.0)
    ds = [delivery(3), delivery(1), delivery(2, lane="http://127.0.0.1:2/n")]
    picked = [d.id for d, _ in lanes.pick(ds, T0, 0.0, no_fault)]
    assert picked == [1, 2]
    assert lanes.pick(ds, T0, 0.0, no_fault) == []
    ds[1].move_to(DeliveryState.DELIVERED)
    lanes.finish(ds[1])
    assert [d.id for d, _ in lanes.pick(ds, T0, 0.0, no_fault)] == [3]


def test_a_lane_is_one_resource_at_one_url() -> None:
    lanes = Lanes(max_in_flight=10, reorder_hold=1.0)
    ds = [delivery(1), delivery(2, resource="2"), delivery(3), delivery(4, resource="2")]
    assert [d.id for d, _ in lanes.pick(ds, T0, 0.0, no_fault)] == [1, 2]
    ds[1].move_to(DeliveryState.DELIVERED)
    lanes.finish(ds[1])
    assert [d.id for d, _ in lanes.pick(ds, T0, 0.0, no_fault)] == [4]


def test_in_flight_bound() -> None:
    lanes = Lanes(max_in_flight=2, reorder_hold=1.0)
    ds = [delivery(i, lane=f"http://127.0.0.1:{i}/n") for i in range(1, 6)]
    assert len(lanes.pick(ds, T0, 0.0, no_fault)) == 2


def test_not_due_is_not_picked_and_sets_the_pause() -> None:
    lanes = Lanes(max_in_flight=2, reorder_hold=1.0)
    later = delivery(1, at=T0 + timedelta(seconds=0.25))
    assert lanes.pick([later], T0, 0.0, no_fault) == []
    assert lanes.pause([later], T0, 0.0) == pytest.approx(0.25)
    assert lanes.pause([], T0, 0.0) == MAX_SLEEP


def test_reorder_holds_until_overtaken_or_timeout() -> None:
    lanes = Lanes(max_in_flight=10, reorder_hold=1.0)
    first, second = delivery(1), delivery(2)

    def reorder_first(d: Delivery) -> NotificationDecision:
        return NotificationDecision(reorder=d.id == 1)

    assert [d.id for d, _ in lanes.pick([first, second], T0, 0.0, reorder_first)] == [2]
    assert lanes.busy
    second.move_to(DeliveryState.DELIVERED)
    lanes.finish(second)
    assert [d.id for d, _ in lanes.pick([first], T0, 0.0, reorder_first)] == [1]

    alone = Lanes(max_in_flight=10, reorder_hold=1.0)
    assert alone.pick([first], T0, 0.0, reorder_first) == []
    assert alone.pause([first], T0, 0.0) == pytest.approx(1.0)
    assert alone.pick([first], T0, 0.5, reorder_first) == []
    assert [d.id for d, _ in alone.pick([first], T0, 1.0, reorder_first)] == [1]


def test_urls() -> None:
    assert normalise_url(" www.yourserver.com/n ") == "http://www.yourserver.com/n"
    assert normalise_url("https://a.b/n") == "https://a.b/n"
    assert append_query("http://a/n?x=1#frag", {"data.id": "5", "type": "payment"}) == (
        "http://a/n?x=1&data.id=5&type=payment"
    )
    assert append_query("http://a:1", {"id": "1"}) == "http://a:1/?id=1"


@pytest.mark.parametrize(
    ("topic", "url", "forms"),
    [
        ("merchant_order", "http://h/n", [Form.IPN, Form.WEBHOOK]),
        ("payment", "http://h/n", [Form.WEBHOOK, Form.IPN]),
        ("payment", "http://h/n?source_news=WEBHOOKS", [Form.WEBHOOK]),
        ("merchant_order", "h/n?a=1&source_news=ipn", [Form.IPN]),
        ("order", "http://h/n?source_news=ipn", [Form.WEBHOOK]),
        ("order", "", []),
    ],
)
def test_wanted_forms(topic: str, url: str, forms: list[Form]) -> None:
    notice = Notice(
        seller_id=1,
        notification_url=url,
        topic=topic,  # type: ignore[arg-type]
        resource_id="1",
        action="x",
        at=T0,
    )
    assert wanted_forms(notice) == forms
