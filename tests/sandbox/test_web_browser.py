"""The customer page and the dashboard in Debian's Chromium, driven by Playwright.

The sandbox runs with uvicorn on 127.0.0.1; the seller side goes through the Mercado Pago API with
httpx and the seller's Bearer token, the customer side through the page's buttons only. Waiting is
Playwright's ``expect`` (polling with a timeout), never a sleep.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from mpqr.sandbox.testing import Sandbox

CHROMIUM = "/usr/bin/chromium"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's chromium"),
]
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
HOSTILE = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    expect.set_options(timeout=10_000)  # the pages poll once a second; leave room on a busy box
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    with Sandbox(seed=5, deliver=False) as sandbox:
        yield sandbox


@pytest.fixture
def seller_api(sb: Sandbox) -> Iterator[httpx.Client]:
    assert sb.seller is not None
    with httpx.Client(base_url=sb.base_url, headers=sb.seller.auth_headers) as client:
        yield client


@pytest.fixture
def phone(browser: Browser, sb: Sandbox) -> Iterator[Page]:
    """A phone in Argentina (it asks for Spanish) that fails the test on any JavaScript error or
    dialog."""
    context = browser.new_context(
        viewport={"width": 390, "height": 780}, base_url=sb.base_url, locale="es-AR"
    )
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    page.on("dialog", lambda dialog: problems.append(f"dialog: {dialog.message}"))
    page.on("request", lambda req: _local_only(req.url, problems))
    yield page
    context.close()
    assert problems == []


def _local_only(url: str, problems: list[str]) -> None:
    if not url.startswith(("http://127.0.0.1:", "data:")):
        problems.append(f"request off the loopback: {url}")


def put_legacy_order(
    api: httpx.Client, sb: Sandbox, external_pos_id: str, items: list[dict[str, Any]]
) -> None:
    assert sb.seller is not None
    body = {"external_reference": "ORDER-42", "items": items}
    r = api.post(f"/mpmobile/instore/qr/{sb.seller.id}/{external_pos_id}", json=body)
    assert r.status_code == 200, r.text


def merchant_orders(api: httpx.Client) -> list[dict[str, Any]]:
    r = api.get("/merchant_orders/search", params={"external_reference": "ORDER-42"})
    assert r.status_code == 200, r.text
    found: list[dict[str, Any]] = r.json()["elements"]
    return found


ITEMS = [
    {"title": "Café con leche", "currency_id": "ARS", "unit_price": 1250.5, "quantity": 2},
    {"title": HOSTILE, "currency_id": "ARS", "unit_price": 300, "quantity": 1},
]


def test_reject_then_pay_through_the_page(
    sb: Sandbox, seller_api: httpx.Client, phone: Page
) -> None:
    pos = sb.create_pos("CAJA1")
    put_legacy_order(seller_api, sb, "CAJA1", ITEMS)
    phone.goto(f"/customer/{pos['id']}")
    app = phone.locator("#app")
    expect(app).to_have_attribute("data-screen", "order")
    expect(phone.locator("#order-title")).to_have_text("Café con leche")
    expect(phone.locator("#order-total")).to_contain_text("2.801,00")
    expect(phone.locator("#order-items li")).to_have_count(2)
    expect(phone.locator("#order-items")).to_contain_text(HOSTILE)  # shown as text, never run
    phone.screenshot(path="/tmp/mpqr-web-customer-order.png", full_page=True)

    phone.get_by_role("button", name="Rechazar").click()
    expect(app).to_have_attribute("data-result", "rejected")
    expect(phone.locator("#result-title")).to_have_text("Tu pago fue rechazado")
    (mo,) = merchant_orders(seller_api)
    assert mo["status"] == "opened"

    phone.get_by_role("button", name="Intentar de nuevo").click()
    expect(app).to_have_attribute("data-screen", "order")
    phone.get_by_role("button", name="Pagar").click()
    expect(app).to_have_attribute("data-result", "approved")
    expect(phone.locator("#result-amount")).to_contain_text("2.801,00")
    phone.screenshot(path="/tmp/mpqr-web-customer-approved.png", full_page=True)

    assert [m["id"] for m in merchant_orders(seller_api)] == [mo["id"]]  # no rescan
    closed = seller_api.get(f"/merchant_orders/{mo['id']}").json()
    assert (closed["status"], closed["order_status"]) == ("closed", "paid")
    assert [p["status"] for p in closed["payments"]] == ["rejected", "approved"]


def test_waiting_screen_turns_into_the_order_without_reload(
    sb: Sandbox, seller_api: httpx.Client, phone: Page
) -> None:
    pos = sb.create_pos("CAJA1")
    phone.goto(f"/customer/{pos['id']}")
    app = phone.locator("#app")
    expect(app).to_have_attribute("data-screen", "waiting")
    expect(phone.get_by_text("Esperando el pedido…")).to_be_visible()
    phone.screenshot(path="/tmp/mpqr-web-customer-waiting.png", full_page=True)
    phone.evaluate("window.__sameDocument = true")

    picture = f"{sb.base_url}/qr/{pos['id']}/{pos['uuid']}.png"  # any local image will do
    put_legacy_order(seller_api, sb, "CAJA1", [{**ITEMS[0], "picture_url": picture}])
    expect(app).to_have_attribute("data-screen", "order")
    expect(phone.locator("#order-title")).to_have_text("Café con leche")
    expect(phone.locator("#order-picture")).to_be_visible()  # no business name: the first item's
    expect(phone.locator("#order-picture")).to_have_attribute("src", picture)

    assert sb.seller is not None
    deleted = seller_api.delete(f"/mpmobile/instore/qr/{sb.seller.id}/CAJA1")
    assert deleted.status_code == 204
    expect(app).to_have_attribute("data-screen", "waiting")
    assert phone.evaluate("window.__sameDocument") is True


def test_business_name_replaces_the_first_item(sb: Sandbox, browser: Browser) -> None:
    sb.seller = sb.create_seller("MLM", business_name="Panadería Central")
    pos = sb.create_pos("CAJA1")
    items = [
        {
            "title": "Concha",
            "currency_id": "MXN",
            "unit_price": 7.5,
            "quantity": 4,
            "picture_url": f"{sb.base_url}/static/sandbox/missing.png",
        }
    ]
    with httpx.Client(base_url=sb.base_url, headers=sb.seller.auth_headers) as api:
        put_legacy_order(api, sb, "CAJA1", items)
    page = browser.new_page(base_url=sb.base_url)
    try:
        page.goto(f"/customer/{pos['id']}?lang=pt")
        expect(page.locator("#order-title")).to_have_text("Panadería Central")
        expect(page.locator("#order-monogram")).to_have_text("PC")
        expect(page.locator("#order-picture")).to_be_hidden()  # no item picture: a business name
        expect(page.locator("#order-total")).to_contain_text("30.00")
        expect(page.get_by_role("button", name="Recusar")).to_be_visible()
    finally:
        page.close()


def test_pending_payment_then_back_shows_the_order_still_on_the_cashbox(
    sb: Sandbox, seller_api: httpx.Client, phone: Page
) -> None:
    pos = sb.create_pos("CAJA1")
    put_legacy_order(seller_api, sb, "CAJA1", ITEMS[:1])
    phone.goto(f"/customer/{pos['id']}")
    phone.get_by_role("button", name="Dejar pendiente").click()
    app = phone.locator("#app")
    expect(app).to_have_attribute("data-result", "pending")
    (mo,) = merchant_orders(seller_api)
    assert mo["payments"][0]["status"] == "pending"
    assert sb.state()["pos"][str(pos["id"])]["live_id"] is not None  # still on the cashbox

    phone.get_by_role("button", name="Volver").click()
    expect(app).to_have_attribute("data-screen", "order")  # not the waiting screen
    expect(phone.locator("#order-title")).to_have_text("Café con leche")
    expect(phone.locator("#order-total")).to_contain_text("2.501,00")
    assert len(merchant_orders(seller_api)) == 1  # going back does not scan again

    phone.get_by_role("button", name="Pagar").click()
    expect(app).to_have_attribute("data-result", "approved")
    (paid,) = merchant_orders(seller_api)
    assert (paid["id"], paid["status"]) == (mo["id"], "closed")
    phone.get_by_role("button", name="Volver").click()
    expect(app).to_have_attribute("data-screen", "waiting")  # a paid order leaves the QR


@pytest.mark.parametrize(
    ("accept_language", "reject"),
    [("pt-BR,pt;q=0.9,en;q=0.5", "Recusar"), ("en-US,en;q=0.9", "Reject"), ("de-DE", "Rechazar")],
)
def test_the_phone_speaks_the_browser_language(
    sb: Sandbox, seller_api: httpx.Client, browser: Browser, accept_language: str, reject: str
) -> None:
    pos = sb.create_pos("CAJA1")
    put_legacy_order(seller_api, sb, "CAJA1", ITEMS[:1])
    context = browser.new_context(
        base_url=sb.base_url, extra_http_headers={"Accept-Language": accept_language}
    )
    page = context.new_page()
    try:
        page.goto(f"/customer/{pos['id']}")
        expect(page.get_by_role("button", name=reject)).to_be_visible()
        page.goto("/customer")  # the scanner list too
        expect(page.locator("html")).to_have_attribute("lang", reject_lang(reject))
    finally:
        context.close()


def reject_lang(reject: str) -> str:
    return {"Recusar": "pt", "Reject": "en", "Rechazar": "es"}[reject]


def test_lang_in_the_url_wins_and_is_remembered(
    sb: Sandbox, seller_api: httpx.Client, browser: Browser
) -> None:
    pos = sb.create_pos("CAJA1")
    put_legacy_order(seller_api, sb, "CAJA1", ITEMS[:1])
    context = browser.new_context(
        base_url=sb.base_url, extra_http_headers={"Accept-Language": "en-US"}
    )
    page = context.new_page()
    try:
        page.goto(f"/customer/{pos['id']}?lang=pt")
        expect(page.get_by_role("button", name="Recusar")).to_be_visible()
        page.goto(f"/customer/{pos['id']}")  # no ?lang=: the cookie remembers Portuguese
        expect(page.get_by_role("button", name="Recusar")).to_be_visible()
    finally:
        context.close()


def test_dashboard_lists_the_pos_and_the_payment_live(
    sb: Sandbox, seller_api: httpx.Client, browser: Browser
) -> None:
    pos = sb.create_pos("CAJA1")
    put_legacy_order(seller_api, sb, "CAJA1", ITEMS[:1])
    context = browser.new_context(viewport={"width": 1400, "height": 900}, base_url=sb.base_url)
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    try:
        page.goto("/")
        card = page.locator(f'#cashboxes [data-pos="{pos["id"]}"]')
        expect(card).to_contain_text("Caja CAJA1")
        expect(card).to_contain_text("Live legacy order")
        width = card.locator("img.qr").evaluate("img => img.decode().then(() => img.naturalWidth)")
        assert width > 100  # the sandbox's own PNG of the POS QR

        paid = sb.pay(pos_id=pos["id"], status="approved")["payment"]
        row = page.locator(f'#payments [data-payment="{paid["id"]}"]')
        expect(row).to_contain_text("approved")  # appears without a reload
        expect(row).to_contain_text("ARS 2,501.00")
        expect(card).to_contain_text("No order on this QR")

        page.get_by_role("button", name="+10 min").click()
        expect(page.locator("#clock-offset")).to_have_text("600")
        page.screenshot(path="/tmp/mpqr-web-dashboard.png", full_page=True)

        assert sb.seller is not None
        page.locator(f'[data-seller="{sb.seller.id}"]').get_by_role("button", name="Copy").click()
        expect(page.get_by_role("button", name="Copied")).to_be_visible()
        assert page.evaluate("navigator.clipboard.readText()") == sb.seller.access_token
    finally:
        context.close()


def test_pay_with_a_test_card_and_holder_name(
    sb: Sandbox, seller_api: httpx.Client, phone: Page
) -> None:
    """Mercado Pago's test plan on the phone: pick the published test card, type the holder name."""
    pos = sb.create_pos("CAJA1")
    put_legacy_order(seller_api, sb, "CAJA1", ITEMS[:1])
    phone.goto(f"/customer/{pos['id']}")
    app = phone.locator("#app")
    expect(app).to_have_attribute("data-screen", "order")
    phone.get_by_text("Tarjeta de prueba").click()
    expect(phone.locator("#pay-method option")).not_to_have_count(0)
    phone.locator("#pay-method").select_option(label="master •••• 0604")
    phone.get_by_label("Nombre del titular").fill("FUND")
    phone.screenshot(path="/tmp/mpqr-web-customer-picker.png", full_page=True)
    phone.get_by_role("button", name="Pagar con este medio").click()
    expect(app).to_have_attribute("data-result", "rejected")
    (mo,) = merchant_orders(seller_api)
    (payment,) = mo["payments"]
    assert (payment["status"], payment["status_detail"]) == (
        "rejected",
        "cc_rejected_insufficient_amount",
    )
    phone.get_by_role("button", name="Intentar de nuevo").click()
    expect(phone.locator("#test-card")).to_have_attribute("open", "")  # still open: pay again
    phone.locator("#pay-method").select_option(label="Dinero en cuenta")
    phone.get_by_role("button", name="Pagar con este medio").click()
    expect(app).to_have_attribute("data-result", "approved")
    paid = seller_api.get("/v1/payments/search?external_reference=ORDER-42&status=approved")
    assert paid.json()["results"][0]["payment_method_id"] == "account_money"
    phone.screenshot(path="/tmp/mpqr-web-customer-test-card.png", full_page=True)


