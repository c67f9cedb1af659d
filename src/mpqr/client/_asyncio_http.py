"""The async client's default transport: keep-alive HTTP/1.1 on raw asyncio, pooled per origin.

The asyncio twin of :mod:`mpqr.client._stdlib_http`, with the same contract: per-origin idle
connections (LIFO), a check that an idle connection was not closed by the server before it is
reused, separate connect and read timeouts, TLS with certificate and host name verification (a
custom ``ca_certs`` allowed), ``TCP_NODELAY``, and the error mapping of
:mod:`mpqr.client.transports`. It follows no redirects and uses no proxy.

Each connection is an :class:`asyncio.Protocol` that parses the answer as the bytes arrive
(``bytes.find`` and ``split``: status line, headers, then a ``Content-Length``, chunked or
read-until-close body) and completes one future when the whole answer is in, so a call costs one
suspension of the caller and no stream or parser objects. At most ``max_connections`` connections
per origin are in use at once; further callers wait for a free one in arrival order (FIFO).

A request that fails on a *reused* connection before any byte of the answer arrived (the server
had closed it in the meantime) is sent again once on a fresh connection when that is safe: an
idempotent method, or a POST with an ``X-Idempotency-Key``.
"""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import ssl
import zlib
from collections import deque

from mpqr.client._asyncio_conn import Connection
from mpqr.client._core import RawRequest, RawResponse
from mpqr.client._stdlib_http import STALE, origin_address, reason, resendable
from mpqr.client.retry import Timeouts
from mpqr.errors import APIConnectionError, APITimeoutError

__all__ = ["AsyncioTransport"]

# Headers this module writes itself unless the request has its own (as http.client does).
_OWN = frozenset({"host", "accept-encoding", "content-length", "transfer-encoding"})
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})  # an empty one still says Content-Length: 0


class _Pool:
    """The connections to one origin: idle ones (LIFO), and a FIFO of callers waiting for one."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        origin: str,
        timeouts: Timeouts,
        limit: int,
        context: ssl.SSLContext | None,
    ) -> None:
        self.loop = loop
        self.origin = origin
        self.tls, self.host, self.port = origin_address(origin)
        self.timeouts = timeouts
        self.limit = limit
        self.context = context
        self.idle: list[Connection] = []
        self.active = 0  # connections in use or being opened (each holds one of ``limit`` slots)
        self.waiters: deque[asyncio.Future[Connection | None]] = deque()
        self.shut = False
        host = f"[{self.host}]" if ":" in self.host else self.host
        if self.port != (443 if self.tls else 80):
            host = f"{host}:{self.port}"
        self.host_line = f"Host: {host}\r\n"
        self.prefix = f"{self.host_line}Accept-Encoding: identity\r\n"

    def encode(self, request: RawRequest) -> bytes:
        """The request's bytes, with the headers http.client adds (Host, Accept-Encoding...)."""
        method = request.method
        body = request.body
        lines = []
        own: set[str] | None = None
        for name, value in request.headers.items():
            if name.lower() in _OWN:
                own = own or set()
                own.add(name.lower())
            lines.append(f"{name}: {value}\r\n")
        if own is None:
            prefix, count = self.prefix, 2
            if body is not None:
                prefix, count = f"{prefix}Content-Length: {len(body)}\r\n", 3
            elif method in _BODY_METHODS:
                prefix, count = f"{prefix}Content-Length: 0\r\n", 3
        else:
            prefix, count = "", 0
            if "host" not in own:
                prefix, count = self.host_line, 1
            if "accept-encoding" not in own:
                prefix, count = f"{prefix}Accept-Encoding: identity\r\n", count + 1
            if "content-length" not in own and "transfer-encoding" not in own:
                if body is not None:
                    prefix, count = f"{prefix}Content-Length: {len(body)}\r\n", count + 1
                elif method in _BODY_METHODS:
                    prefix, count = f"{prefix}Content-Length: 0\r\n", count + 1
        head = f"{method} {request.target} HTTP/1.1\r\n{prefix}{''.join(lines)}\r\n"
        # Each line ends with its own CRLF: a CR or LF inside a method, target, name or value
        # would start another header (or request). Refused without echoing it (it may be a token).
        count += len(lines) + 2
        if head.count("\n") != count or head.count("\r") != count:
            raise ValueError("a header name or value, or the request target, holds CR or LF")
        data = head.encode("latin-1")
        return data + body if body else data

    def take_idle(self) -> Connection | None:
        idle = self.idle
        while idle:
            conn = idle.pop()
            if conn.usable():
                return conn
            conn.abort()
        return None

    async def wait(self) -> tuple[Connection, bool]:
        """A connection once a slot is free (callers are served in arrival order)."""
        fut: asyncio.Future[Connection | None] = self.loop.create_future()
        self.waiters.append(fut)
        try:
            conn = await fut
        except asyncio.CancelledError:
            if fut.done() and not fut.cancelled():
                self.release(fut.result())  # handed a slot as this task was cancelled: pass it on
            else:
                with contextlib.suppress(ValueError):  # not popped by a release yet
                    self.waiters.remove(fut)
            raise
        if conn is not None:
            if conn.usable():
                return conn, True
            conn.abort()
        conn = self.take_idle()
        if conn is not None:
            return conn, True
        return await self.open_in_slot(), False

    async def open_in_slot(self) -> Connection:
        """A fresh connection in a slot already held; the slot is given back if opening fails."""
        try:
            return await self.connect()
        except BaseException:
            self.release(None)
            raise

    async def connect(self) -> Connection:
        loop = self.loop
        try:
            async with asyncio.timeout(self.timeouts.connect):
                _, conn = await loop.create_connection(
                    lambda: Connection(loop, self.timeouts.read),
                    self.host,
                    self.port,
                    ssl=self.context if self.tls else None,
                    server_hostname=self.host if self.tls else None,
                    ssl_handshake_timeout=self.timeouts.connect if self.tls else None,
                )
        except TimeoutError as exc:
            raise APITimeoutError(f"timed out connecting to {self.origin}") from exc
        except OSError as exc:
            raise APIConnectionError(f"cannot connect to {self.origin}: {reason(exc)}") from exc
        return conn

    def release(self, conn: Connection | None) -> None:
        """Give back a slot, with its connection if that can carry another request."""
        if conn is not None and (conn.closed or not conn.keep_alive or self.shut):
            conn.abort()
            conn = None
        waiters = self.waiters
        while waiters:
            fut = waiters.popleft()
            if not fut.done():
                fut.set_result(conn)  # the slot (and the connection) go to the longest waiter
                return
        self.active -= 1
        if conn is not None:
            self.idle.append(conn)

    def close(self) -> None:
        self.shut = True
        idle, self.idle = self.idle, []
        for conn in idle:
            conn.abort()


