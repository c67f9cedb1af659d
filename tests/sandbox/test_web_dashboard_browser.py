"""The sandbox dashboard's controls in Debian's Chromium: settling a pending payment, the fault
switches, each delivery's payload, headers and answers attempt by attempt, the virtual clock, and
accessibility (axe-core: no violations).

A real sandbox runs on 127.0.0.1 with delivery on; notifications go to a small receiver in this
process that records exactly what arrived, so the test compares the dashboard with the wire.
Waiting is Playwright's ``expect`` or a poll of the sandbox's own state, never a sleep.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect, sync_playwright

from mpqr.sandbox.testing import Sandbox

CHROMIUM = "/usr/bin/chromium"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's chromium"),
]
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ITEMS = [{"title": "Café", "currency_id": "ARS", "unit_price": 10, "quantity": 1}]


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


@dataclass
class Receiver:
    """A seller's notification URL on loopback: answers ``statuses`` in turn (then 200)."""

    statuses: list[int] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    url: str = ""

    def handler(self) -> type[BaseHTTPRequestHandler]:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                outer.received.append(
                    Received("POST", self.path, dict(self.headers.items()), json.loads(raw))
                )
                status = outer.statuses.pop(0) if outer.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "8")
                self.end_headers()
                self.wfile.write(b"answered")

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    expect.set_options(timeout=10_000)
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), found.handler())
    found.url = f"http://127.0.0.1:{server.server_address[1]}/notifications"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield found
    server.shutdown()
    server.server_close()


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    with Sandbox(seed=11) as sandbox:
        yield sandbox


@pytest.fixture
def dashboard(browser: Browser, sb: Sandbox) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1400, "height": 900}, base_url=sb.base_url)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    page.on("dialog", lambda dialog: problems.append(f"dialog: {dialog.message}"))
    page.goto("/")
    yield page
    context.close()
    assert problems == []


def put_order(sb: Sandbox, notification_url: str | None = None, ttl: int | None = None) -> None:
    assert sb.seller is not None
    body: dict[str, Any] = {"external_reference": "DASH-1", "items": ITEMS}
    if notification_url:
        body["notification_url"] = notification_url
    headers = {**sb.seller.auth_headers, **({"X-Ttl-Store-Preference": str(ttl)} if ttl else {})}
    url = f"{sb.base_url}/mpmobile/instore/qr/{sb.seller.id}/CAJA1"
    r = httpx.post(url, json=body, headers=headers)
    assert r.status_code == 200, r.text


def test_a_pending_payment_is_settled_from_the_dashboard(sb: Sandbox, dashboard: Page) -> None:
    pos = sb.create_pos("CAJA1")
    put_order(sb)
    payment = sb.pay(pos_id=pos["id"], status="pending")["payment"]
    row = dashboard.locator(f'#payments [data-payment="{payment["id"]}"]')
    expect(row).to_contain_text("pending")
    row.get_by_role("button", name=f"Approve payment {payment['id']}").click()
    expect(dashboard.locator("#action-status")).to_have_text(
        f"Payment {payment['id']} is now approved (accredited)."
    )
    expect(row).to_contain_text("approved")
    expect(row.get_by_role("button")).to_have_count(0)  # nothing left to settle
    mo_id = payment["order"]["id"]
    expect(dashboard.locator(f'#merchant-orders [data-mo="{mo_id}"]')).to_contain_text("closed")


def test_the_fault_switches_turn_api_errors_on_and_off(sb: Sandbox, dashboard: Page) -> None:
    assert sb.seller is not None
    me = f"{sb.base_url}/users/me"
    expect(dashboard.locator("#faults-state")).to_have_text("Fault injection is off.")
    dashboard.get_by_label("Error rate").fill("1")
    dashboard.get_by_label("Error statuses").fill("503")
    dashboard.get_by_label("Drop").fill("0.5")
    dashboard.get_by_role("button", name="Apply").click()
    expect(dashboard.locator("#action-status")).to_have_text("Fault injection updated.")
    expect(dashboard.locator("#faults-state")).to_contain_text("API: 100% errors (503)")
    expect(dashboard.locator("#faults-state")).to_contain_text("Notifications: 50% dropped")
    config = httpx.get(f"{sb.base_url}/_sandbox/faults").json()
    assert config["api"]["error_rate"] == 1.0
    assert config["api"]["error_statuses"] == [503]
    assert config["notifications"]["drop"] == 0.5
    assert httpx.get(me, headers=sb.seller.auth_headers).status_code == 503
    assert httpx.get(f"{sb.base_url}/", timeout=10).status_code == 200  # never the pages

    dashboard.get_by_role("button", name="All off").click()
    expect(dashboard.locator("#faults-state")).to_have_text("Fault injection is off.")
    expect(dashboard.get_by_label("Error rate")).to_have_value("0")
    assert httpx.get(me, headers=sb.seller.auth_headers).status_code == 200


def test_the_fault_form_refuses_a_bad_value(sb: Sandbox, dashboard: Page) -> None:
    dashboard.get_by_label("Latency from (ms)").fill("500")
    dashboard.get_by_label("Latency to (ms)").fill("100")
    dashboard.get_by_role("button", name="Apply").click()
    status = dashboard.locator("#action-status")
    expect(status).to_contain_text("the first bound must be <= the second")
    expect(status).to_have_class("action-status error")
    assert httpx.get(f"{sb.base_url}/_sandbox/faults").json()["api"]["latency_ms"] == [0, 0]


