"""The dashboard's pure parts: money, token masking, times, rows and the customer page's words."""

from __future__ import annotations

from typing import Any

import pytest

from mpqr.i18n import Lang, choose
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
