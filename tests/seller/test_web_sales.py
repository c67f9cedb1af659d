"""Selling from the cashier UI against the sandbox: form, status screen, live events, cancel,
refund, history, poster (real servers on 127.0.0.1, httpx as the browser)."""

from __future__ import annotations

import json
import re
import time

import httpx
import pytest
from test_web_env import (
    Stack,
    cashier_fixture,
    csrf_of,
    field_of,
    info_fixture,
    sell,
    stack_fixture,
    status_of,
)

from mpqr.demo import DemoInfo

_FIXTURES = (stack_fixture, info_fixture, cashier_fixture)  # used through pytest


def _pos(info: DemoInfo, cashbox: str) -> int:
    return int(info.customer_urls[cashbox].rsplit("/", 1)[1])


def _pay(info: DemoInfo, cashbox: str, status: str = "approved", **extra: object) -> None:
    body = {"pos_id": _pos(info, cashbox), "status": status, **extra}
    response = httpx.post(f"{info.sandbox_url}/_sandbox/pay", json=body, timeout=10)
    assert response.status_code == 201, response.text


def _sale_url(response: httpx.Response) -> str:
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    assert re.fullmatch(r"/ui/sales/S[0-9A-Z]+", location)
    return location


def _wait_status(client: httpx.Client, sale_url: str, wanted: str, timeout: float = 10.0) -> str:
    """Poll the panel (with a deadline) until the sale reaches ``wanted``."""
    deadline = time.monotonic() + timeout
    while True:
        html = client.get(f"{sale_url}/panel").text
        if status_of(html) == wanted:
            return html
        if time.monotonic() > deadline:
            raise AssertionError(f"sale stayed {status_of(html)}, wanted {wanted}")
        time.sleep(0.05)


def test_a_sale_from_the_form_is_paid_on_the_sandbox(cashier: httpx.Client, info: DemoInfo) -> None:
    url = _sale_url(
        sell(cashier, "CAJA1", title=["Café", "Medialuna"], unit_price=["1.200,50", "350"],
             quantity=["2", "3"])
    )  # fmt: skip
    screen = cashier.get(url)
    assert status_of(screen.text) == "pending"
    assert "$ 3.451,00" in screen.text  # 2 × 1200.50 + 3 × 350, with AR grouping
    assert 'data-events-url="' in screen.text
    _pay(info, "CAJA1")
    paid = _wait_status(cashier, url, "paid")
    assert "payment-approved" in paid


def test_a_rejected_attempt_shows_and_the_customer_may_pay_again(
    cashier: httpx.Client, info: DemoInfo
) -> None:
    url = _sale_url(sell(cashier, "CAJA1", amount="99"))
    _pay(info, "CAJA1", "rejected")
    deadline = time.monotonic() + 10
    while "payment-rejected" not in (html := cashier.get(f"{url}/panel").text):
        assert time.monotonic() < deadline, "the rejected attempt never showed"
        time.sleep(0.05)
    assert status_of(html) == "pending"
    assert 'data-screen="rejected"' in html  # the main panel's state, with what to tell them
    assert 'id="advice"' in html
    text = re.sub(r"<[^>]+>", "", html)  # what the cashier reads, not the attributes
    assert "cc_rejected_other_reason" not in text
    assert "rejected" not in text
    _pay(info, "CAJA1")
    assert "payment-rejected" in _wait_status(cashier, url, "paid")


def test_quick_amount_uses_a_translated_item_title(cashier: httpx.Client) -> None:
    cashier.headers["Accept-Language"] = "pt-BR"  # the sale is named in the cashier's language
    url = _sale_url(sell(cashier, "CAJA2", amount="10,5", title=["ignored"], unit_price=["1"]))
    html = cashier.get(url).text
    assert "<td>Venda</td>" in html
    assert "$ 10,50" in html


