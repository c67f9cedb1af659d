"""The dashboard's pure parts: money, token masking, times, rows and the customer page's words."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from mpqr.i18n import Lang, choose
from mpqr.notifications import signature_header
from mpqr.sandbox.delivery.model import Attempt, Delivery, Form
from mpqr.sandbox.web.deliveries import delivery_rows
from mpqr.sandbox.web.i18n import strings
from mpqr.sandbox.web.views import (
    LIMIT,
    build_dashboard,
    format_money,
    items_summary,
    mask_token,
    short_time,
)


@pytest.mark.parametrize(
    ("value", "currency", "expected"),
    [
        (21, "ARS", "ARS 21.00"),
        ("1234.5", "BRL", "BRL 1,234.50"),
        (12345, "CLP", "CLP 12,345"),
        ("10.0", "COP", "COP 10"),
        ("x", "ARS", "ARS x"),
        (5, "XXX", "XXX 5"),
    ],
)
def test_format_money(value: object, currency: str, expected: str) -> None:
    assert format_money(value, currency) == expected


def test_mask_token_keeps_prefix_and_user_id_only() -> None:
    token = "APP_USR-8633005438261322-112726-283fefc63f0cd0e873a0000c6d07ef7b-244272509"
    masked = mask_token(token)
    assert masked == "APP_USR-8633…-244272509"
    assert "283fefc63f0cd0e873a0000c6d07ef7b" not in masked
    assert mask_token("short") == "…"
    assert mask_token("TEST-abcdefghijklmnopqrstuvwxyz") == "TEST-abcdefg…"


def test_short_time_and_items_summary() -> None:
    assert short_time("2026-11-27T05:40:42.770+00:00") == "2026-11-27 05:40:42"
    assert short_time(None) == ""
    assert items_summary([]) == ""
    assert items_summary([{"title": "Café"}]) == "Café"
    assert items_summary([{"title": "Café"}, {"title": "Té"}, {}]) == "Café (+2 more)"


def _dump(n_payments: int = 1) -> dict[str, Any]:
    seller = {
        "id": 7,
        "nickname": "NICK",
        "site_id": "MLC",
        "business_name": None,
        "access_token": "APP_USR-1234567890123456-010101-" + "a" * 32 + "-7",
    }
    pos = {
        "id": 11,
        "seller_id": 7,
        "name": "Caja",
        "external_id": "CAJA1",
        "store_id": 3,
        "uuid": "u" * 8,
        "live_kind": "legacy",
        "live_id": "7-abc",
    }
    payments = [
        {
            "id": 100 + i,
            "order": {"id": "55", "type": "mercadopago"},
            "status": "approved",
            "status_detail": "accredited",
            "transaction_amount": 1500,
            "transaction_amount_refunded": 0,
            "currency_id": "CLP",
            "refunds": [],
            "pos_id": "11",
            "date_created": f"2026-01-01T00:{i // 60:02d}:{i % 60:02d}.000+00:00",
        }
        for i in range(n_payments)
    ]
    return {
        "sellers": {"7": seller},
        "stores": {"3": {"id": 3, "seller_id": 7, "name": "Sucursal", "location": {}}},
        "pos": {"11": pos},
        "legacy_orders": {"7-abc": {"total_amount": "1500", "expires_at": "2026-01-01T00:10:00Z"}},
        "instore_orders": {},
        "api_orders": {},
        "merchant_orders": {"55": {"pos_id": 11, "source_kind": "legacy"}},
        "merchant_orders_view": [
            {
                "id": 55,
                "collector": {"id": 7},
                "status": "closed",
                "order_status": "paid",
                "total_amount": 1500,
                "paid_amount": 1500,
                "refunded_amount": 0,
                "items": [{"title": "Empanada"}],
                "date_created": "2026-01-01T00:00:00.000+00:00",
            }
        ],
        "payments_view": payments,
    }


def test_build_dashboard_rows() -> None:
    delivery = {
        "id": 1,
        "url": "http://127.0.0.1:1/n?topic=payment&id=100",
        "form": "ipn",
        "type": "payment",
        "resource_id": "100",
        "state": "failed",
        "attempts": [{"status_code": None, "error": "refused"}, {"status_code": 500}],
        "next_attempt_at": None,
    }
    board = build_dashboard(_dump(), [delivery])
    (pos,) = board.cashboxes
    assert pos.qr_image == "/qr/11/uuuuuuuu.png"
    assert pos.customer_url == "/customer/11"
    assert pos.store_name == "Sucursal"
    assert pos.live is not None
    assert (pos.live.kind, pos.live.total) == ("legacy", "CLP 1,500")
    assert pos.live.expires_at == "2026-01-01 00:10:00"
    (mo,) = board.merchant_orders
    assert (mo.status, mo.order_status, mo.total, mo.pos_id, mo.title) == (
        "closed",
        "paid",
        "CLP 1,500",
        11,
        "Empanada",
    )
    (d,) = board.deliveries
    assert (d.attempts, d.last_result, d.state) == (2, "HTTP 500", "failed")
    assert board.sellers[0].token_masked.endswith("…-7")


def test_build_dashboard_keeps_the_newest_rows() -> None:
    board = build_dashboard(_dump(n_payments=LIMIT + 5), [])
    assert len(board.payments) == LIMIT
    assert board.counts["payments"] == LIMIT + 5
    assert board.payments[0].id == 100 + LIMIT + 4  # newest first


def test_every_language_has_every_string() -> None:
    keys = set(strings(Lang.ES))
    for lang in Lang:
        assert set(strings(lang)) == keys
    assert choose("en", None, None) is Lang.EN
    assert choose("xx", None, None) is Lang.ES
    assert strings(Lang.PT)["reject"] == "Recusar"


def _delivery(signed: bool) -> dict[str, Any]:
    at = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)
    record = Delivery(
        id=4,
        seller_id=7,
        notification_url="http://127.0.0.1:1/n",
        url="http://127.0.0.1:1/n?data.id=100&type=payment",
        form=Form.WEBHOOK,
        topic="payment",
        type="payment",
        resource_id="100",
        action="payment.created",
        query={"data.id": "100", "type": "payment"},
        body={"action": "payment.created", "data": {"id": "100"}},
        signed=signed,
        created_at=at,
        attempts=[
            Attempt(
                at=at,
                status_code=500,
                latency_ms=3.2,
                error="status 500",
                request_id="r-1",
                response_excerpt="boom",
            ),
            Attempt(at=at + timedelta(seconds=1), error="dropped (fault injection)"),
            Attempt(at=at + timedelta(seconds=2), status_code=200, request_id="r-3", manual=True),
            Attempt(
                at=at + timedelta(seconds=2), status_code=200, request_id="r-4", duplicate=True
            ),
        ],
    )
    return record.to_dict()


def test_delivery_rows_show_every_attempt_with_the_headers_sent() -> None:
    (row,) = delivery_rows([_delivery(signed=True)], lambda seller_id: f"secret-{seller_id}")
    assert (row.attempts, row.last_result, row.action) == (4, "HTTP 200", "payment.created")
    assert json.loads(row.payload) == {"action": "payment.created", "data": {"id": "100"}}
    first, dropped, resend, copy = row.attempt_rows
    assert (first.kind, first.ok, first.answer, first.latency, first.response) == (
        "scheduled", False, "HTTP 500 (status 500)", "3 ms", "boom",
    )  # fmt: skip
    headers = dict(first.headers)
    assert headers["x-request-id"] == "r-1"
    assert headers["User-Agent"] == "MercadoPago WebHook v1.0"
    expected = signature_header("secret-7", data_id="100", request_id="r-1", ts=1772366400)
    assert headers["x-signature"] == expected
    assert (dropped.headers, dropped.answer, dropped.ok) == ((), "dropped (fault injection)", False)
    assert (resend.kind, resend.ok, copy.kind) == ("resend", True, "duplicate copy")


def test_unsigned_deliveries_and_partial_records() -> None:
    (row,) = delivery_rows([_delivery(signed=False)], lambda seller_id: "secret")
    assert "x-signature" not in dict(row.attempt_rows[0].headers)
    partial = {
        "id": 1,
        "url": "u",
        "form": "ipn",
        "type": "payment",
        "resource_id": "9",
        "state": "pending",
        "attempts": [{"status_code": 200, "request_id": "x"}],
    }
    (row,) = delivery_rows([partial], lambda seller_id: None)
    assert row.attempt_rows[0].headers == ()  # not a whole record: nothing is guessed
    assert row.payload == "{}"


def test_faults_summary_in_words() -> None:
    off = build_dashboard(_dump(), [], faults={"seed": 0, "api": {}, "notifications": {}})
    assert off.faults is not None
    assert not off.faults.active
    config = {
        "seed": 5,
        "api": {"error_rate": 0.25, "error_statuses": [500, 429], "latency_ms": [10, 200]},
        "notifications": {"drop": 1.0, "duplicate": 0, "reorder": 0.5, "delay_ms": [0, 50]},
    }
    on = build_dashboard(_dump(), [], faults=config).faults
    assert on is not None
    assert on.active
    assert on.api == "25% errors (500, 429), latency 10–200 ms"
    assert on.notifications == "100% dropped, 50% reordered, delay 0–50 ms"
    assert build_dashboard(_dump(), []).faults is None


def test_only_pending_payments_can_be_settled() -> None:
    dump = _dump(n_payments=2)
    dump["payments_view"][0]["status"] = "pending"
    board = build_dashboard(dump, [])
    assert sorted(p.settleable for p in board.payments) == [False, True]
