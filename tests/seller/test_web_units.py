"""The cashier UI's pure parts: session signing, CSRF, login throttling, languages, the sale form,
and every status screen rendered in every language."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import jinja2
import pytest
from hypothesis import given
from hypothesis import strategies as st
from starlette.datastructures import FormData

from mpqr.seller.sales.rules import Alert, SaleStatus
from mpqr.seller.sales.schemas import PaymentOut, SaleOut
from mpqr.seller.web import i18n, session
from mpqr.seller.web.forms import FormError, parse_sale_form, read_form
from mpqr.seller.web.limiter import LoginLimiter
from mpqr.seller.web.render import _money

HASH = "scrypt$00ff$abcd"
NOW = 1_800_000_000


def test_a_session_verifies_with_its_users_hash_only() -> None:
    cookie = session.issue("ana", HASH, NOW)
    verified = session.verify(cookie, HASH, NOW + 60)
    assert verified is not None
    assert verified.username == "ana"
    assert session.verify(cookie, HASH + "x", NOW + 60) is None  # new password: sessions end


def test_a_session_expires_and_cannot_come_from_the_future() -> None:
    cookie = session.issue("ana", HASH, NOW)
    assert session.verify(cookie, HASH, NOW + session.MAX_AGE_SECONDS) is not None
    assert session.verify(cookie, HASH, NOW + session.MAX_AGE_SECONDS + 1) is None
    assert session.verify(cookie, HASH, NOW - 1) is None


@given(st.text(max_size=200))
def test_garbage_cookies_never_verify_nor_crash(cookie: str) -> None:
    assert session.verify(cookie, HASH, NOW) is None
    session.read_payload(cookie)


def test_changing_the_payload_breaks_the_signature() -> None:
    cookie = session.issue("ana", HASH, NOW)
    payload, _, signature = cookie.partition(".")
    other = session.issue("root", HASH, NOW).partition(".")[0]
    assert session.verify(f"{other}.{signature}", HASH, NOW) is None
    assert session.verify(f"{payload}.{signature[:-1]}", HASH, NOW) is None


def test_csrf_tokens_are_per_session_and_compared_safely() -> None:
    one = session.verify(session.issue("ana", HASH, NOW), HASH, NOW)
    two = session.verify(session.issue("ana", HASH, NOW), HASH, NOW)
    assert one is not None
    assert two is not None
    assert session.csrf_token(one, HASH) != session.csrf_token(two, HASH)
    assert session.same_token(session.csrf_token(one, HASH), session.csrf_token(one, HASH))
    assert not session.same_token(None, session.csrf_token(one, HASH))


def test_the_limiter_blocks_after_the_limit_and_forgets_after_the_window() -> None:
    limiter = LoginLimiter(limit=3, window=100.0)
    for t in (0.0, 10.0, 20.0):
        assert limiter.retry_after("k", t) == 0
        limiter.failed("k", t)
    assert limiter.retry_after("k", 30.0) == pytest.approx(70.0)
    assert limiter.retry_after("other", 30.0) == 0
    assert limiter.retry_after("k", 100.0) == 0  # the first failure aged out
    limiter.failed("k", 101.0)
    assert limiter.retry_after("k", 101.0) > 0
    limiter.succeeded("k")
    assert limiter.retry_after("k", 101.0) == 0


def test_the_limiter_memory_is_bounded() -> None:
    limiter = LoginLimiter(limit=1, window=100.0, max_keys=10)
    for i in range(50):
        limiter.failed(f"k{i}", 0.0)
    assert len(limiter._failures) == 10


@pytest.mark.parametrize(
    ("query", "cookie", "header", "expected"),
    [
        (None, None, None, "es"),
        ("pt", "en", "en", "pt"),
        ("xx", "en", "pt", "en"),
        (None, None, "en-US,en;q=0.9", "en"),
        (None, None, "de, pt-BR;q=0.3, en;q=0.2", "pt"),
        (None, None, "en;q=0, es;q=0.1", "es"),
        (None, None, "en;q=bogus, pt", "pt"),
        (None, None, "de, fr", "es"),
    ],
)
def test_language_choice(
    query: str | None, cookie: str | None, header: str | None, expected: str
) -> None:
    assert i18n.choose(query, cookie, header) == expected


def test_every_word_exists_in_every_language() -> None:
    t = {lang: i18n.translator(lang) for lang in i18n.LANGUAGES}
    assert t["pt"]("status_paid") == "Pago"
    assert t["en"]("no-such-key") == "no-such-key"


def _form(**values: Any) -> FormData:
    items: list[tuple[str, Any]] = []
    for key, value in values.items():
        for one in value if isinstance(value, list) else [value]:
            items.append((key, one))
    return FormData(items)


def test_the_form_becomes_the_api_model() -> None:
    form = read_form(
        _form(title=["Café", "", "Té"], unit_price=["1.234,50", "", "2"], quantity=["2", "", ""])
    )
    sale = parse_sale_form("CAJA1", form, "Venta")
    assert [(i.title, str(i.unit_price), i.quantity) for i in sale.items] == [
        ("Café", "1234.50", 2),
        ("Té", "2", 1),
    ]
    assert sale.replace is False


@pytest.mark.parametrize(
    ("text", "expected"),
    [("12,50", "12.50"), ("1.234,50", "1234.50"), ("1,234.50", "1234.50"), ("7", "7")],
)
def test_decimal_marks(text: str, expected: str) -> None:
    sale = parse_sale_form("C", read_form(_form(amount=text, replace="1")), "Sale")
    assert str(sale.items[0].unit_price) == expected
    assert sale.items[0].title == "Sale"
    assert sale.replace is True


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"title": [""], "unit_price": [""], "quantity": ["1"]}, "items"),
        ({"title": ["A"], "unit_price": ["x"], "quantity": ["1"]}, "items.0.unit_price"),
        ({"title": ["A"], "unit_price": ["1"], "quantity": ["-1"]}, "items.0.quantity"),
        ({"title": ["A"], "unit_price": ["1"], "quantity": ["1.5"]}, "items.0.quantity"),
        ({"amount": "0"}, "items.0.unit_price"),
    ],
)
def test_bad_forms_name_the_field(values: dict[str, Any], field: str) -> None:
    with pytest.raises(FormError) as caught:
        parse_sale_form("CAJA1", read_form(_form(**values)), "Venta")
    assert any(m.startswith(field) for m in caught.value.messages)


def test_money_follows_the_currency_decimals() -> None:
    assert _money("1234.5", "ARS") == "$ 1.234,50"
    assert _money("1234", "CLP") == "$ 1.234"
    assert _money("1", "XXX") == "$ 1,00"
    assert _money("n/a", "ARS") == "n/a"


def _sale(status: SaleStatus, alerts: list[Alert], payments: list[PaymentOut]) -> SaleOut:
    at = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    return SaleOut(
        id="S1",
        external_reference="S1",
        cashbox="CAJA1",
        status=status,
        total_amount="10",
        currency_id="ARS",
        paid_amount="10",
        refunded_amount="0",
        created_at=at,
        expires_at=at,
        payments=payments,
        merchant_order_ids=["1"],
        alerts=alerts,
        items=[{"title": "<b>x</b>", "unit_price": "10", "quantity": 1}],
    )


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
@pytest.mark.parametrize("status", list(SaleStatus))
def test_every_status_renders_in_every_language(lang: str, status: SaleStatus) -> None:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("mpqr.seller.web", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["money"] = _money
    env.filters["iso"] = lambda value: value.isoformat()
    payments = [
        PaymentOut(id=str(i), status=s, status_detail=None, amount="10")
        for i, s in enumerate(["approved", "rejected", "pending", "in_process", "refunded"])
    ]
    t = i18n.translator(lang)
    html = env.get_template("_panel.html").render(
        t=t,
        sale=_sale(status, list(Alert), payments),
        viewer=None if status is not SaleStatus.PENDING else _Viewer(),
        rejected=[payments[1]],
        refundable=False,
        idem="k",
    )
    assert t(f"status_{status.value}") in html
    assert "<b>x</b>" not in html
    for alert in Alert:
        assert t(f"alert_{alert.value}") in html
    for key in ("pay_approved", "pay_rejected", "pay_in_process", "pay_refunded"):
        assert t(key) in html
    assert ("expired-note" in html) is (status is SaleStatus.EXPIRED)
    assert ("rejected-note" in html) is (status is SaleStatus.PENDING)


class _Viewer:
    username = "ana"
    csrf = "token"
