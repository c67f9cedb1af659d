"""Parsing every notification form of mp-api §11 (and §6 for the Orders API topic)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mpqr.errors import NotificationError, SignatureError
from mpqr.notifications import (
    Form,
    Notification,
    ResourceRef,
    Topic,
    parse_notification,
    resource_to_fetch,
    signature_header,
    verify_notification,
)

MO_URL_BODY = b'{"resource":"https://api.mercadolibre.com/merchant_orders/36127019344","topic":"merchant_order"}'
PAYMENT_IPN_BODY = b'{"resource":"135859802741","topic":"payment"}'
PAYMENT_WEBHOOK = {
    "id": 12345,
    "live_mode": True,
    "type": "payment",
    "date_created": "2015-03-25T10:04:58.396-04:00",
    "user_id": 44444,
    "api_version": "v1",
    "action": "payment.created",
    "data": {"id": "999999999"},
}
MO_WEBHOOK = {
    "action": "update",
    "application_id": "7910800073137785",
    "data": {"currency_id": "", "marketplace": "NONE", "status": "closed"},
    "date_created": "2024-10-06T17:42:13.510-04:00",
    "id": "23603350837",
    "live_mode": False,
    "status": "closed",
    "type": "topic_merchant_order_wh",
    "user_id": 2012037660,
    "version": 1,
}
ORDER_WEBHOOK = {
    "action": "order.processed",
    "api_version": "v1",
    "application_id": "1234",
    "date_created": "2025-08-21T19:35:00.000Z",
    "id": "124601960839",
    "live_mode": False,
    "type": "order",
    "user_id": "2222",
    "data": {"id": "ORD01K371WBFDS4MD9JG0K8ZMECBE", "status": "processed", "version": 3},
}
HEADERS = {
    "X-Request-Id": "a1b2c3",
    "X-Signature": "ts=1,v1=ab",
    "Content-Type": "application/json",
}


def body(obj: object) -> bytes:
    return json.dumps(obj).encode()


def post(query: str, payload: bytes = b"", headers: dict[str, str] | None = None) -> Notification:
    return parse_notification("POST", query, HEADERS if headers is None else headers, payload)


# --- IPN


def test_ipn_merchant_order_query_and_url_body() -> None:
    n = post("topic=merchant_order&id=36127019344", MO_URL_BODY)
    assert (n.form, n.topic, n.raw_topic) == (Form.IPN, Topic.MERCHANT_ORDER, "merchant_order")
    assert n.resource_id == "36127019344"
    assert (n.action, n.live_mode, n.user_id) == (None, None, None)
    assert n.request_id == "a1b2c3"
    assert n.signature_header == "ts=1,v1=ab"
    assert n.raw_query == "topic=merchant_order&id=36127019344"
    assert n.raw_body == MO_URL_BODY
    assert resource_to_fetch(n) == ResourceRef(
        "merchant_order", "36127019344", "/merchant_orders/36127019344"
    )


def test_ipn_payment_with_empty_body_and_leading_question_mark() -> None:
    n = post("?topic=payment&id=135859802741")
    assert (n.topic, n.resource_id) == (Topic.PAYMENT, "135859802741")
    assert resource_to_fetch(n).path == "/v1/payments/135859802741"


def test_ipn_from_body_only() -> None:
    n = post("", MO_URL_BODY)
    assert (n.form, n.topic, n.resource_id) == (Form.IPN, Topic.MERCHANT_ORDER, "36127019344")
    n = post("", PAYMENT_IPN_BODY)
    assert (n.topic, n.resource_id) == (Topic.PAYMENT, "135859802741")


def test_ipn_query_wins_over_body() -> None:
    n = post("topic=payment&id=1", MO_URL_BODY)
    assert (n.topic, n.resource_id) == (Topic.PAYMENT, "1")


def test_ipn_query_as_mapping_and_headers_any_case() -> None:
    n = parse_notification(
        "post", {"topic": "merchant_order", "id": "5"}, {"x-REQUEST-id": "r9"}, b""
    )
    assert (n.resource_id, n.request_id, n.signature_header) == ("5", "r9", None)
    assert n.raw_query == "topic=merchant_order&id=5"


def test_seller_query_parameters_are_tolerated() -> None:
    # notification_url="https://shop/notify?sale=9&id=own" : MP appends its parameters after the
    # seller's, so the last value of a repeated key is Mercado Pago's.
    n = post("sale=9&id=own&topic=merchant_order&id=36127019344")
    assert (n.form, n.resource_id) == (Form.IPN, "36127019344")
    n = post("sale=9", MO_URL_BODY)
    assert (n.form, n.resource_id) == (Form.IPN, "36127019344")
    n = post("source_news=webhooks&data.id=999999999&type=payment", body(PAYMENT_WEBHOOK))
    assert (n.form, n.resource_id) == (Form.WEBHOOK, "999999999")
    n = post("source_news=webhooks", body(MO_WEBHOOK))
    assert (n.form, n.resource_id) == (Form.WEBHOOK, "23603350837")


def test_ipn_topic_only_in_body() -> None:
    n = post("id=5", b'{"topic": "payment"}')
    assert (n.form, n.topic, n.resource_id) == (Form.IPN, Topic.PAYMENT, "5")


def test_ipn_other_topic_is_kept_but_not_fetched() -> None:
    n = post("topic=chargebacks&id=77")
    assert (n.topic, n.raw_topic) == (Topic.OTHER, "chargebacks")
    with pytest.raises(NotificationError, match=r"nothing to fetch.*chargebacks"):
        resource_to_fetch(n)


# --- Webhooks


def test_webhook_payment() -> None:
    n = post("data.id=999999999&type=payment", body(PAYMENT_WEBHOOK))
    assert (n.form, n.topic, n.resource_id) == (Form.WEBHOOK, Topic.PAYMENT, "999999999")
    assert (n.action, n.live_mode, n.user_id) == ("payment.created", True, "44444")
    assert (n.notification_id, n.api_version) == ("12345", "v1")
    assert n.date_created == "2015-03-25T10:04:58.396-04:00"
    assert (n.query_data_id, n.body_data_id) == ("999999999", "999999999")
    assert resource_to_fetch(n).path == "/v1/payments/999999999"


def test_webhook_payment_body_only() -> None:
    n = post("", body(PAYMENT_WEBHOOK))
    assert (n.form, n.resource_id, n.query_data_id) == (Form.WEBHOOK, "999999999", None)


def test_webhook_merchant_order_uses_top_level_id() -> None:
    n = post("data.id=23603350837&type=topic_merchant_order_wh", body(MO_WEBHOOK))
    assert (n.topic, n.raw_topic) == (Topic.MERCHANT_ORDER, "topic_merchant_order_wh")
    assert n.resource_id == "23603350837"
    assert (n.action, n.status, n.version, n.live_mode) == ("update", "closed", 1, False)
    assert n.body_data_id is None
    assert resource_to_fetch(n).path == "/merchant_orders/23603350837"
    # Without the query string too:
    assert post("", body(MO_WEBHOOK)).resource_id == "23603350837"


def test_webhook_order_api() -> None:
    n = post("data.id=ORD01K371WBFDS4MD9JG0K8ZMECBE&type=order", body(ORDER_WEBHOOK))
    assert (n.topic, n.resource_id) == (Topic.ORDER, "ORD01K371WBFDS4MD9JG0K8ZMECBE")
    assert (n.action, n.status, n.version, n.user_id) == ("order.processed", "processed", 3, "2222")
    ref = resource_to_fetch(n)
    assert ref == ResourceRef(
        "order", "ORD01K371WBFDS4MD9JG0K8ZMECBE", "/v1/orders/ORD01K371WBFDS4MD9JG0K8ZMECBE"
    )


def test_webhook_query_only() -> None:
    n = post("data.id=1&type=payment")
    assert (n.form, n.resource_id, n.action, n.notification_id) == (Form.WEBHOOK, "1", None, None)


# --- dedupe keys


def test_identical_deliveries_give_equal_keys() -> None:
    a = post("data.id=999999999&type=payment", body(PAYMENT_WEBHOOK))
    b = post("data.id=999999999&type=payment", body(PAYMENT_WEBHOOK), {"x-request-id": "other"})
    assert a.dedupe_key == b.dedupe_key == "webhook:payment:999999999:payment.created:n12345"
    c = post("topic=merchant_order&id=36127019344", MO_URL_BODY)
    d = post("topic=merchant_order&id=36127019344")
    assert c.dedupe_key == d.dedupe_key == "ipn:merchant_order:36127019344"


def test_ipn_and_webhook_of_one_change_differ() -> None:
    ipn = post("topic=payment&id=999999999")
    wh = post("data.id=999999999&type=payment", body(PAYMENT_WEBHOOK))
    assert ipn.dedupe_key != wh.dedupe_key


def test_merchant_order_versions_differ() -> None:
    opened = {**MO_WEBHOOK, "action": "create", "status": "opened", "version": 0}
    a = post("", body(opened))
    b = post("", body(MO_WEBHOOK))
    assert a.dedupe_key == "webhook:topic_merchant_order_wh:23603350837:create:v0"
    assert b.dedupe_key == "webhook:topic_merchant_order_wh:23603350837:update:v1"


def test_payment_update_events_differ_by_notification_id() -> None:
    first = {**PAYMENT_WEBHOOK, "action": "payment.updated", "id": 1}
    second = {**PAYMENT_WEBHOOK, "action": "payment.updated", "id": 2}
    assert post("", body(first)).dedupe_key != post("", body(second)).dedupe_key


# --- malformed input


@pytest.mark.parametrize(
    ("method", "query", "payload", "message"),
    [
        ("GET", "topic=payment&id=1", b"", "POSTed"),
        ("POST", "", b"", "not a Mercado Pago notification"),
        ("POST", "foo=bar", b"", "not a Mercado Pago notification"),
        ("POST", "topic=merchant_order", b"", "no resource id"),
        ("POST", "id=1", b"", "no topic"),
        ("POST", "topic=payment&id=12a", b"", "must be numeric"),
        ("POST", "topic=merchant_order&id=-1", b"", "must be numeric"),
        ("POST", "topic=nonsense&id=1", b"", "unknown notification topic 'nonsense'"),
        ("POST", "type=payment", b"", "no resource id"),
        ("POST", "data.id=1", b"", "has no type"),
        ("POST", "data.id=ORD-1&type=order", b"", "must be alphanumeric"),
        ("POST", "topic=payment&id=" + "1" * 65, b"", "longer than 64"),
        ("POST", "", b"{not json", "not valid JSON"),
        ("POST", "", b"[1, 2]", "must be a JSON object"),
        ("POST", "", b"\xff\xfe", "not valid JSON"),
        ("POST", "data.id=1&type=payment", b'{"data": {"id": "2"}}', "ids disagree"),
        ("POST", "", b'{"type": "order", "data": {"id": "ORD 1"}}', "must be alphanumeric"),
        ("POST", "", b'{"type": "topic_merchant_order_wh", "version": "x", "id": 1}', "version"),
    ],
)
def test_malformed(method: str, query: str, payload: bytes, message: str) -> None:
    with pytest.raises(NotificationError, match=message):
        parse_notification(method, query, {}, payload)


def test_error_messages_truncate_hostile_values() -> None:
    with pytest.raises(NotificationError) as info:
        post("topic=" + "x" * 5000 + "&id=1")
    assert len(str(info.value)) < 200


# --- signature of a parsed notification


def test_verify_notification_uses_query_data_id() -> None:
    headers = {
        "x-request-id": "req-7",
        "x-signature": signature_header("s", data_id="ORD01ABC", request_id="req-7", ts=1700000000),
    }
    n = parse_notification(
        "POST", "data.id=ORD01ABC&type=order", headers, body({**ORDER_WEBHOOK, "data": {}})
    )
    verify_notification(n, "s")
    verify_notification(n, ["old", "s"], tolerance_seconds=10, now=1700000005)
    with pytest.raises(SignatureError, match="does not match"):
        verify_notification(n, "wrong")
    with pytest.raises(SignatureError, match="away from now"):
        verify_notification(n, "s", tolerance_seconds=10, now=1700000100)


def test_verify_notification_falls_back_to_body_data_id() -> None:
    headers = {"x-signature": signature_header("s", data_id="42", request_id=None, ts=5)}
    n = parse_notification("POST", "", headers, body({**PAYMENT_WEBHOOK, "data": {"id": "42"}}))
    verify_notification(n, "s")


def test_unsigned_ipn_fails_verification() -> None:
    n = post("topic=merchant_order&id=1", headers={})
    with pytest.raises(SignatureError, match="missing"):
        verify_notification(n, "s")


# --- robustness


_keys = st.sampled_from(["topic", "id", "type", "data.id", "source_news", "x"])
_scalars = st.one_of(st.text(max_size=12), st.integers(), st.booleans(), st.none())
_bodies = st.one_of(
    st.binary(max_size=40),
    st.dictionaries(
        st.sampled_from(["id", "type", "topic", "resource", "action", "data", "version"]),
        st.one_of(_scalars, st.dictionaries(st.sampled_from(["id", "status"]), _scalars)),
    ).map(lambda d: json.dumps(d).encode()),
)


@given(st.dictionaries(_keys, st.text(max_size=12)), _bodies)
def test_any_input_parses_or_raises_notification_error(query: dict[str, str], raw: bytes) -> None:
    try:
        n = parse_notification("POST", query, {}, raw)
    except NotificationError:
        return
    assert n.resource_id
    assert n.dedupe_key.startswith(n.form.value + ":")
