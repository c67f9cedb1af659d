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
import select
import socket
import ssl
import zlib
from collections import deque
from urllib.parse import urlsplit

from mpqr.client._core import RawRequest, RawResponse
from mpqr.client.retry import IDEMPOTENT_METHODS, Timeouts
from mpqr.errors import APIConnectionError, APITimeoutError

__all__ = ["AsyncioTransport"]

# The server hung up between two requests on a kept-alive connection (nothing was answered).
_STALE = (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError)
# Headers this module writes itself unless the request has its own (as http.client does).
_OWN = frozenset({"host", "accept-encoding", "content-length", "transfer-encoding"})
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})  # an empty one still says Content-Length: 0
_MAX_HEAD = 65536  # bytes of status line and headers; a longer head is a broken server
_MAX_LINE = 4096  # a chunk size line or a trailer line

# Where a connection is in reading an answer.
_IDLE, _HEAD, _LENGTH, _CHUNK_SIZE, _CHUNK_DATA, _CHUNK_END, _TRAILER, _UNTIL_CLOSE = range(8)


def _reason(exc: BaseException) -> str:
    # Exception texts here name the host and the OS error, never headers (where the token lives).
    return f"{type(exc).__name__}: {exc}"[:300]


class _Connection(asyncio.Protocol):
    """One keep-alive connection: one request at a time, its answer parsed as it arrives."""

    def __init__(self, loop: asyncio.AbstractEventLoop, read_timeout: float) -> None:
        self.loop = loop
        self.read_timeout = read_timeout
        self.transport: asyncio.Transport | None = None
        self.fd = -1
        self.closed = False  # no further request may use it
        self.keep_alive = True  # the last answer allows another request
        self.received = False  # a byte of the current answer arrived
        self.fut: asyncio.Future[RawResponse] | None = None
        self.head_only = False
        self.state = _IDLE
        self.buf = b""  # an incomplete head or line, kept until more bytes come
        self.status = 0
        self.headers: dict[str, str] = {}
        self.parts: list[bytes] = []
        self.remaining = 0
        self.deadline = 0.0
        self.timer: asyncio.TimerHandle | None = None

    # asyncio.Protocol

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        sock = transport.get_extra_info("socket")
        if sock is not None:
            self.fd = sock.fileno()
            if sock.family in (socket.AF_INET, socket.AF_INET6):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def data_received(self, data: bytes) -> None:
        if self.fut is None:  # nothing was asked: the connection is out of step, never reuse it
            self.abort()
            return
        self.received = True
        if self.buf:
            data, self.buf = self.buf + data, b""
        try:
            self._parse(data)
        except (http.client.HTTPException, ValueError) as exc:
            self._fail(exc)
            return
        if self.fut is not None:  # more to come: the read timeout counts from this read
            self.deadline = self.loop.time() + self.read_timeout

    def eof_received(self) -> bool:
        self._ended(None)
        return False  # close the transport

    def connection_lost(self, exc: Exception | None) -> None:
        self._ended(exc)

    # one exchange

    def exchange(self, data: bytes, head_only: bool) -> asyncio.Future[RawResponse]:
        """Send one request's bytes; the future gets the whole answer or the error."""
        assert self.transport is not None
        fut = self.fut = self.loop.create_future()
        if self.closed:  # the server hung up before the request could go out
            self.fut = None
            fut.set_exception(
                http.client.RemoteDisconnected("Remote end closed connection without response")
            )
            return fut
        self.head_only = head_only
        self.received = False
        self.state = _HEAD
        self.deadline = self.loop.time() + self.read_timeout
        self.timer = self.loop.call_at(self.deadline, self._on_timer)
        try:
            self.transport.write(data)
        except Exception as exc:  # whatever it is, this call failed, not the event loop
            self._fail(exc)
        return fut

    def usable(self) -> bool:
        """True if an idle connection can carry a request: the server neither closed nor wrote."""
        if self.closed or not self.keep_alive:
            return False
        try:
            readable, _, _ = select.select([self.fd], [], [], 0)
        except (OSError, ValueError):
            return False
        return not readable

    def abort(self) -> None:
        """Close now, whatever is in flight (the caller no longer waits for it)."""
        self.closed = True
        self.fut = None
        self.state = _IDLE
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        if self.transport is not None:
            with contextlib.suppress(RuntimeError):  # its event loop is closed already
                self.transport.abort()

    def _ended(self, exc: Exception | None) -> None:
        """The server closed the connection (or it broke), maybe in the middle of an answer."""
        self.closed = True
        if self.fut is None:
            return
        if self.state == _UNTIL_CLOSE and exc is None:  # the end of the body is the end of it all
            self._complete(b"".join(self.parts))
        elif exc is not None:  # a reset or broken pipe before any answer is a stale connection
            self._fail(exc)
        elif not self.received:
            self._fail(
                http.client.RemoteDisconnected("Remote end closed connection without response")
            )
        elif self.state == _HEAD:
            self._fail(http.client.IncompleteRead(self.buf))
        else:
            partial = b"".join(self.parts)
            expected = self.remaining if self.state == _LENGTH else None
            self._fail(http.client.IncompleteRead(partial, expected))

    def _on_timer(self) -> None:
        self.timer = None
        if self.fut is None:
            return
        if self.loop.time() < self.deadline:  # bytes came since: wait for the rest
            self.timer = self.loop.call_at(self.deadline, self._on_timer)
            return
        self._fail(TimeoutError(f"no answer within {self.read_timeout} s"))

    def _complete(self, body: bytes) -> None:
        fut = self.fut
        self.fut = None
        self.state = _IDLE
        self.parts = []
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        if fut is None or fut.done():
            return
        headers = self.headers
        encoding = headers.get("content-encoding")
        if encoding is not None and body:
            try:
                body = _decode(encoding, body)
            except zlib.error as exc:
                self.keep_alive = False
                fut.set_exception(exc)
                return
        fut.set_result(RawResponse(self.status, headers, body))

    def _fail(self, exc: BaseException) -> None:
        fut = self.fut
        self.abort()
        if fut is not None and not fut.done():
            fut.set_exception(exc)

    # parsing

    def _parse(self, data: bytes) -> None:
        pos = 0
        end = len(data)
        while pos < end:
            state = self.state
            if state == _HEAD:
                stop = data.find(b"\r\n\r\n", pos)
                if stop < 0:
                    if end - pos > _MAX_HEAD:
                        raise http.client.LineTooLong("header section")
                    self.buf = data[pos:]
                    return
                self._head(data[pos:stop].decode("latin-1"))
                pos = stop + 4
            elif state == _LENGTH:
                take = min(self.remaining, end - pos)
                self.parts.append(data if take == end and pos == 0 else data[pos : pos + take])
                pos += take
                self.remaining -= take
                if not self.remaining:
                    parts = self.parts
                    self._complete(parts[0] if len(parts) == 1 else b"".join(parts))
            elif state == _CHUNK_SIZE:
                stop = data.find(b"\r\n", pos)
                if stop < 0:
                    self._keep(data, pos)
                    return
                size = data[pos:stop].split(b";", 1)[0].strip()
                if not size or size.strip(b"0123456789abcdefABCDEF") or len(size) > 16:
                    raise ValueError("bad chunk size line")
                pos = stop + 2
                self.remaining = int(size, 16)
                self.state = _CHUNK_DATA if self.remaining else _TRAILER
            elif state == _CHUNK_DATA:
                take = min(self.remaining, end - pos)
                self.parts.append(data[pos : pos + take])
                pos += take
                self.remaining -= take
                if not self.remaining:
                    self.state = _CHUNK_END
            elif state == _CHUNK_END:
                if end - pos < 2:
                    self._keep(data, pos)
                    return
                if data[pos : pos + 2] != b"\r\n":
                    raise ValueError("a chunk does not end with CRLF")
                pos += 2
                self.state = _CHUNK_SIZE
            elif state == _TRAILER:
                stop = data.find(b"\r\n", pos)
                if stop < 0:
                    self._keep(data, pos)
                    return
                if stop == pos:  # the empty line: the answer is complete
                    pos += 2
                    self._complete(b"".join(self.parts))
                else:
                    pos = stop + 2  # a trailer field: not kept
            elif state == _UNTIL_CLOSE:
                self.parts.append(data[pos:])
                return
            else:  # _IDLE: bytes after a complete answer; the connection is out of step
                self.keep_alive = False
                return

    def _keep(self, data: bytes, pos: int) -> None:
        if len(data) - pos > _MAX_LINE:
            raise http.client.LineTooLong("chunk size or trailer line")
        self.buf = data[pos:]

    def _head(self, head: str) -> None:
        lines = head.split("\r\n")
        version, _, rest = lines[0].partition(" ")
        code = rest[:3]
        if (
            not version.startswith("HTTP/")
            or not (code.isascii() and code.isdigit())
            or rest[3:4] not in ("", " ")
        ):
            raise http.client.BadStatusLine(lines[0][:40])
        status = int(code)
        headers: dict[str, str] = {}
        name = ""
        for line in lines[1:]:
            if line[:1] in (" ", "\t") and name:  # an obsolete folded continuation
                headers[name] += " " + line.strip()
                continue
            name, colon, value = line.partition(":")
            if not colon:
                raise http.client.HTTPException("a header line without a colon")
            name = name.strip().lower()
            value = value.strip()
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
        if 100 <= status < 200:  # an interim answer (100 Continue...): the real one follows
            if status == 101:
                raise http.client.HTTPException("unexpected 101 Switching Protocols")
            return
        self.status = status
        self.headers = headers
        connection = headers.get("connection")
        self.keep_alive = version == "HTTP/1.1" and not (
            connection is not None and "close" in _tokens(connection)
        )
        self.parts = []
        if self.head_only or status in (204, 304):
            self._complete(b"")
            return
        coding = headers.get("transfer-encoding")
        if coding is not None:
            if _tokens(coding)[-1:] != ["chunked"]:
                self.keep_alive = False
                self.state = _UNTIL_CLOSE
                return
            if "content-length" in headers:  # both: chunked wins, and the connection is closed
                self.keep_alive = False
            self.state = _CHUNK_SIZE
            return
        length = headers.get("content-length")
        if length is None:
            self.keep_alive = False
            self.state = _UNTIL_CLOSE
            return
        values = {v.strip() for v in length.split(",")}
        size = values.pop() if len(values) == 1 else ""
        if not (size.isascii() and size.isdigit()):
            raise http.client.HTTPException("bad Content-Length")
        self.remaining = int(size)
        if self.remaining:
            self.state = _LENGTH
        else:
            self._complete(b"")


