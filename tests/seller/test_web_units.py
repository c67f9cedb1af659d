"""The cashier UI's pure parts: session signing, CSRF, login throttling, languages, the sale form,
and every status screen rendered in every language."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import jinja2
import pytest
from hypothesis import given
from hypothesis import strategies as st
from starlette.datastructures import FormData

from mpqr.seller.errors import Reason
from mpqr.seller.sales.rules import Alert, SaleStatus
from mpqr.seller.sales.schemas import PaymentOut, SaleOut
from mpqr.seller.web import i18n, screen, session
from mpqr.seller.web.forms import (
    FormError,
    Problem,
    input_of,
    money_problems,
    parse_refund_amount,
    parse_sale_form,
    read_form,
)
from mpqr.seller.web.limiter import LoginLimiter
from mpqr.seller.web.render import _money, money_code

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


def _row(title: str, price: str, quantity: str) -> dict[str, list[str]]:
    return {"title": [title], "unit_price": [price], "quantity": [quantity]}


@pytest.mark.parametrize(
    ("values", "field", "reason"),
    [
        (_row("", "", "1"), "items", Reason.TOO_FEW),
        (_row("A", "x", "1"), "items[0].unit_price", Reason.NOT_A_NUMBER),
        (_row("A", "", "1"), "items[0].unit_price", Reason.REQUIRED),
        (_row("", "5", "1"), "items[0].title", Reason.REQUIRED),
        (_row("A" * 257, "5", "1"), "items[0].title", Reason.TOO_LONG),
        ({"title": ["a\nb"], "unit_price": ["5"]}, "items[0].title", Reason.CONTROL_CHARACTERS),
        (_row("A", "1", "-1"), "items[0].quantity", Reason.NOT_POSITIVE),
        (_row("A", "1", "1.5"), "items[0].quantity", Reason.NOT_AN_INTEGER),
        (_row("A", "1", "100001"), "items[0].quantity", Reason.OUT_OF_RANGE),
        ({"amount": "0"}, "items[0].unit_price", Reason.NOT_POSITIVE),
        ({"amount": "NaN"}, "items[0].unit_price", Reason.NOT_A_NUMBER),
    ],
)  # fmt: skip
def test_bad_forms_name_the_field_and_the_reason(
    values: dict[str, Any], field: str, reason: Reason
) -> None:
    with pytest.raises(FormError) as caught:
        parse_sale_form("CAJA1", read_form(_form(**values)), "Venta")
    assert Problem(field, reason) in caught.value.problems


@pytest.mark.parametrize(
    ("field", "quick", "expected"),
    [
        ("items[0].unit_price", True, "amount"),
        ("items", True, "amount"),
        ("items[2].quantity", False, "quantity-2"),
        ("items[0].title", False, "title-0"),
        ("items", False, None),
        ("cashbox", False, None),
        (None, True, None),
    ],
)
def test_core_fields_point_at_the_input_the_cashier_touched(
    field: str | None, quick: bool, expected: str | None
) -> None:
    assert input_of(field, quick) == expected


def test_prices_follow_the_currency_decimals() -> None:
    sale = parse_sale_form("C", read_form(_form(title=["A", "B"], unit_price=["1.5", "2"])), "V")
    assert money_problems(sale, "ARS") == []
    assert money_problems(sale, "CLP") == [Problem("items[0].unit_price", Reason.TOO_MANY_DECIMALS)]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", Reason.REQUIRED),
        ("  ", Reason.REQUIRED),
        ("abc", Reason.NOT_A_NUMBER),
        ("Infinity", Reason.NOT_A_NUMBER),
        ("0", Reason.NOT_POSITIVE),
        ("-3", Reason.NOT_POSITIVE),
        ("1,005", Reason.TOO_MANY_DECIMALS),
        ("100,01", Reason.REFUND_TOO_LARGE),
    ],
)
def test_a_refund_amount_is_never_empty_nor_more_than_what_is_left(
    text: str, reason: Reason
) -> None:
    with pytest.raises(FormError) as caught:
        parse_refund_amount(text, "ARS", Decimal("100"))
    assert caught.value.problems == [Problem("amount", reason)]
    assert parse_refund_amount("1.234,5", "ARS", Decimal("2000")) == Decimal("1234.5")


def test_money_follows_the_currency_decimals() -> None:
    assert _money("1234.5", "ARS") == "$ 1.234,50"
    assert _money("1234", "CLP") == "$ 1.234"
    assert _money("1", "XXX") == "$ 1,00"
    assert _money("n/a", "ARS") == "n/a"
    assert money_code("1500", "ARS") == "ARS 1.500,00"
    assert money_code("1500", "CLP") == "CLP 1.500"


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


def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("mpqr.seller.web", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["money"] = _money
    env.filters["iso"] = lambda value: value.isoformat()
    env.globals.update(
        detail_words=screen.detail_words,
        advice_words=screen.advice_words,
        icons={state.value: icon for state, icon in screen.ICONS.items()},
    )
    return env


def _render_panel(lang: str, sale: SaleOut) -> str:
    return (
        _env()
        .get_template("_panel.html")
        .render(
            t=i18n.translator(lang),
            sale=sale,
            screen=screen.screen_of(sale),
            viewer=_Viewer(),
            idem_part="k1",
            idem_all="k2",
            refund_text="",
            refund_error=None,
        )
    )


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
@pytest.mark.parametrize("status", list(SaleStatus))
def test_every_status_renders_in_every_language(lang: str, status: SaleStatus) -> None:
    payments = [
        PaymentOut(id=str(i), status=s, status_detail=d, amount="10")
        for i, (s, d) in enumerate(
            [
                ("approved", "accredited"),
                ("rejected", "cc_rejected_other_reason"),
                ("refunded", "refunded"),
                ("cancelled", "expired"),
            ]
        )
    ]
    t = i18n.translator(lang)
    html = _render_panel(lang, _sale(status, list(Alert), payments))
    assert t(screen.screen_of(_sale(status, [], payments)).headline) in html
    assert "<b>x</b>" not in html
    for alert in Alert:
        assert t(f"alert_{alert.value}") in html
    for key in ("detail_accredited", "detail_cc_rejected_other_reason", "pay_refunded"):
        assert t(key) in html
    assert ("expired-note" in html) is (status is SaleStatus.EXPIRED)
    cancellable = status in {SaleStatus.PENDING, SaleStatus.OPENING}
    assert ('id="cancel-form"' in html) is cancellable
    assert ('id="sale-qr"' in html) is cancellable  # rejected: pay again; opening: on its way


@pytest.mark.parametrize(
    ("payments", "state", "advice"),
    [
        ([], screen.State.WAITING, None),
        ([("1", "rejected", "cc_rejected_insufficient_amount")], screen.State.REJECTED,
         "advice_cc_rejected_insufficient_amount"),
        ([("1", "rejected", "cc_rejected_new_code")], screen.State.REJECTED, "advice_rejected"),
        ([("1", "in_process", "pending_contingency")], screen.State.IN_PROCESS,
         "advice_pending_contingency"),
        ([("1", "pending", "pending_waiting_payment"), ("2", "rejected", "bank_error")],
         screen.State.IN_PROCESS, "advice_pending_waiting_payment"),
        ([("9", "rejected", "bank_error"), ("10", "pending", None)], screen.State.IN_PROCESS,
         "advice_pending"),
    ],
)  # fmt: skip
def test_a_pending_sale_shows_its_latest_attempt_with_what_to_tell_the_customer(
    payments: list[tuple[str, str, str | None]], state: screen.State, advice: str | None
) -> None:
    pays = [PaymentOut(id=i, status=s, status_detail=d, amount="10") for i, s, d in payments]
    sale = _sale(SaleStatus.PENDING, [], pays)
    shown = screen.screen_of(sale)
    assert shown.state is state
    for lang in i18n.LANGUAGES:
        t = i18n.translator(lang)
        html = _render_panel(lang, sale)
        assert f'data-screen="{state.value}"' in html
        if advice is not None:
            assert t(advice) in html
            assert 'id="advice"' in html


@pytest.mark.parametrize("status", ["opening", "failed"])
def test_the_write_ahead_statuses_have_words_and_panels_before_the_enum_has_them(
    status: str,
) -> None:
    sale = _sale(SaleStatus.PENDING, [], []).model_copy(update={"status": _Status(status)})
    shown = screen.screen_of(sale)
    assert shown.state.value == status
    for lang in i18n.LANGUAGES:
        html = _render_panel(lang, sale)
        assert i18n.translator(lang)(f"status_{status}") in html
    assert ('id="try-again"' in html) is (status == "failed")
    assert shown.cancellable is (status == "opening")


class _Status(str):
    @property
    def value(self) -> str:
        return str(self)


def test_money_in_after_cancel_or_expiry_is_refundable() -> None:
    late = _sale(SaleStatus.CANCELLED, [Alert.PAID_AFTER_CANCEL], [])
    assert screen.screen_of(late).refundable == Decimal("10")
    gone = late.model_copy(update={"refunded_amount": "10"})
    assert screen.screen_of(gone).refundable == 0
    unpaid = _sale(SaleStatus.EXPIRED, [], []).model_copy(update={"paid_amount": "0"})
    assert screen.screen_of(unpaid).refundable == 0


class _Viewer:
    username = "ana"
    csrf = "token"