def test_each_delivery_shows_payload_headers_and_answers_attempt_by_attempt(
    sb: Sandbox, dashboard: Page, receiver: Receiver
) -> None:
    pos = sb.create_pos("CAJA1")
    receiver.statuses = [500]  # the first notification fails once, then is retried
    put_order(sb, notification_url=receiver.url)
    mo_id = sb.scan(pos_id=pos["id"])["merchant_order_id"]
    sb.wait_for_deliveries(lambda ds: any(len(d["attempts"]) >= 2 for d in ds))
    first = next(d for d in sb.deliveries() if len(d["attempts"]) >= 2)
    assert first["resource_id"] == str(mo_id)

    row = dashboard.locator(f'[data-delivery="{first["id"]}"]')
    expect(row).to_contain_text("HTTP 200")
    details = dashboard.locator(f"#delivery-{first['id']}")
    details.locator("summary").click()
    expect(details.locator("pre.payload")).to_contain_text(str(mo_id))
    attempts = details.locator("table.attempts tbody tr")
    expect(attempts).to_have_count(2)
    expect(attempts.nth(0)).to_contain_text("HTTP 500")
    expect(attempts.nth(0)).to_contain_text("answered")  # the start of the receiver's answer
    expect(attempts.nth(1)).to_contain_text("HTTP 200")
    expect(attempts.nth(1)).to_contain_text("scheduled")

    # what the dashboard shows is what went over the wire, attempt by attempt
    sent = [r for r in receiver.received if r.body == first["body"]]
    assert len(sent) == 2
    for number, request in enumerate(sent):
        shown = attempts.nth(number).locator("dl.headers")
        expect(shown).to_contain_text(request.headers["x-request-id"])
        expect(shown).to_contain_text(request.headers["User-Agent"])
    payload = json.loads(details.locator("pre.payload").inner_text())
    assert payload == sent[0].body

    sb.pay(pos_id=pos["id"], status="approved")  # the panel refreshes: the details stay open
    expect(dashboard.locator("#payments tbody tr[data-payment]")).to_have_count(1)
    expect(details).to_have_attribute("open", "")


def test_a_signed_webhook_shows_the_headers_that_were_sent(
    sb: Sandbox, dashboard: Page, receiver: Receiver
) -> None:
    """An Orders API order's webhook is signed: every header the dashboard shows for it, the
    ``x-signature`` included, is the header the receiver got."""
    assert sb.seller is not None
    pos = sb.create_pos("CAJA1")
    order = {
        "type": "qr",
        "total_amount": "10.00",
        "external_reference": "DASH-2",
        "notification_url": receiver.url,
        "config": {"qr": {"external_pos_id": "CAJA1", "mode": "static"}},
        "transactions": {"payments": [{"amount": "10.00"}]},
        "items": [{"title": "Café", "unit_price": "10.00", "quantity": 1, "unit_measure": "unit"}],
    }
    headers = {**sb.seller.auth_headers, "X-Idempotency-Key": "dash-2"}
    created = httpx.post(f"{sb.base_url}/v1/orders", json=order, headers=headers)
    assert created.status_code == 201, created.text
    sb.pay(pos_id=pos["id"], status="approved")
    deliveries = sb.wait_for_deliveries(
        lambda ds: any(d["signed"] and d["state"] == "delivered" for d in ds)
    )
    signed = next(d for d in deliveries if d["signed"] and d["state"] == "delivered")
    request_id = signed["attempts"][0]["request_id"]
    wire = next(r for r in receiver.received if r.headers.get("x-request-id") == request_id)
    assert "x-signature" in wire.headers

    details = dashboard.locator(f"#delivery-{signed['id']}")
    details.locator("summary").click()
    shown = details.locator("table.attempts dl.headers").first
    names = shown.locator("dt").all_inner_texts()
    values = shown.locator("dd").all_inner_texts()
    sent = {name.lower(): value for name, value in wire.headers.items()}
    rebuilt = {name.lower(): value for name, value in zip(names, values, strict=True)}
    assert {"content-type", "user-agent", "x-request-id", "x-signature"} <= rebuilt.keys()
    assert rebuilt == {name: sent.get(name) for name in rebuilt}


def test_the_virtual_clock_moves_and_orders_expire(sb: Sandbox, dashboard: Page) -> None:
    pos = sb.create_pos("CAJA1")
    put_order(sb, ttl=60)
    card = dashboard.locator(f'#cashboxes [data-pos="{pos["id"]}"]')
    expect(card).to_contain_text("Live legacy order")
    before = float(dashboard.locator("#clock-offset").inner_text())
    field_ = dashboard.get_by_label("Advance by (seconds)")
    field_.fill("90")
    field_.press("Enter")  # the keyboard is enough
    expect(dashboard.locator("#action-status")).to_have_text(
        "Clock advanced 90 s; 1 order(s) expired."
    )
    expect(card).to_contain_text("No order on this QR")
    assert float(dashboard.locator("#clock-offset").inner_text()) >= before + 90


def test_the_dashboard_has_no_accessibility_violations(
    sb: Sandbox, dashboard: Page, receiver: Receiver
) -> None:
    pos = sb.create_pos("CAJA1")
    put_order(sb, notification_url=receiver.url)
    sb.pay(pos_id=pos["id"], status="pending")
    sb.wait_for_deliveries(lambda ds: len(ds) >= 2 and all(d["attempts"] for d in ds))
    expect(dashboard.locator("#payments [data-payment] button")).to_have_count(2)
    first = dashboard.locator("#deliveries details").first
    first.locator("summary").click()
    expect(first.locator("table.attempts")).to_be_visible()
    assert dashboard.locator("h1").count() == 1
    violations = Axe().run(dashboard).response["violations"]
    found = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in violations]
    assert found == []
