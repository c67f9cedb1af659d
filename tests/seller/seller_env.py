"""Shared helpers for the seller tests: a real seller server on 127.0.0.1 (uvicorn in the
test's event loop) over SQLite or PostgreSQL, with a FakeGateway, a FrozenClock,
and hand-driven workers."""

from __future__ import annotations

import asyncio
import socket
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from seller_fakes import FakeGateway

from mpqr.clock import FrozenClock
from mpqr.ids import IdFactory
from mpqr.seller.app import create_app
from mpqr.seller.settings import Settings

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"
API_KEY = "test-api-key-0123456789"


def _pg_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.fixture(
    params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
)
async def database_url(request: pytest.FixtureRequest, tmp_path: Any) -> AsyncIterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/seller.db"
        return
    async with pg_database() as url:
        yield url


class pg_database:
    """A fresh PostgreSQL database for one test, dropped afterwards."""

    async def __aenter__(self) -> str:
        if not _pg_reachable():
            pytest.skip("PostgreSQL on 127.0.0.1:5432 is not reachable")
        import asyncpg

        self.name = f"mpqr_seller_{uuid.uuid4().hex[:12]}"
        conn = await asyncpg.connect(PG_ADMIN)
        try:
            await conn.execute(f'CREATE DATABASE "{self.name}"')
        finally:
            await conn.close()
        return f"postgresql://postgres@127.0.0.1:5432/{self.name}"

    async def __aexit__(self, *exc: object) -> None:
        import asyncpg

        conn = await asyncpg.connect(PG_ADMIN)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        finally:
            await conn.close()


def free_socket() -> socket.socket:
    # proto=IPPROTO_TCP: asyncio sets TCP_NODELAY on accepted sockets only then (otherwise Nagle
    # plus delayed ACKs add 40 ms to every response)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@dataclass
class Running:
    """One running seller server: its base URL, an authenticated client, and its app state."""

    app: FastAPI
    base_url: str
    http: httpx.AsyncClient
    announced: list[str] = field(default_factory=list)

    @property
    def state(self) -> Any:
        return self.app.state

    async def process(self) -> int:
        total = 0
        while n := await self.app.state.processor.run_once():
            total += n
        return total

    async def reconcile(self) -> int:
        return int(await self.app.state.reconciler.run_once())


class serve:
    """Start ``app`` with uvicorn on a pre-bound 127.0.0.1 socket inside the running loop."""

    def __init__(self, make_app: Callable[[str], FastAPI], api_key: str | None = API_KEY) -> None:
        self.sock = free_socket()
        port = self.sock.getsockname()[1]
        self.base_url = f"http://127.0.0.1:{port}"
        self.app = make_app(self.base_url)
        self.api_key = api_key

    async def __aenter__(self) -> Running:
        config = uvicorn.Config(
            self.app, log_level="warning", lifespan="on", access_log=False, proxy_headers=False
        )
        self.server = uvicorn.Server(config)
        self.task = asyncio.create_task(self.server.serve(sockets=[self.sock]))
        async with asyncio.timeout(10):
            while not self.server.started:
                if self.task.done():
                    self.task.result()
                await asyncio.sleep(0.005)
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        self.http = httpx.AsyncClient(base_url=self.base_url, headers=headers, timeout=10)
        return Running(self.app, self.base_url, self.http)

    async def __aexit__(self, *exc: object) -> None:
        await self.http.aclose()
        self.server.should_exit = True
        await self.task
        self.sock.close()


def settings_for(database_url: str, base_url: str, **extra: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "public_url": base_url,
        "api_key": API_KEY,
        "run_workers": False,
        "mp_access_token": "APP_USR-secret-token-123456",
    }
    values.update(extra)
    return Settings(**values)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def gateway() -> FakeGateway:
    return FakeGateway()


@pytest.fixture
async def seller(
    database_url: str, clock: FrozenClock, gateway: FakeGateway
) -> AsyncIterator[Running]:
    def make(base: str) -> FastAPI:
        return create_app(
            settings_for(database_url, base), clock=clock, gateway=gateway, ids=IdFactory(7)
        )

    async with serve(make) as running:
        await running.http.post("/api/stores", json={"external_id": "SUC1", "name": "Sucursal"})
        await running.http.post(
            "/api/cashboxes",
            json={"external_id": "CAJA1", "name": "Caja 1", "store_external_id": "SUC1"},
        )
        yield running