def test_everything_typed_is_escaped(cashier: httpx.Client) -> None:
    evil = '<script>alert("x")</script>'
    url = _sale_url(sell(cashier, "CAJA2", title=[evil], unit_price=["5"], quantity=["1"]))
    html = cashier.get(url).text
    assert evil not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html


@pytest.mark.parametrize(
    ("fields", "where", "words"),
    [
        ({"title": [""], "unit_price": [""]}, None, "Type an amount or at least one item"),
        (
            {"title": ["A"], "unit_price": ["0"], "quantity": ["1"]},
            "unit_price-0",
            "greater than zero",
        ),
        (
            {"title": ["A"], "unit_price": [""], "quantity": ["1"]},
            "unit_price-0",
            "Fill in this field",
        ),
        (
            {"title": ["A"], "unit_price": ["1"], "quantity": ["0"]},
            "quantity-0",
            "greater than zero",
        ),
        ({"title": ["A"], "unit_price": ["1"], "quantity": ["1,5"]}, "quantity-0", "whole number"),
        ({"title": ["A"], "unit_price": ["1.234"], "quantity": ["1"]}, "unit_price-0", "decimals"),
        ({"title": ["A\u0000b"], "unit_price": ["1"]}, "title-0", "not allowed"),
        ({"amount": "abc"}, "amount", "Type a number"),
        ({"amount": "-5"}, "amount", "greater than zero"),
    ],
)
def test_bad_forms_say_why_next_to_the_field(
    cashier: httpx.Client, fields: dict[str, object], where: str | None, words: str
) -> None:
    response = sell(cashier, "CAJA2", **fields, headers={"Accept-Language": "en"})
    assert response.status_code == 422
    errors = re.search(r'id="form-errors">(.*?)</div>', response.text, re.S)
    assert errors is not None
    assert words in errors.group(1)
    assert "items" not in errors.group(1)  # never the API's field names nor its English
    assert "Input should" not in response.text
    if where is not None:
        assert re.search(rf'id="{where}"[^>]*aria-invalid="true"', response.text)
        field_error = re.search(rf'id="err-{where}">([^<]*)<', response.text)
        assert field_error is not None
        assert words in field_error.group(1)
    assert 'id="sale-form"' in response.text  # the form again, ready to fix


def test_errors_speak_the_cashiers_language(cashier: httpx.Client) -> None:
    for lang, words in [("es", "Escribí un número"), ("pt", "Digite um número")]:
        response = sell(cashier, "CAJA2", amount="abc", headers={"Accept-Language": lang})
        assert words in response.text


def test_double_submit_of_one_form_makes_one_sale(cashier: httpx.Client) -> None:
    form = cashier.get("/ui/cashboxes/CAJA2/sell").text
    data = {"csrf": csrf_of(form), "idem": field_of(form, "idem"), "amount": "42", "replace": "1"}
    first = cashier.post("/ui/cashboxes/CAJA2/sell", data=data)
    second = cashier.post("/ui/cashboxes/CAJA2/sell", data=data)
    assert _sale_url(first) == _sale_url(second)


def test_a_busy_cashbox_offers_to_replace_its_pending_sale(cashier: httpx.Client) -> None:
    first = _sale_url(sell(cashier, "CAJA2", amount="7"))
    form = cashier.get("/ui/cashboxes/CAJA2/sell").text
    data = {"csrf": csrf_of(form), "idem": field_of(form, "idem"), "amount": "8"}
    busy = cashier.post("/ui/cashboxes/CAJA2/sell", data=data)
    assert busy.status_code == 409
    assert 'id="replace"' in busy.text
    assert first.rsplit("/", 1)[1] in busy.text
    retry = {**data, "idem": field_of(busy.text, "idem"), "replace": "1"}
    second = _sale_url(cashier.post("/ui/cashboxes/CAJA2/sell", data=retry))
    assert second != first
    assert status_of(cashier.get(first).text) == "cancelled"


