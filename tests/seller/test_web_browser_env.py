"""Real Chromium for the cashier UI tests (Debian's, driven by Playwright through
``executable_path``), axe-core for accessibility, and helpers shared by the ``test_web_*``
browser modules (they import the ``*_fixture`` objects, as with :mod:`test_web_env`).

axe-core comes from the ``axe-playwright-python`` package of the test extra, which ships
``axe.min.js``; it is injected with ``page.add_script_tag`` into contexts opened with
``bypass_csp=True`` (the pages' CSP allows only their own scripts). Without Chromium or axe the
browser tests skip, except under ``CI=true`` where they fail.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import httpx
import pytest

from mpqr.demo import DemoInfo

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
PHONE: dict[str, Any] = {"viewport": {"width": 390, "height": 844}, "is_mobile": True}
DESKTOP: dict[str, Any] = {"viewport": {"width": 1100, "height": 900}}


def _unavailable(why: str) -> None:
    if os.environ.get("CI") == "true":
        raise RuntimeError(f"browser tests cannot run under CI: {why}")
    pytest.skip(why, allow_module_level=True)


if not os.path.exists(CHROMIUM):
    _unavailable(f"{CHROMIUM} is not installed")
try:
    AXE_JS = resources.files("axe_playwright_python").joinpath("axe.min.js")
except ModuleNotFoundError:
    _unavailable("axe-playwright-python (axe-core) is not installed: pip install -e '.[test]'")

from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright  # noqa: E402


@pytest.fixture(scope="module", name="browser")
def browser_fixture() -> Iterator[Browser]:
    SHOTS.mkdir(parents=True, exist_ok=True)
    expect.set_options(timeout=TIMEOUT)
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield chromium
        chromium.close()


class Watched:
    """A browser context whose pages report script errors and CSP violations to ``problems``."""

    def __init__(self, context: BrowserContext) -> None:
        self.context = context
        self.problems: list[str] = []

    def page(self) -> Page:
        page = self.context.new_page()
        page.on("pageerror", lambda error: self.problems.append(str(error)))
        page.on("console", self._console)
        return page

    def _console(self, msg: Any) -> None:
        # a 4xx page the test asked for (422 form errors, 409 busy) is not a problem
        expected = msg.text.startswith(
            "Failed to load resource: the server responded with a status of 4"
        )
        if msg.type == "error" and not expected:
            self.problems.append(msg.text)


def new_context(browser: Browser, locale: str = "en-US", **options: Any) -> Watched:
    context = browser.new_context(locale=locale, bypass_csp=True, **(DESKTOP | options))
    context.set_default_timeout(TIMEOUT)
    return Watched(context)


def sign_in(page: Page, info: DemoInfo) -> None:
    page.goto(f"{info.seller_url}/ui/login")
    page.fill("#username", info.username)
    page.fill("#password", info.password)
    page.click("#login-form button[type=submit]")
    expect(page.locator("[data-cashbox=CAJA1]")).to_be_visible()


def free_cashboxes(info: DemoInfo) -> None:
    """Cancel every pending sale (through the JSON API), so each test starts at idle cashboxes."""
    for sale in api(info, "GET", "/api/sales", params={"status": "pending"}).json()["sales"]:
        api(info, "POST", f"/api/sales/{sale['id']}/cancel")


@pytest.fixture(name="cashier_page")
def cashier_page_fixture(browser: Browser, info: DemoInfo) -> Iterator[Page]:
    free_cashboxes(info)
    watched = new_context(browser)
    page = watched.page()
    sign_in(page, info)
    yield page
    watched.context.close()
    assert watched.problems == []


def serious_violations(page: Page) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now (every rule axe
    runs by default: WCAG 2.0/2.1 A and AA, best practices)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=AXE_JS.read_text(encoding="utf-8"))
    found: list[dict[str, Any]] = page.evaluate(
        """async () => (await axe.run(document)).violations.map(v => ({
            id: v.id, impact: v.impact,
            nodes: v.nodes.map(n => n.target.join(" ") + ": " + n.failureSummary)}))"""
    )
    return [
        f"{v['id']} ({v['impact']}): {v['nodes'][:3]}"
        for v in found
        if v["impact"] in {"serious", "critical"}
    ]


def pos_of(info: DemoInfo, cashbox: str) -> int:
    return int(info.customer_urls[cashbox].rsplit("/", 1)[1])


def pay(info: DemoInfo, cashbox: str, status: str = "approved", **extra: object) -> None:
    """The customer pays whatever is on the cashbox's QR (the sandbox's control plane)."""
    body = {"pos_id": pos_of(info, cashbox), "status": status, **extra}
    response = httpx.post(f"{info.sandbox_url}/_sandbox/pay", json=body, timeout=10)
    assert response.status_code == 201, response.text


def api(info: DemoInfo, method: str, path: str, **kwargs: Any) -> httpx.Response:
    """The seller's JSON API, as another terminal or the shop's back office would use it."""
    headers = {"Authorization": f"Bearer {info.api_key}"}
    return httpx.request(method, f"{info.seller_url}{path}", headers=headers, timeout=10, **kwargs)
