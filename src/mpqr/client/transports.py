"""The I/O seam: a transport sends one :class:`RawRequest` and returns one :class:`RawResponse`.

The defaults are :class:`StdlibTransport` (sync: the standard library's ``http.client`` with
keep-alive connections pooled per origin, about half the CPU per request of urllib3's pool) and
:class:`AsyncioTransport` (async: a lean HTTP/1.1 client on raw asyncio with the same pooling
contract, two to three times the calls per second of aiohttp), chosen on measurements.
:class:`Urllib3Transport` and :class:`AiohttpTransport` (one ``ClientSession`` with a bounded
``TCPConnector``) remain available. Tests and callers can pass their own transport: anything with
these methods works.

A transport raises :class:`~mpqr.errors.APITimeoutError` or :class:`~mpqr.errors.APIConnectionError`
when no HTTP answer came back; it never raises for an HTTP status (that is the core's job).
"""

from __future__ import annotations

from typing import Protocol

import aiohttp
import urllib3
from urllib3.exceptions import (
    HTTPError,
    NewConnectionError,
    ProtocolError,
)
from urllib3.exceptions import (
    TimeoutError as Urllib3TimeoutError,
)
from yarl import URL

from mpqr.client._asyncio_http import AsyncioTransport
from mpqr.client._core import RawRequest, RawResponse
from mpqr.client._stdlib_http import StdlibTransport, reason
from mpqr.client.retry import Timeouts
from mpqr.errors import APIConnectionError, APITimeoutError

__all__ = [
    "AiohttpTransport",
    "AsyncTransport",
    "AsyncioTransport",
    "StdlibTransport",
    "SyncTransport",
    "Urllib3Transport",
]


class SyncTransport(Protocol):
    def send(self, request: RawRequest) -> RawResponse: ...

    def close(self) -> None: ...


class AsyncTransport(Protocol):
    async def send(self, request: RawRequest) -> RawResponse: ...

    async def aclose(self) -> None: ...


class Urllib3Transport:
    """Sends with urllib3: one ``HTTPConnectionPool`` per origin, kept alive between calls.

    ``ca_certs`` is a PEM file of certificate authorities to trust instead of the system's (a
    corporate proxy, a test server).

    urllib3's own retries and redirects are off: retrying is the client's policy, and an API
    redirect is surfaced, not followed with the ``Authorization`` header to another host.
    """

    def __init__(
        self,
        *,
        timeouts: Timeouts = Timeouts(),  # noqa: B008
        max_connections: int = 10,
        ca_certs: str | None = None,
    ) -> None:
        self._timeout = urllib3.Timeout(connect=timeouts.connect, read=timeouts.read)
        self._manager = urllib3.PoolManager(
            num_pools=4,
            maxsize=max_connections,
            retries=False,
            timeout=self._timeout,
            ca_certs=ca_certs,
        )
        self._pools: dict[str, urllib3.HTTPConnectionPool] = {}

    def _pool(self, origin: str) -> urllib3.HTTPConnectionPool:
        pool = self._pools.get(origin)
        if pool is None:
            pool = self._pools[origin] = self._manager.connection_from_url(origin)
        return pool

    def send(self, request: RawRequest) -> RawResponse:
        try:
            response = self._pool(request.origin).urlopen(
                request.method,
                request.target,
                body=request.body,
                headers=request.headers,
                retries=False,
                redirect=False,
                assert_same_host=False,
                timeout=self._timeout,
                preload_content=True,
            )
        except NewConnectionError as exc:  # before TimeoutError: it subclasses ConnectTimeoutError
            raise APIConnectionError(f"cannot connect to {request.origin}: {reason(exc)}") from exc
        except Urllib3TimeoutError as exc:
            raise APITimeoutError(f"timed out talking to {request.origin}") from exc
        except (ProtocolError, HTTPError, OSError) as exc:
            raise APIConnectionError(
                f"connection to {request.origin} failed: {reason(exc)}"
            ) from exc
        return RawResponse(response.status, response.headers, response.data)

    def close(self) -> None:
        self._pools.clear()
        self._manager.clear()


class AiohttpTransport:
    """Sends with aiohttp: one ``ClientSession`` and a ``TCPConnector`` limited to
    ``max_connections`` sockets; many requests can be in flight at once.

    The session is created on the first request (inside the running loop), not in ``__init__``.
    """

    def __init__(self, *, timeouts: Timeouts = Timeouts(), max_connections: int = 10) -> None:  # noqa: B008
        self._timeout = aiohttp.ClientTimeout(
            total=None, sock_connect=timeouts.connect, sock_read=timeouts.read
        )
        self._limit = max_connections
        self._session: aiohttp.ClientSession | None = None

    def _get_session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._limit, limit_per_host=self._limit)
            self._session = aiohttp.ClientSession(connector=connector, timeout=self._timeout)
        return self._session

    async def send(self, request: RawRequest) -> RawResponse:
        session = self._get_session()
        try:
            # Awaited, not ``async with session.request(...)``: its ``__aenter__`` is one more
            # coroutine frame that every resumption of the request passes through.
            response = await session.request(
                request.method,
                URL(request.url, encoded=True),  # already percent-encoded: do not re-quote
                data=request.body,
                headers=request.headers,
                allow_redirects=False,
            )
            async with response:
                body = await response.read()
            return RawResponse(response.status, response.headers, body)
        except TimeoutError as exc:  # aiohttp's ServerTimeoutError is a TimeoutError too
            raise APITimeoutError(f"timed out talking to {request.origin}") from exc
        except aiohttp.ClientError as exc:
            raise APIConnectionError(
                f"connection to {request.origin} failed: {reason(exc)}"
            ) from exc

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