class AsyncioTransport:
    """Sends with a small HTTP/1.1 client on raw asyncio, keeping connections alive per origin.

    ``max_connections`` is how many connections per origin are in use at once (more concurrent
    calls wait for a free one, in arrival order); idle ones are kept for the next calls.
    ``ca_certs`` is a PEM file of certificate authorities to trust instead of the system's.
    Redirects are not followed and no proxy is used (a redirect is an answer like any other).
    Timeouts: ``connect`` covers TCP and the TLS handshake; ``read`` is the longest wait for each
    read of the answer (from sending the request to its first byte, then between reads).

    Use it from one event loop; it is bound to the loop of the first call (a later loop gets
    fresh connections).
    """

    def __init__(
        self,
        *,
        timeouts: Timeouts = Timeouts(),  # noqa: B008
        max_connections: int = 10,
        ca_certs: str | None = None,
    ) -> None:
        if max_connections < 1:
            raise ValueError("max_connections must be at least 1")
        self._timeouts = timeouts
        self._limit = max_connections
        self._ca_certs = ca_certs
        self._context: ssl.SSLContext | None = None  # built on the first https origin
        self._pools: dict[str, _Pool] = {}

    def _pool(self, origin: str) -> _Pool:
        loop = asyncio.get_running_loop()
        pool = self._pools.get(origin)
        if pool is not None and pool.loop is loop:
            return pool
        if pool is not None:  # connections of another (finished) loop cannot be used here
            pool.close()
        if self._context is None and origin.startswith("https:"):
            self._context = ssl.create_default_context(cafile=self._ca_certs)
        pool = self._pools[origin] = _Pool(loop, origin, self._timeouts, self._limit, self._context)
        return pool

    async def send(self, request: RawRequest) -> RawResponse:
        pool = self._pools.get(request.origin)
        if pool is None or pool.loop is not asyncio.get_running_loop():
            pool = self._pool(request.origin)
        data = pool.encode(request)
        head_only = request.method == "HEAD"
        if pool.waiters or pool.active >= pool.limit:
            conn, reused = await pool.wait()
        else:
            pool.active += 1
            taken = pool.take_idle()
            if taken is None:
                conn, reused = await pool.open_in_slot(), False
            else:
                conn, reused = taken, True
        return await _exchange(pool, conn, data, head_only, request if reused else None)

    async def aclose(self) -> None:
        """Close the idle connections; those in use close when their call ends."""
        pools, self._pools = list(self._pools.values()), {}
        for pool in pools:
            pool.close()


async def _exchange(
    pool: _Pool, conn: Connection, data: bytes, head_only: bool, reused_for: RawRequest | None
) -> RawResponse:
    """Send ``data`` on ``conn`` (which holds one of ``pool``'s slots) and read the answer.
    ``reused_for``: the request, when ``conn`` was kept alive from an earlier call; if the server
    had closed it meanwhile (the request failed before any byte of an answer), a request that is
    safe to resend goes once more on a fresh connection in the same slot."""
    fut = conn.exchange(data, head_only)
    try:
        response = await fut
    except BaseException as exc:
        if _answered(fut):  # cancelled just as the whole answer arrived: the connection is clean
            pool.release(conn)
            raise
        conn.abort()  # never back in the pool half-read (cancelled, timed out, broken)
        stale = isinstance(exc, STALE) and not conn.received
        if stale and reused_for is not None and resendable(reused_for):
            fresh = await pool.open_in_slot()
            return await _exchange(pool, fresh, data, head_only, None)
        pool.release(None)
        mapped = _mapped(exc, pool.origin)
        if mapped is None:
            raise
        raise mapped from exc
    pool.release(conn)
    return response


def _answered(fut: asyncio.Future[RawResponse]) -> bool:
    """True if ``fut`` holds a whole answer (its exception, if any, is retrieved: never logged)."""
    return fut.done() and not fut.cancelled() and fut.exception() is None


def _mapped(exc: BaseException, origin: str) -> Exception | None:
    """The API error for a failed exchange, or ``None`` if ``exc`` is no transport failure."""
    if isinstance(exc, TimeoutError):
        return APITimeoutError(f"timed out talking to {origin}")
    if isinstance(exc, (http.client.HTTPException, OSError, ValueError, zlib.error)):
        return APIConnectionError(f"connection to {origin} failed: {reason(exc)}")
    return None  # cancelled, or a bug: raised as it is
