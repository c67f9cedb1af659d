from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from client_testkit import Api, MPServer, close, make_client

from mpqr.client import RetryPolicy


@pytest.fixture
def server() -> Iterator[MPServer]:
    srv = MPServer().start()
    yield srv
    srv.stop()


@pytest.fixture(params=["sync", "async"])
async def api(request: pytest.FixtureRequest, server: MPServer) -> AsyncIterator[Api]:
    sleeps: list[float] = []
    client = make_client(request.param, server.url, sleeps)
    yield Api(client, sleeps)
    await close(client)


@pytest.fixture(params=["sync", "async"])
async def api_mla(request: pytest.FixtureRequest, server: MPServer) -> AsyncIterator[Api]:
    """A client that knows the seller's site (MLA, ARS)."""
    sleeps: list[float] = []
    client = make_client(request.param, server.url, sleeps, site_id="MLA")
    yield Api(client, sleeps)
    await close(client)


@pytest.fixture(params=["sync", "async"])
async def api_mco(request: pytest.FixtureRequest, server: MPServer) -> AsyncIterator[Api]:
    """A client for a Colombian seller (COP: whole amounts only)."""
    sleeps: list[float] = []
    client = make_client(request.param, server.url, sleeps, site_id="MCO")
    yield Api(client, sleeps)
    await close(client)


@pytest.fixture(params=["sync", "async"])
async def api_once(request: pytest.FixtureRequest, server: MPServer) -> AsyncIterator[Api]:
    """A client that never retries: one request per call."""
    sleeps: list[float] = []
    client = make_client(request.param, server.url, sleeps, retry=RetryPolicy(max_retries=0))
    yield Api(client, sleeps)
    await close(client)
