"""The sync client's default transport: keep-alive ``http.client`` connections, pooled per origin.

Measured against a canned server on this kind of machine, one ``http.client`` request costs about
half the CPU of the same request through ``urllib3.HTTPConnectionPool.urlopen`` (110 versus 229 µs),
and the sync client spends most of its time there. This module keeps what the client needs from a
pool and nothing else: per-origin idle connections (LIFO, at most ``max_connections`` kept), a check
that an idle connection was not closed by the server before it is reused, separate connect and read
timeouts, TLS with certificate and host name verification (a custom ``ca_certs`` allowed),
``TCP_NODELAY``, and the error mapping of :mod:`mpqr.client.transports`. It follows no redirects
and uses no proxy (neither did the urllib3 transport).

A request that fails on a *reused* connection before any byte of the answer arrived (the server
had closed it in the meantime) is sent again once on a fresh connection when that is safe: an
idempotent method, or a POST with an ``X-Idempotency-Key``.
"""

from __future__ import annotations

import http.client
import select
import socket
import ssl
import threading
from urllib.parse import urlsplit

from mpqr.client._core import RawRequest, RawResponse
from mpqr.client.retry import IDEMPOTENT_METHODS, Timeouts
from mpqr.errors import APIConnectionError, APITimeoutError

__all__ = ["STALE", "StdlibTransport", "origin_address", "readable_now", "reason", "resendable"]

_Connection = http.client.HTTPConnection
# The server hung up between two requests on a kept-alive connection (nothing was answered).
STALE = (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError)


def reason(exc: BaseException) -> str:
    # Exception texts here name the host and the OS error, never headers (where the token lives).
    return f"{type(exc).__name__}: {exc}"[:300]


def origin_address(origin: str) -> tuple[bool, str, int]:
    """``(tls, host, port)`` of ``scheme://host[:port]`` (https: TLS, default port 443; else 80)."""
    parts = urlsplit(origin)
    tls = parts.scheme == "https"
    return tls, parts.hostname or "", parts.port or (443 if tls else 80)


def readable_now(sock: socket.socket | int) -> bool:
    """True if an idle connection's socket has something to read (the server closed it or wrote
    unasked) or cannot be polled: it cannot carry a request."""
    try:
        readable, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(readable)


def _dropped(conn: _Connection) -> bool:
    """True if the server closed (or wrote to) an idle connection: it cannot carry a request."""
    return conn.sock is None or readable_now(conn.sock)


class _Pool:
    """Idle connections to one origin; a connection is used by one thread at a time."""

    def __init__(
        self, origin: str, timeouts: Timeouts, keep: int, context: ssl.SSLContext | None
    ) -> None:
        self.tls, self.host, self.port = origin_address(origin)
        self.timeouts = timeouts
        self.keep = keep
        self.context = context
        self.idle: list[_Connection] = []
        self.lock = threading.Lock()

    def take(self) -> tuple[_Connection, bool]:
        """A connection, and whether it was reused (kept alive from an earlier request)."""
        while True:
            with self.lock:
                conn = self.idle.pop() if self.idle else None
            if conn is None:
                return self.connect(), False
            if not _dropped(conn):
                return conn, True
            conn.close()

    def connect(self) -> _Connection:
        conn: _Connection
        if self.tls:
            conn = http.client.HTTPSConnection(
                self.host, self.port, timeout=self.timeouts.connect, context=self.context
            )
        else:
            conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeouts.connect)
        conn.connect()
        assert conn.sock is not None
        conn.sock.settimeout(self.timeouts.read)
        conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return conn

    def give_back(self, conn: _Connection) -> None:
        with self.lock:
            if conn.sock is not None and len(self.idle) < self.keep:
                self.idle.append(conn)
                return
        conn.close()

    def close(self) -> None:
        with self.lock:
            idle, self.idle = self.idle, []
        for conn in idle:
            conn.close()


class StdlibTransport:
    """Sends with the standard library's ``http.client``, keeping connections alive per origin.

    ``max_connections`` is how many idle connections are kept per origin (more threads than that
    still get a connection each; the extra ones are closed after use). ``ca_certs`` is a PEM file of
    certificate authorities to trust instead of the system's.
    """

    def __init__(
        self,
        *,
        timeouts: Timeouts = Timeouts(),  # noqa: B008
        max_connections: int = 10,
        ca_certs: str | None = None,
    ) -> None:
        self._timeouts = timeouts
        self._keep = max_connections
        self._ca_certs = ca_certs
        self._context: ssl.SSLContext | None = None  # built on the first https origin
        self._pools: dict[str, _Pool] = {}
        self._lock = threading.Lock()

    def _pool(self, origin: str) -> _Pool:
        pool = self._pools.get(origin)
        if pool is None:
            with self._lock:
                if self._context is None and origin.startswith("https:"):
                    self._context = ssl.create_default_context(cafile=self._ca_certs)
                pool = self._pools.setdefault(
                    origin, _Pool(origin, self._timeouts, self._keep, self._context)
                )
        return pool

    def send(self, request: RawRequest) -> RawResponse:
        pool = self._pool(request.origin)
        try:
            conn, reused = pool.take()
        except TimeoutError as exc:
            raise APITimeoutError(f"timed out connecting to {request.origin}") from exc
        except OSError as exc:
            raise APIConnectionError(f"cannot connect to {request.origin}: {reason(exc)}") from exc
        try:
            try:
                return self._exchange(pool, conn, request)
            except STALE:
                if not (reused and resendable(request)):
                    raise
            conn = pool.connect()  # the kept-alive connection had been closed: once more
            return self._exchange(pool, conn, request)
        except TimeoutError as exc:
            raise APITimeoutError(f"timed out talking to {request.origin}") from exc
        except (http.client.HTTPException, OSError) as exc:
            raise APIConnectionError(
                f"connection to {request.origin} failed: {reason(exc)}"
            ) from exc

    @staticmethod
    def _exchange(pool: _Pool, conn: _Connection, request: RawRequest) -> RawResponse:
        try:
            conn.request(request.method, request.target, request.body, request.headers)
            response = conn.getresponse()
            body = response.read()
        except BaseException:
            conn.close()
            raise
        headers = {name.lower(): value for name, value in response.getheaders()}
        pool.give_back(conn)
        return RawResponse(response.status, headers, body)

    def close(self) -> None:
        with self._lock:
            pools, self._pools = list(self._pools.values()), {}
        for pool in pools:
            pool.close()


def resendable(request: RawRequest) -> bool:
    """Safe to send again after the server hung up unanswered: an idempotent method, or a
    request carrying an ``X-Idempotency-Key``."""
    return request.method in IDEMPOTENT_METHODS or any(
        name.lower() == "x-idempotency-key" for name in request.headers
    )
