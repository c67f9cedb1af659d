"""A full sale in real Chromium: the cashier sends it, the customer pays on the sandbox's phone
page, and the cashier's screen turns to paid without a reload. Screenshots go to /tmp."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from test_web_env import Stack, info_fixture, stack_fixture

from mpqr.demo import DemoInfo

pytestmark = pytest.mark.browser
_FIXTURES = (stack_fixture, info_fixture)  # used through pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SHOTS = Path(os.environ.get("MPQR_SHOTS", "/tmp/mpqr-web-shots"))
TIMEOUT = 15_000  # ms: generous for a loaded CI machine; nothing here sleeps

if not os.path.exists(CHROMIUM):
    pytest.skip(f"{CHROMIUM} is not installed", allow_module_level=True)

from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    SHOTS.mkdir(parents=True, exist_ok=True)
    expect.set_options(timeout=TIMEOUT)
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def cashier_page(browser: Browser, info: DemoInfo) -> Iterator[Page]:
    context = browser.new_context(locale="en-US", viewport={"width": 1100, "height": 900})
    context.set_default_timeout(TIMEOUT)
    page = context.new_page()
    problems: list[str] = []  # script errors and CSP violations would show up here
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.goto(f"{info.seller_url}/ui/login")
    page.fill("input[name=username]", info.username)
    page.fill("input[name=password]", info.password)
    page.click("#login-form button[type=submit]")
    expect(page.locator("[data-cashbox=CAJA1]")).to_be_visible()
    yield page
    context.close()
    assert problems == []


def _open_phone(browser: Browser, info: DemoInfo, cashbox: str) -> Page | None:
    """The sandbox's customer page, or ``None`` when this sandbox has no phone page."""
    if httpx.get(info.customer_urls[cashbox]).status_code != 200:
        return None
    context = browser.new_context(
        locale="es-AR", viewport={"width": 390, "height": 844}, is_mobile=True
    )
    context.set_default_timeout(TIMEOUT)
    phone = context.new_page()
    phone.goto(info.customer_urls[cashbox])
    return phone


def _pay_by_api(info: DemoInfo, cashbox: str, status: str) -> None:
    pos_id = int(info.customer_urls[cashbox].rsplit("/", 1)[1])
    body = {"pos_id": pos_id, "status": status}
    response = httpx.post(f"{info.sandbox_url}/_sandbox/pay", json=body, timeout=10)
    assert response.status_code == 201, response.text


def _send_sale(page: Page) -> None:
    page.click("[data-cashbox=CAJA1] a.primary")
    page.fill("#rows tr.row:nth-child(1) input[name=title]", "Café con leche")
    page.fill("#rows tr.row:nth-child(1) input[name=unit_price]", "1200,50")
    page.fill("#rows tr.row:nth-child(1) input[name=quantity]", "2")
    page.click("#add-row")
    page.fill("#rows tr.row:nth-child(2) input[name=title]", "Medialuna")
    page.fill("#rows tr.row:nth-child(2) input[name=unit_price]", "350")
    page.click("#send")
    expect(page.locator("#status")).to_have_attribute("data-status", "pending")
    expect(page.locator("#status-label")).to_have_text("Waiting for payment")
    expect(page.locator("#live")).to_be_visible()  # the EventSource is connected


def test_a_full_sale_turns_paid_live(browser: Browser, info: DemoInfo, cashier_page: Page) -> None:
    page = cashier_page
    _send_sale(page)
    page.evaluate("window.__sameDocument = true")  # gone if the page were reloaded
    page.screenshot(path=str(SHOTS / "1-cashier-pending.png"), full_page=True)

    phone = _open_phone(browser, info, "CAJA1")
    if phone is None:
        _pay_by_api(info, "CAJA1", "rejected")
    else:
        expect(phone.locator("#app")).to_have_attribute("data-screen", "order")
        expect(phone.locator("#order-total")).to_contain_text("2.751,00")
        phone.screenshot(path=str(SHOTS / "2-phone-order.png"))
        phone.click("[data-pay=rejected]")
        expect(phone.locator("#app")).to_have_attribute("data-result", "rejected")

    expect(page.locator("#rejected-note")).to_be_visible()
    expect(page.locator("#payments .payment-rejected")).to_have_count(1)
    expect(page.locator("#status")).to_have_attribute("data-status", "pending")
    page.screenshot(path=str(SHOTS / "3-cashier-rejected.png"), full_page=True)

    if phone is None:
        _pay_by_api(info, "CAJA1", "approved")
    else:
        phone.click("#screen-result [data-action=retry]")
        expect(phone.locator("#app")).to_have_attribute("data-screen", "order")
        phone.click("[data-pay=approved]")
        expect(phone.locator("#app")).to_have_attribute("data-result", "approved")
        phone.screenshot(path=str(SHOTS / "4-phone-approved.png"))

    expect(page.locator("#status")).to_have_attribute("data-status", "paid")
    expect(page.locator("#status-label")).to_have_text("Paid")
    assert page.evaluate("window.__sameDocument") is True
    expect(page.locator("#refund-form")).to_be_visible()
    page.screenshot(path=str(SHOTS / "5-cashier-paid.png"), full_page=True)
    if phone is not None:
        phone.context.close()


def test_expiry_shows_live(stack: Stack, cashier_page: Page) -> None:
    page = cashier_page
    page.click("[data-cashbox=CAJA2] a.primary")
    page.fill("#amount", "19,90")
    page.screenshot(path=str(SHOTS / "0-cashier-form.png"), full_page=True)
    page.click("#send")
    expect(page.locator("#live")).to_be_visible()
    stack.expire(page.url.rsplit("/", 1)[1])
    expect(page.locator("#status")).to_have_attribute("data-status", "expired")
    expect(page.locator("#expired-note")).to_have_text("The order expired unpaid.")


def test_cancel_from_the_screen(cashier_page: Page) -> None:
    page = cashier_page
    page.click("[data-cashbox=CAJA2] a.primary")
    page.fill("#amount", "75")
    page.click("#send")
    expect(page.locator("#status")).to_have_attribute("data-status", "pending")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#cancel")
    expect(page.locator("#status")).to_have_attribute("data-status", "cancelled")
    expect(page.locator("#status-label")).to_have_text("Cancelled")
    expect(page.locator("#cancel")).to_have_count(0)
    page.screenshot(path=str(SHOTS / "6-cashier-cancelled.png"), full_page=True)


def test_a_post_without_the_csrf_token_is_refused(cashier_page: Page, info: DemoInfo) -> None:
    # same browser, same session cookie: only the token is missing
    response = cashier_page.request.post(
        f"{info.seller_url}/ui/cashboxes/CAJA2/sell", form={"amount": "10"}
    )
    assert response.status == 403


def test_login_is_rate_limited(browser: Browser, info: DemoInfo) -> None:
    context = browser.new_context(locale="en-US")
    context.set_default_timeout(TIMEOUT)
    page = context.new_page()
    page.goto(f"{info.seller_url}/ui/login")
    for attempt in range(6):
        page.fill("input[name=username]", "intruder")
        page.fill("input[name=password]", f"guess-{attempt}")
        with page.expect_navigation() as navigation:
            page.click("#login-form button[type=submit]")
        status = navigation.value.status if navigation.value else None
        if attempt < 5:
            assert status == 401
            expect(page.locator("#login-error")).to_have_text("Wrong username or password.")
    assert status == 429
    expect(page.locator("#login-error")).to_contain_text("Too many attempts")
    page.screenshot(path=str(SHOTS / "7-login-throttled.png"))
    context.close()
