"""Stores (mp-api §7), POS (§8) and the POS's QR files served by the sandbox."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sandbox_env import Env

from mpqr.qr.emvco import decode_mp_reference, parse
from mpqr.sandbox.testing import Sandbox


def test_store_crud_and_search(env: Env) -> None:
    body = {
        "name": "Sucursal Instore",
        "external_id": "BK021",
        "location": {
            "street_name": "Caseros",
            "street_number": "3039",
            "city_name": "Belgrano",
            "state_name": "Capital Federal",
        },
    }
    r = env.http.post(f"/users/{env.uid}/stores", json=body)
    assert r.status_code == 200
    store = r.json()
    assert store["location"]["address_line"] == "Caseros 3039, Belgrano, Capital Federal"
    assert "date_created" in store
    got = env.http.get(f"/stores/{store['id']}").json()
    assert (got["name"], "date_creation" in got) == ("Sucursal Instore", True)
    updated = env.http.put(f"/users/{env.uid}/stores/{store['id']}", json={"name": "Nuevo"}).json()
    assert updated["name"] == "Nuevo"
    found = env.http.get(f"/users/{env.uid}/stores/search", params={"external_id": "BK021"}).json()
    assert (found["paging"]["total"], found["results"][0]["id"]) == (1, store["id"])
    dup = env.http.post(f"/users/{env.uid}/stores", json=body)
    assert dup.status_code == 409
    deleted = env.http.delete(f"/users/{env.uid}/stores/{store['id']}").json()
    assert deleted == {"store": int(store["id"]), "user": env.uid}
    assert env.http.get(f"/stores/{store['id']}").status_code == 404


@pytest.mark.parametrize(
    ("body", "key"),
    [
        ({}, "INVALID_NAME"),
        ({"name": "x", "location": "here"}, "INVALID_LOCATION"),
        ({"name": "x", "business_hours": []}, "INVALID_BUSINESS_HOURS"),
        ({"name": "x", "external_id": "with space"}, "INVALID_EXTERNAL_ID"),
    ],
)
def test_store_errors(env: Env, body: dict[str, Any], key: str) -> None:
    r = env.http.post(f"/users/{env.uid}/stores", json=body)
    assert (r.status_code, r.json()["error"]) == (400, key)


def test_store_id_errors(env: Env) -> None:
    assert env.http.get("/stores/abc").json()["error"] == "INVALID_STORE_ID"
    r = env.http.get(f"/users/{env.uid}/stores/search", params={"external_id": "a-b"})
    assert r.json()["error"] == "INVALID_EXTERNAL_ID"
    assert env.http.get("/users/abc/stores/search").json()["error"] == "INVALID_USER_ID"


def test_pos_create_get_update_delete(env: Env, pos: dict[str, Any]) -> None:
    assert pos["external_id"] == "CAJA1"
    assert pos["fixed_amount"] is True
    assert pos["qr"]["image"].endswith(f"/qr/{pos['id']}/{pos['uuid']}.png")
    full = env.http.get(f"/pos/{pos['id']}").json()
    assert (full["site"], len(full["compatible_id"])) == ("MLA", 128)
    parse(full["qr_code"])
    ref = decode_mp_reference(full["qr_code"])
    assert (ref.kind, ref.pos_id) == ("pos", pos["id"])
    updated = env.http.put(
        f"/pos/{pos['id']}", json={"name": "Caja Uno", "category": 621102}
    ).json()
    assert (updated["name"], updated["category"]) == ("Caja Uno", 621102)
    r = env.http.put(f"/pos/{pos['id']}", json={"external_id": "OTHER"})
    assert r.json()["error"] == "INVALID_EXTERNAL_ID"
    assert env.http.delete(f"/pos/{pos['id']}").status_code == 204
    assert env.http.get(f"/pos/{pos['id']}").status_code == 404


def test_pos_search(env: Env, pos: dict[str, Any]) -> None:
    env.sb.create_pos("CAJA2")
    everything = env.http.get("/pos").json()
    assert everything["paging"]["total"] == 2
    assert env.http.get("/pos", params={"external_id": "caja2"}).json()["paging"]["total"] == 1
    assert env.http.get("/pos", params={"store_id": pos["store_id"]}).json()["paging"]["total"] == 2
    assert (
        env.http.get("/pos", params={"external_store_id": "SUC001"}).json()["paging"]["total"] == 2
    )


def _pos_body(**change: Any) -> dict[str, Any]:
    return {
        "name": "Caja",
        "fixed_amount": True,
        "external_store_id": "SUC001",
        "external_id": "CAJA9",
        **change,
    }


@pytest.mark.parametrize(
    ("change", "status", "key"),
    [
        ({"name": None}, 400, "INVALID_NAME"),
        ({"name": "x" * 45}, 400, "NAME_TOO_LONG"),
        ({"fixed_amount": "yes"}, 400, "INVALID_FIXED_AMOUNT"),
        ({"category": "food"}, 400, "INVALID_CATEGORY"),
        ({"external_id": "caja-9"}, 400, "INVALID_EXTERNAL_ID"),
        ({"external_id": "A" * 40}, 400, "EXTERNAL_ID_TOO_LONG"),
        ({"external_id": "caja1"}, 409, "conflict"),
        ({"external_store_id": "NOPE"}, 400, "INEXISTENT_EXTERNAL_STORE_ID"),
        ({"external_store_id": None}, 400, "INVALID_EXTERNAL_STORE_ID"),
        ({"store_id": "abc"}, 400, "INVALID_STORE_ID"),
        ({"url": "u" * 300}, 400, "URL_TOO_LONG"),
        ({"url": "https://x.example", "fixed_amount": False}, 400, "FIXED_AMOUNT_FALSE"),
    ],
)
def test_pos_errors(
    env: Env, pos: dict[str, Any], change: dict[str, Any], status: int, key: str
) -> None:
    r = env.http.post("/pos", json=_pos_body(**change))
    assert (r.status_code, r.json()["error"]) == (status, key)
    if status == 409:
        assert r.json()["message"] == "A pos with the same EXTERNAL_ID already exists."


def test_store_id_and_external_store_id_must_match(env: Env, pos: dict[str, Any]) -> None:
    other = env.http.post(
        f"/users/{env.uid}/stores", json={"name": "B", "external_id": "SUC002"}
    ).json()
    r = env.http.post("/pos", json=_pos_body(store_id=other["id"]))
    assert r.json()["error"] == "EXTERNAL_STORE_ID_NOT_MATCH"
    assert env.http.get("/pos/abc").json()["error"] == "INVALID_POS_ID"


def test_qr_files(env: Env, pos: dict[str, Any]) -> None:
    png = env.anon.get(pos["qr"]["image"])
    assert (png.status_code, png.headers["content-type"]) == (200, "image/png")
    assert png.content.startswith(b"\x89PNG")
    pdf = env.anon.get(pos["qr"]["template_document"])
    assert pdf.content.startswith(b"%PDF")
    poster = env.anon.get(pos["qr"]["template_image"])
    assert poster.content.startswith(b"\x89PNG")
    assert env.anon.get(f"/qr/{pos['id']}/wrong.png").status_code == 404


@pytest.mark.parametrize("site_id", ["MLA", "MLB", "MLC", "MCO", "MLM", "MPE", "MLU"])
def test_every_site_gets_a_valid_pos_qr(site_id: str) -> None:
    with Sandbox(seed=3, deliver=False, site_id=site_id) as sandbox:
        pos = sandbox.create_pos("CAJA1")
        with httpx.Client(base_url=sandbox.base_url) as http:
            state = http.get("/_sandbox/state")
            assert state.status_code == 200
            got = http.get(
                f"/pos/{pos['id']}",
                headers={"Authorization": f"Bearer {sandbox.seller.access_token}"},
            ).json()
        payload = parse(got["qr_code"])
        assert payload.country_code is not None
        ref = decode_mp_reference(got["qr_code"])
        assert (ref.kind, ref.pos_id) == ("pos", pos["id"])