def test_cancel_from_the_status_screen(cashier: httpx.Client) -> None:
    url = _sale_url(sell(cashier, "CAJA2", amount="15"))
    token = csrf_of(cashier.get(url).text)
    response = cashier.post(f"{url}/cancel", data={"csrf": token})
    assert response.status_code == 303
    html = cashier.get(url).text
    assert status_of(html) == "cancelled"
    assert 'id="cancel-form"' not in html
    again = cashier.post(f"{url}/cancel", data={"csrf": token})  # a no-op, not an error
    assert again.status_code == 303


def _ask_refund(client: httpx.Client, url: str, **fields: str) -> httpx.Response:
    html = client.get(url).text
    idem = field_of(html, "idem")
    if fields.get("all") == "1":
        idem = re.findall(r'name="idem" value="([^"]*)"', html)[1]
    data = {"csrf": csrf_of(html), "idem": idem, **fields}
    return client.post(f"{url}/refund", data=data)


def _confirm(client: httpx.Client, url: str, question: httpx.Response) -> httpx.Response:
    html = question.text
    data = {
        name: field_of(html[html.index('id="refund-confirm-form"') :], name)
        for name in ("csrf", "idem", "amount", "confirm")
    }
    if 'name="all" value="1"' in html[html.index('id="refund-confirm-form"') :]:
        data["all"] = "1"
    return client.post(f"{url}/refund", data=data)


def test_a_paid_sale_cannot_be_cancelled_but_refunded_in_parts(
    cashier: httpx.Client, info: DemoInfo
) -> None:
    cashier.headers["Accept-Language"] = "es"
    url = _sale_url(sell(cashier, "CAJA1", amount="1500"))
    _pay(info, "CAJA1")
    html = _wait_status(cashier, url, "paid")
    assert 'id="refund-form"' in html
    token = csrf_of(html)
    refused = cashier.post(f"{url}/cancel", data={"csrf": token})
    assert refused.status_code == 409
    assert "La venta ya está pagada: no se puede cancelar." in refused.text
    empty = _ask_refund(cashier, url, amount="")
    assert empty.status_code == 422  # an empty amount is an error, never "everything"
    assert 'id="err-refund-amount"' in empty.text
    assert status_of(cashier.get(url).text) == "paid"
    question = _ask_refund(cashier, url, amount="10")
    assert question.status_code == 200
    assert "¿Devolver ARS 10,00 de ARS 1.500,00?" in question.text
    assert status_of(cashier.get(url).text) == "paid"  # asking refunds nothing
    assert _confirm(cashier, url, question).status_code == 303
    assert _confirm(cashier, url, question).status_code == 303  # a double submit: once
    html = cashier.get(url).text
    assert status_of(html) == "partially_refunded"
    assert re.search(r'id="refunded-amount">\$ 10,00<', html)
    too_much = _ask_refund(cashier, url, amount="1491")
    assert too_much.status_code == 422
    assert "Es más de lo que queda por devolver." in too_much.text
    everything = _ask_refund(cashier, url, all="1")
    assert "¿Devolver ARS 1.490,00 de ARS 1.500,00?" in everything.text
    assert _confirm(cashier, url, everything).status_code == 303
    assert status_of(cashier.get(url).text) == "refunded"
    assert 'id="refund-form"' not in cashier.get(url).text


def test_money_paid_after_cancel_can_be_refunded(cashier: httpx.Client, info: DemoInfo) -> None:
    cashier.headers["Accept-Language"] = "en"
    url = _sale_url(sell(cashier, "CAJA2", amount="40"))
    scan = httpx.post(f"{info.sandbox_url}/_sandbox/scan", json={"pos_id": _pos(info, "CAJA2")})
    scanned = scan.json()["merchant_order_id"]
    token = csrf_of(cashier.get(url).text)
    assert cashier.post(f"{url}/cancel", data={"csrf": token}).status_code == 303
    # the customer's phone still showed the order: they pay it after the cancel
    _pay(info, "CAJA2", merchant_order_id=scanned, late=True)
    deadline = time.monotonic() + 10
    while 'data-alert="paid_after_cancel"' not in (html := cashier.get(url).text):
        assert time.monotonic() < deadline, "the late payment never showed"
        time.sleep(0.05)
    assert status_of(html) == "cancelled"
    assert 'id="refund-form"' in html
    question = _ask_refund(cashier, url, all="1")
    assert "Refund ARS 40,00 of ARS 40,00?" in question.text
    assert _confirm(cashier, url, question).status_code == 303
    html = cashier.get(url).text
    assert re.search(r'id="refunded-amount">\$ 40,00<', html)
    assert 'id="refund-form"' not in html


