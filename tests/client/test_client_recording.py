"""record_to: one JSON line per HTTP exchange, with the token and payer data masked."""

from __future__ import annotations

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any

from client_testkit import TOKEN, Api, MPServer, close, make_client

from mpqr import AsyncClient, Client
from mpqr.client.recording import mask_personal

PAYMENT = {
    "id": 1,
    "status": "approved",
    "payer": {
        "id": "2429168801",
        "email": "buyer@example.com",
        "first_name": "Ana",
        "identification": {"type": "DNI", "number": "12345678"},
        "phone": {"area_code": "11", "number": 44445555},
    },
    "card": {
        "first_six_digits": "503143",
        "last_four_digits": "6351",
        "cardholder": {"name": "APRO", "identification": {"number": "1"}},
        "expiration_year": 2030,
    },
    "additional_info": {"payer": {"first_name": "Ana", "last_name": "Pérez"}},
    "echo": f"token was {TOKEN}",
}


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


async def recording_api(kind: str, server: MPServer, path: Path) -> Api:
    client = make_client(kind, server.url + "/mp", [], record_to=path)
    return Api(client, [])


async def test_one_line_per_exchange_with_secrets_masked(server: MPServer, tmp_path: Path) -> None:
    for kind in ("sync", "async"):
        out = tmp_path / f"{kind}.jsonl"
        api = await recording_api(kind, server, out)
        server.reply(200, PAYMENT, headers={"X-Request-Id": "req-1", "X-Other": "x"})
        await api("payments.get", 1)
        server.reply(200, {"ok": True})
        await api("request", "GET", "/v1/thing", query={"access_token": TOKEN, "a": "1"})
        await close(api.client)
        first, second = lines(out)
        assert TOKEN not in out.read_text(encoding="utf-8")
        assert (first["method"], first["path"], first["query"], first["status"]) == (
            "GET",
            "/v1/payments/1",
            {},
            200,
        )
        assert first["request_headers"]["Authorization"] == "Bearer ***"
        assert first["request_body"] is None
        assert first["response_headers"] == {
            "content-type": "application/json",
            "x-request-id": "req-1",
        }
        assert first["duration_ms"] >= 0
        assert datetime.fromisoformat(first["ts"]).tzinfo is not None
        body = first["response_body"]
        assert body["payer"] == {
            "id": "2429168801",
            "email": "***",
            "first_name": "***",
            "identification": {"type": "***", "number": "***"},
            "phone": {"area_code": "***", "number": 0},
        }
        assert body["card"]["first_six_digits"] == "***"
        assert body["card"]["cardholder"] == {"name": "***", "identification": {"number": "***"}}
        assert body["card"]["expiration_year"] == 2030
        assert body["additional_info"]["payer"] == {"first_name": "***", "last_name": "***"}
        assert body["echo"] == "token was ***"
        assert second["query"] == {"access_token": "***", "a": "1"}


async def test_post_bodies_and_retries_are_recorded(api: Api, server: MPServer, tmp_path: Path):
    out = tmp_path / "t.jsonl"
    kind = "async" if api.is_async else "sync"
    rec = await recording_api(kind, server, out)
    server.reply(503, {"message": "busy"}, headers={"Retry-After": "0"})
    server.reply(201, {"id": "ORD01", "status": "created"})
    order = {
        "external_reference": "A1",
        "total_amount": "50",
        "config": {"qr": {"external_pos_id": "CAJA1"}},
        "transactions": {"payments": [{"amount": "50"}]},
    }
    await rec("orders.create", order, idempotency_key="k-1")
    await close(rec.client)
    retry, done = lines(out)
    assert [retry["status"], done["status"]] == [503, 201]
    assert retry["response_headers"]["retry-after"] == "0"
    assert done["request_body"]["total_amount"] == "50.00"
    assert done["request_headers"]["X-Idempotency-Key"] == "k-1"
    assert done["response_body"] == {"id": "ORD01", "status": "created"}


def test_threads_share_one_recording_client(server: MPServer, tmp_path: Path) -> None:
    out = tmp_path / "threads.jsonl"
    server.default.body = json.dumps(PAYMENT).encode()
    client = Client(TOKEN, base_url=server.url, record_to=out, max_connections=8)
    with client as mp, ThreadPoolExecutor(8) as pool:
        list(pool.map(mp.payments.get, range(1, 161)))
    records = lines(out)
    assert len(records) == 160
    assert sorted(int(r["path"].rsplit("/", 1)[1]) for r in records) == list(range(1, 161))


async def test_tasks_share_one_recording_client(server: MPServer, tmp_path: Path) -> None:
    out = tmp_path / "tasks.jsonl"
    server.default.body = json.dumps(PAYMENT).encode()
    async with AsyncClient(TOKEN, base_url=server.url, record_to=out) as mp:
        await asyncio.gather(*(mp.payments.get(i) for i in range(1, 81)))
    assert len(lines(out)) == 80


def test_mask_keeps_shape_and_types() -> None:
    masked = mask_personal(
        {"results": [{"payer": {"email": "", "identification": None, "id": 3}}], "card": "x"}
    )
    assert masked == {
        "results": [{"payer": {"email": "", "identification": None, "id": 3}}],
        "card": "x",
    }
