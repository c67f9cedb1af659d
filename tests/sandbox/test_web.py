"""The sandbox's pages over HTTP: status, content, languages, static files and escaping."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from mpqr.sandbox.testing import Sandbox

HOSTILE = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    with Sandbox(seed=3, deliver=False) as sandbox:
        yield sandbox


@pytest.fixture
def http(sb: Sandbox) -> Iterator[httpx.Client]:
    assert sb.seller is not None
    with httpx.Client(base_url=sb.base_url, headers=sb.seller.auth_headers) as client:
        yield client


def put_order(http: httpx.Client, sb: Sandbox, external_id: str, title: str) -> None:
    assert sb.seller is not None
    body = {
        "external_reference": "REF-1",
        "items": [{"title": title, "currency_id": "ARS", "unit_price": 150.5, "quantity": 2}],
    }
    r = http.post(f"/mpmobile/instore/qr/{sb.seller.id}/{external_id}", json=body)
    assert r.status_code == 200, r.text


def test_dashboard_lists_sellers_cashboxes_and_orders(sb: Sandbox, http: httpx.Client) -> None:
    pos = sb.create_pos("CAJA1")
    put_order(http, sb, "CAJA1", "Café")
    sb.pay(pos_id=pos["id"], status="approved")
    r = http.get("/")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in r.headers["content-security-policy"]
    page = r.text
    assert sb.seller is not None
    assert str(sb.seller.id) in page
    assert f'src="/qr/{pos["id"]}/{pos["uuid"]}.png"' in page
    assert f'href="/customer/{pos["id"]}"' in page
    assert "ARS 301.00" in page
    assert '<span class="badge s-closed">closed</span>' in page
    assert '<span class="badge s-approved">approved</span>' in page
    assert "/static/sandbox/dashboard.js" in page


def test_dashboard_masks_the_token_in_text(sb: Sandbox, http: httpx.Client) -> None:
    assert sb.seller is not None
    token = sb.seller.access_token
    page = http.get("/").text
    secret_part = token.split("-")[3]
    # the whole token is only in the copy button's data attribute, never in visible text
    assert page.count(secret_part) == 1
    assert f'data-copy="{token}"' in page


def test_panel_fragment_shows_live_orders(sb: Sandbox, http: httpx.Client) -> None:
    sb.create_pos("CAJA1")
    empty = http.get("/_sandbox/web/dashboard")
    assert empty.status_code == 200
    assert "No order on this QR" in empty.text
    assert "<html" not in empty.text
    put_order(http, sb, "CAJA1", "Café")
    live = http.get("/_sandbox/web/dashboard").text
    assert "Live legacy order" in live
    assert "ARS 301.00" in live


def test_hostile_text_is_escaped_everywhere(sb: Sandbox, http: httpx.Client) -> None:
    seller = sb.create_seller("MLA", nickname=HOSTILE, business_name=HOSTILE)
    assert sb.seller is not None
    pos = sb.create_pos("CAJA1")
    put_order(http, sb, "CAJA1", HOSTILE)
    sb.pay(pos_id=pos["id"], status="rejected")
    r = http.put(f"/pos/{pos['id']}", json={"name": HOSTILE})
    assert r.status_code == 200, r.text
    pages = [
        http.get("/").text,
        http.get("/_sandbox/web/dashboard").text,
        http.get("/customer").text,
        http.get(f"/customer/{pos['id']}").text,
    ]
    for page in pages:
        assert HOSTILE not in page
        assert ESCAPED in page
    assert str(seller.id) in pages[0]


def test_customer_page_speaks_spanish_by_default(sb: Sandbox, http: httpx.Client) -> None:
    pos = sb.create_pos("CAJA1")
    r = http.get(f"/customer/{pos['id']}")
    assert r.status_code == 200
    page = r.text
    assert '<html lang="es">' in page
    for text in ("Esperando el pedido…", "Pagar", "Rechazar", "Dejar pendiente", "Caja CAJA1"):
        assert text in page
    assert f'"posId": {pos["id"]}' in page
    assert "/static/sandbox/customer.js" in page


@pytest.mark.parametrize(
    ("lang", "words"),
    [("pt", ("Aguardando o pedido…", "Recusar")), ("en", ("Waiting for the order…", "Reject"))],
)
def test_customer_page_languages(
    sb: Sandbox, http: httpx.Client, lang: str, words: tuple[str, ...]
) -> None:
    pos = sb.create_pos("CAJA1")
    page = http.get(f"/customer/{pos['id']}", params={"lang": lang}).text
    assert f'<html lang="{lang}">' in page
    for word in words:
        assert word in page


@pytest.mark.parametrize("pos_id", ["1", "abc", "99999999", "<b>x"])
def test_unknown_cashbox_is_a_404_page(http: httpx.Client, pos_id: str) -> None:
    r = http.get(f"/customer/{pos_id}")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("text/html")
    assert "Caja no encontrada" in r.text
    assert "<b>" not in r.text


def test_customer_index_lists_every_cashbox(sb: Sandbox, http: httpx.Client) -> None:
    empty = http.get("/customer")
    assert empty.status_code == 200
    assert "Todavía no hay cajas" in empty.text
    first, second = sb.create_pos("CAJA1"), sb.create_pos("CAJA2")
    put_order(http, sb, "CAJA2", "Café")
    page = http.get("/customer", params={"lang": "en"}).text
    assert f'href="/customer/{first["id"]}?lang=en"' in page
    assert f'href="/customer/{second["id"]}?lang=en"' in page
    assert page.count("has an order") == 1


@pytest.mark.parametrize(
    ("name", "media_type"),
    [
        ("sandbox.css", "text/css"),
        ("dashboard.js", "text/javascript"),
        ("customer.js", "text/javascript"),
    ],
)
def test_static_files(http: httpx.Client, name: str, media_type: str) -> None:
    r = http.get(f"/static/sandbox/{name}")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith(media_type)
    assert len(r.content) > 500


@pytest.mark.parametrize("name", ["nope.css", "..%2F__init__.py", "routes.py", "%2e%2e"])
def test_static_files_are_a_fixed_set(http: httpx.Client, name: str) -> None:
    assert http.get(f"/static/sandbox/{name}").status_code == 404


def test_pages_reference_only_local_assets(sb: Sandbox, http: httpx.Client) -> None:
    pos = sb.create_pos("CAJA1")
    for path in ("/", "/customer", f"/customer/{pos['id']}"):
        page = http.get(path).text
        assert "http://" not in page
        assert "https://" not in page
    for name in ("sandbox.css", "dashboard.js", "customer.js"):
        asset = http.get(f"/static/sandbox/{name}").text
        assert "http://" not in asset
        assert "https://" not in asset.replace("https?:", "")


def test_pages_are_not_in_the_openapi_document(http: httpx.Client) -> None:
    paths: dict[str, Any] = http.get("/openapi.json").json()["paths"]
    assert not [
        p for p in paths if p == "/" or p.startswith(("/customer", "/static", "/_sandbox/web"))
    ]


def test_dashboard_lists_deliveries() -> None:
    with Sandbox(seed=4) as sb:
        assert sb.seller is not None
        pos = sb.create_pos("CAJA1")
        body = {
            "notification_url": "http://127.0.0.1:9/hook",
            "items": [{"title": "Café", "currency_id": "ARS", "unit_price": 10, "quantity": 1}],
        }
        with httpx.Client(base_url=sb.base_url, headers=sb.seller.auth_headers) as http:
            r = http.post(f"/mpmobile/instore/qr/{sb.seller.id}/CAJA1", json=body)
            assert r.status_code == 200, r.text
            mo_id = sb.scan(pos_id=pos["id"])["merchant_order_id"]
            panel = http.get("/_sandbox/web/dashboard").text
    assert f"http://127.0.0.1:9/hook?topic=merchant_order&amp;id={mo_id}" in panel
    assert f"http://127.0.0.1:9/hook?data.id={mo_id}&amp;type=topic_merchant_order_wh" in panel
    assert "Delivery is off" not in panel
    assert 'data-resend="' in panel


def test_dashboard_says_when_delivery_is_off(http: httpx.Client) -> None:
    assert "Delivery is off" in http.get("/_sandbox/web/dashboard").text


def test_dashboard_offers_settling_and_fault_switches(sb: Sandbox, http: httpx.Client) -> None:
    pos = sb.create_pos("CAJA1")
    put_order(http, sb, "CAJA1", "Café")
    payment = sb.pay(pos_id=pos["id"], status="in_process")["payment"]
    page = http.get("/").text
    assert f'data-settle="{payment["id"]}" data-status="approved"' in page
    assert f'data-settle="{payment["id"]}" data-status="rejected"' in page
    assert '<form id="faults-form"' in page
    assert '<label for="api-error-rate">Error rate</label>' in page
    assert "Fault injection is off." in page
    assert page.count("<h1") == 1
    sb.settle(payment["id"], "rejected")
    assert 'data-settle="' not in http.get("/_sandbox/web/dashboard").text
    faults = {"api": {"error_rate": 0.5, "error_statuses": [503]}}
    assert httpx.put(f"{sb.base_url}/_sandbox/faults", json=faults).status_code == 200
    panel = http.get("/_sandbox/web/dashboard").text
    assert "Fault injection is on." in panel
    assert "API: 50% errors (503)" in panel