def test_events_stream_the_change_to_paid(cashier: httpx.Client, info: DemoInfo) -> None:
    url = _sale_url(sell(cashier, "CAJA1", amount="12"))
    with cashier.stream("GET", f"{url}/events", timeout=15) as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        lines = stream.iter_lines()
        statuses = []
        for line in lines:
            if line.startswith("data: "):
                statuses.append(json.loads(line[6:])["status"])
                if statuses == ["pending"]:
                    _pay(info, "CAJA1")
                if statuses[-1] == "paid":
                    break
    assert statuses[0] == "pending"
    assert statuses[-1] == "paid"


def test_expiry_shows_on_the_screen(stack: Stack, cashier: httpx.Client) -> None:
    url = _sale_url(sell(cashier, "CAJA2", amount="5"))
    assert "<time datetime=" in cashier.get(url).text  # when it expires
    stack.expire(url.rsplit("/", 1)[1])
    html = cashier.get(url, headers={"Accept-Language": "en"}).text
    assert status_of(html) == "expired"
    assert "The order expired unpaid." in html
    assert 'id="cancel-form"' not in html


def test_history_filters_by_status_and_cashbox(cashier: httpx.Client, info: DemoInfo) -> None:
    url = _sale_url(sell(cashier, "CAJA1", amount="21"))
    _pay(info, "CAJA1")
    _wait_status(cashier, url, "paid")
    sale_id = url.rsplit("/", 1)[1]
    paid = cashier.get("/ui/sales", params={"status": "paid", "cashbox": "CAJA1"}).text
    assert f'data-sale="{sale_id}"' in paid
    assert set(re.findall(r'data-status="([a-z_]+)"', paid)) == {"paid"}
    other = cashier.get("/ui/sales", params={"status": "paid", "cashbox": "CAJA2"}).text
    assert sale_id not in other
    everything = cashier.get("/ui/sales", params={"status": "bogus"}).text
    assert sale_id in everything


def test_the_poster_links_the_printable_qr(cashier: httpx.Client) -> None:
    html = cashier.get("/ui/cashboxes/CAJA1/poster").text
    for kind, media in [("svg", "image/svg+xml"), ("png", "image/png"), ("pdf", "application/pdf")]:
        link = f"/api/cashboxes/CAJA1/qr.{kind}"
        assert link in html
        response = cashier.get(link)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith(media)


def test_unknown_things_are_404_pages(cashier: httpx.Client) -> None:
    assert cashier.get("/ui/sales/SNOPE").status_code == 404
    assert cashier.get("/ui/cashboxes/NOPE/sell").status_code == 404
    assert cashier.get("/ui/cashboxes/NOPE/poster").status_code == 404
    assert cashier.get("/ui/sales/SNOPE/panel").status_code == 404


def test_the_ui_shares_the_json_api(stack: Stack, cashier: httpx.Client, info: DemoInfo) -> None:
    url = _sale_url(sell(cashier, "CAJA2", amount="33"))
    api = httpx.get(
        f"{info.seller_url}/api{url.removeprefix('/ui')}",
        headers={"Authorization": f"Bearer {info.api_key}"},
    )
    assert api.status_code == 200
    assert api.json()["total_amount"] == "33"
    assert api.json()["cashbox"] == "CAJA2"