def _tokens(value: str) -> list[str]:
    return [token.strip().lower() for token in value.split(",")]


def _decode(encoding: str, body: bytes) -> bytes:
    coding = encoding.strip().lower()
    if coding in ("gzip", "x-gzip"):
        return zlib.decompress(body, 16 + zlib.MAX_WBITS)
    if coding == "deflate":
        try:
            return zlib.decompress(body)
        except zlib.error:
            return zlib.decompress(body, -zlib.MAX_WBITS)  # raw deflate, as some servers send
    return body  # identity, or an encoding left to the caller


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
        parts = urlsplit(origin)
        self.loop = loop
        self.origin = origin
        self.tls = parts.scheme == "https"
        self.host = parts.hostname or ""
        self.port = parts.port or (443 if self.tls else 80)
        self.timeouts = timeouts
        self.limit = limit
        self.context = context
        self.idle: list[_Connection] = []
        self.active = 0  # connections in use or being opened (each holds one of ``limit`` slots)
        self.waiters: deque[asyncio.Future[_Connection | None]] = deque()
        self.shut = False
        host = f"[{self.host}]" if ":" in self.host else self.host
        if parts.port is not None and parts.port != (443 if self.tls else 80):
            host = f"{host}:{parts.port}"
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

    def take_idle(self) -> _Connection | None:
        idle = self.idle
        while idle:
            conn = idle.pop()
            if conn.usable():
                return conn
            conn.abort()
        return None

    async def wait(self) -> tuple[_Connection, bool]:
        """A connection once a slot is free (callers are served in arrival order)."""
        fut: asyncio.Future[_Connection | None] = self.loop.create_future()
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

    async def open_in_slot(self) -> _Connection:
        """A fresh connection in a slot already held; the slot is given back if opening fails."""
        try:
            return await self.connect()
        except BaseException:
            self.release(None)
            raise

    async def connect(self) -> _Connection:
        loop = self.loop
        try:
            async with asyncio.timeout(self.timeouts.connect):
                _, conn = await loop.create_connection(
                    lambda: _Connection(loop, self.timeouts.read),
                    self.host,
                    self.port,
                    ssl=self.context if self.tls else None,
                    server_hostname=self.host if self.tls else None,
                    ssl_handshake_timeout=self.timeouts.connect if self.tls else None,
                )
        except TimeoutError as exc:
            raise APITimeoutError(f"timed out connecting to {self.origin}") from exc
        except OSError as exc:
            raise APIConnectionError(f"cannot connect to {self.origin}: {_reason(exc)}") from exc
        return conn

    def release(self, conn: _Connection | None) -> None:
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
        fut = conn.exchange(data, head_only)
        try:
            response = await fut
        except BaseException as exc:
            if _answered(
                fut
            ):  # cancelled just as the whole answer arrived: the connection is clean
                pool.release(conn)
                raise
            conn.abort()  # never back in the pool half-read (cancelled, timed out, broken)
            stale = reused and isinstance(exc, _STALE) and not conn.received
            if not (stale and _resendable(request)):
                pool.release(None)
                mapped = _mapped(exc, pool.origin)
                if mapped is None:
                    raise
                raise mapped from exc
            return await self._again(pool, data, head_only)  # the kept-alive one had been closed
        pool.release(conn)
        return response

    @staticmethod
    async def _again(pool: _Pool, data: bytes, head_only: bool) -> RawResponse:
        conn = await pool.open_in_slot()
        fut = conn.exchange(data, head_only)
        try:
            response = await fut
        except BaseException as exc:
            if _answered(fut):
                pool.release(conn)
                raise
            conn.abort()
            pool.release(None)
            mapped = _mapped(exc, pool.origin)
            if mapped is None:
                raise
            raise mapped from exc
        pool.release(conn)
        return response

    async def aclose(self) -> None:
        """Close the idle connections; those in use close when their call ends."""
        pools, self._pools = list(self._pools.values()), {}
        for pool in pools:
            pool.close()


def _answered(fut: asyncio.Future[RawResponse]) -> bool:
    """True if ``fut`` holds a whole answer (its exception, if any, is retrieved: never logged)."""
    return fut.done() and not fut.cancelled() and fut.exception() is None


def _mapped(exc: BaseException, origin: str) -> Exception | None:
    """The API error for a failed exchange, or ``None`` if ``exc`` is no transport failure."""
    if isinstance(exc, TimeoutError):
        return APITimeoutError(f"timed out talking to {origin}")
    if isinstance(exc, (http.client.HTTPException, OSError, ValueError, zlib.error)):
        return APIConnectionError(f"connection to {origin} failed: {_reason(exc)}")
    return None  # cancelled, or a bug: raised as it is


def _resendable(request: RawRequest) -> bool:
    return request.method in IDEMPOTENT_METHODS or any(
        name.lower() == "x-idempotency-key" for name in request.headers
    )