def test_the_phone_page_has_no_serious_accessibility_violations(
    sb: Sandbox, seller_api: httpx.Client, browser: Browser
) -> None:
    """axe-core on the customer's screens: waiting, the order, the test-card picker, a result."""
    from axe_playwright_python.sync_playwright import Axe

    pos = sb.create_pos("CAJA1")
    context = browser.new_context(
        viewport={"width": 390, "height": 780}, base_url=sb.base_url, locale="es-AR",
        bypass_csp=True,
    )  # fmt: skip
    page = context.new_page()
    try:
        found: list[tuple[str, str, str]] = []

        def check(screen: str) -> None:
            for v in Axe().run(page).response["violations"]:
                if v["impact"] in {"serious", "critical"}:
                    found.append((screen, v["id"], str([n["target"] for n in v["nodes"]][:3])))

        page.goto(f"/customer/{pos['id']}")
        expect(page.locator("#app")).to_have_attribute("data-screen", "waiting")
        check("waiting")
        put_legacy_order(seller_api, sb, "CAJA1", ITEMS)
        expect(page.locator("#app")).to_have_attribute("data-screen", "order")
        check("order")
        page.get_by_role("button", name="Pagar").click()
        expect(page.locator("#app")).to_have_attribute("data-result", "approved")
        check("approved")
        assert found == []
    finally:
        context.close()
